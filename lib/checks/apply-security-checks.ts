import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ApiModelPlugin } from '../api/api-model';
import { SecurityReportPlugin } from '../report/security-report';
import { PlatformChecks } from './platform-checks';
import { AcknowledgementAuditPlugin, StrictVerdictPack } from './security-gate';
import { SecurityPack } from '../private/packs';

export { SecurityPack };

/** Every pack; the default of applySecurityChecks. */
export const ALL_SECURITY_PACKS: readonly SecurityPack[] = Object.values(SecurityPack);

export interface SecurityChecksOptions {
  /**
   * Which packs to run.
   * @default ALL_SECURITY_PACKS
   */
  readonly packs?: readonly SecurityPack[];
  /**
   * Include each rule's explanation in the findings.
   * @default true
   */
  readonly verbose?: boolean;
  /**
   * Write cdk.out/security-report.md (controls, acknowledgements, opt-outs, practice map, diagram) on every synth.
   * @default true
   */
  readonly securityReport?: boolean;
  /**
   * Write cdk.out/api-model.json (and `<stage assembly>/api-model.json` per CDK Stage) on every synth: each SecureApi's
   * routes, parameters, body schemas, scopes, API key and mTLS requirements and generic error bodies, for `csm-fuzz`.
   * @default true
   */
  readonly apiModel?: boolean;
}

/**
 * The synth-time security gate: registers the cdk-nag packs and PlatformChecks as validation plugins on an
 * App or Stage, so any unacknowledged finding fails `cdk synth` whatever its severity (each pack is wrapped in a
 * StrictVerdictPack), plus the SecurityGate audit of every acknowledgement and opt-out (AcknowledgementAuditPlugin).
 * The report lands in cdk.out/validation-report.json, with acknowledged findings and their reasons under
 * `suppressedViolations`.
 *
 * @returns the registered packs (tests can call `pack.validateScope(scope)` on them)
 */
export function applySecurityChecks(scope: IConstruct, options: SecurityChecksOptions = {}): StrictVerdictPack[] {
  const packs = options.packs ?? ALL_SECURITY_PACKS;
  const unknown = packs.filter((p) => !ALL_SECURITY_PACKS.includes(p));
  if (unknown.length > 0) {
    throw new Error(
      `applySecurityChecks: unknown pack(s) ${unknown.join(', ')}. Fix: use values of SecurityPack (${ALL_SECURITY_PACKS.join(', ')}).`,
    );
  }
  if (packs.length === 0) {
    throw new Error(
      'applySecurityChecks: packs is empty, which would turn the security gate off. Fix: omit packs to run all of them, or name at least one SecurityPack.',
    );
  }
  const props = { verbose: options.verbose ?? true };
  const plugins = [...new Set(packs)].map((pack) => new StrictVerdictPack(createPack(pack, scope, props)));
  Validations.of(scope).addPlugins(...plugins, new AcknowledgementAuditPlugin(scope));
  if (options.securityReport ?? true) {
    const rules = plugins.flatMap((p) => (p.pack instanceof PlatformChecks ? p.pack.rules : []));
    Validations.of(scope).addPlugins(new SecurityReportPlugin({ packs: plugins.map((p) => p.name), rules }));
  }
  if (options.apiModel ?? true) Validations.of(scope).addPlugins(new ApiModelPlugin());
  return plugins;
}

function createPack(pack: SecurityPack, scope: IConstruct, props: { verbose: boolean }): NagPack {
  switch (pack) {
    case SecurityPack.AWS_SOLUTIONS:
      return new AwsSolutionsChecks(scope, props);
    case SecurityPack.SERVERLESS:
      return new ServerlessChecks(scope, props);
    case SecurityPack.NIST_800_53_R5:
      return new NIST80053R5Checks(scope, props);
    case SecurityPack.PCI_DSS_321:
      return new PCIDSS321Checks(scope, props);
    case SecurityPack.HIPAA_SECURITY:
      return new HIPAASecurityChecks(scope, props);
    case SecurityPack.PLATFORM:
      return new PlatformChecks(scope, props);
  }
}

/**
 * Context for `new App({ postCliContext: GATE_APP_CONTEXT })`. The CDK CLI leaves validation reporting to itself
 * and only looks at the stacks it selected, so findings in stacks nested in Stages would not fail
 * `cdk synth`; with this the app reports every finding itself and exits non-zero.
 */
export const GATE_APP_CONTEXT: Readonly<Record<string, boolean>> = {
  '@aws-cdk/core:failSynthOnValidationErrors': true,
};
