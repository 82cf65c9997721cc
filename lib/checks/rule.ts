import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleResult } from 'cdk-nag';

/** Ids of the security practices P1–P16 (docs/PRACTICES.md). */
export type PracticeId = `P${number}`;

/** One rule of PlatformChecks: what it checks, why, and which practice it enforces. */
export interface PlatformRule {
  /** Rule id without the pack prefix, e.g. `LogGroupEncryptedWithRetention` (reported as `Platform-<id>`). */
  readonly id: string;
  /** What is wrong when the rule fires. */
  readonly info: string;
  /** Why the rule exists. */
  readonly explanation: string;
  /** Practices (docs/PRACTICES.md) the rule enforces. */
  readonly practices: readonly PracticeId[];
  /** @default NagMessageLevel.ERROR */
  readonly level?: NagMessageLevel;
  /** Returns COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE for one CloudFormation resource. */
  check(node: CfnResource): NagRuleResult;
}
