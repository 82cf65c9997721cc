import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';
import { STACK_WIDE_ACKNOWLEDGEMENT_METADATA_TYPE } from '../private/metadata';
import { COMPLIANCE_PACKS, SecurityPack } from '../private/packs';
import { assertReason } from '../private/reason';
import { isRoot } from '../private/recorded';

/**
 * Acknowledges one cdk-nag finding on the narrowest construct that carries it. `id` is the namespaced form the
 * CLI prints (`AwsSolutions::AwsSolutions-IAM5[Resource::*]`), so the finding and its reason land in
 * cdk.out/validation-report.json under `suppressedViolations`.
 */
export function acknowledgeFinding(scope: IConstruct, id: string, reason: string): void {
  if (!id.includes('::')) {
    throw new Error(
      `acknowledgeFinding: "${id}" is not namespaced. Fix: use the id the synth output prints, e.g. "AwsSolutions::AwsSolutions-IAM5[Resource::*]".`,
    );
  }
  assertReason(scope, `acknowledgement ${id}`, reason, 'an acknowledgement replaces a control with a reason a reviewer reads');
  if (isRoot(scope)) {
    invalidProp(
      scope,
      `acknowledgement ${id}`,
      scope.node.path,
      'an acknowledgement on an App, Stage or Stack covers every resource below it',
      'acknowledge on the construct that carries the finding, or use acknowledgeStackWide(stack, id, reason) when a stack-wide one is really meant (the security report flags it)',
    );
  }
  Validations.of(scope).acknowledge({ id, reason });
}

/** Acknowledges the same reason for several findings on one construct (one acknowledgement per id). */
export function acknowledgeFindings(scope: IConstruct, ids: readonly string[], reason: string): void {
  for (const id of ids) acknowledgeFinding(scope, id, reason);
}

/**
 * The acknowledgement ids of one rule that the compliance packs share (by default NIST 800-53 R5, PCI DSS 3.2.1 and
 * HIPAA Security; `packs` for a rule only some of them have), e.g. `S3DefaultEncryptionKMS` →
 * `NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS`, ….
 */
export function complianceFindingIds(rule: string, packs: readonly SecurityPack[] = COMPLIANCE_PACKS): string[] {
  return packs.map((pack) => `${pack}::${pack}-${rule}`);
}

/**
 * Acknowledges one finding for every resource of `stack` (nested stacks included). The gate refuses
 * acknowledgements on App, Stage and Stack roots made any other way; this one is recorded, printed on every synth
 * and listed first in the security report, so a reviewer sees it. Prefer acknowledgeFinding on the narrowest
 * construct.
 */
export function acknowledgeStackWide(stack: Stack, id: string, reason: string): void {
  if (!Stack.isStack(stack)) {
    invalidProp(
      stack,
      'acknowledgeStackWide.stack',
      (stack as IConstruct).node.path,
      'stack-wide acknowledgements go on a Stack, never on an App or Stage',
      'pass the one stack the acknowledgement is meant for',
    );
  }
  if (!id.includes('::')) {
    throw new Error(
      `acknowledgeStackWide: "${id}" is not namespaced. Fix: use the id the synth output prints, e.g. "AwsSolutions::AwsSolutions-IAM5[Resource::*]".`,
    );
  }
  assertReason(stack, `acknowledgement ${id}`, reason, 'a stack-wide acknowledgement replaces a control for every resource of the stack');
  stack.node.addMetadata(STACK_WIDE_ACKNOWLEDGEMENT_METADATA_TYPE, { id, reason });
  Validations.of(stack).acknowledge({ id, reason });
}
