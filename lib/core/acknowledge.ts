import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on the narrowest construct that carries it. `id` is the namespaced form the
 * CLI prints (`AwsSolutions::AwsSolutions-IAM5[Resource::*]`), so the finding and its reason land in
 * cdk.out/validation-report.json under `suppressedViolations`.
 */
export function acknowledgeFinding(scope: IConstruct, id: string, reason: string): void {
  if (!id.includes('::')) {
    throw new Error(`acknowledgeFinding: "${id}" is not namespaced. Fix: use the id the synth output prints, e.g. "AwsSolutions::AwsSolutions-IAM5[Resource::*]".`);
  }
  if (reason.trim().length < 20) {
    throw new Error(`acknowledgeFinding: the reason for ${id} on ${scope.node.path} is too short ("${reason}"). Fix: say why the finding cannot be fixed here.`);
  }
  Validations.of(scope).acknowledge({ id, reason });
}

/** Acknowledges the same reason for several findings on one construct (one acknowledgement per id). */
export function acknowledgeFindings(scope: IConstruct, ids: readonly string[], reason: string): void {
  for (const id of ids) acknowledgeFinding(scope, id, reason);
}

/**
 * The acknowledgement ids of one rule that the NIST 800-53 R5, PCI DSS 3.2.1 and HIPAA Security packs share
 * (e.g. `S3DefaultEncryptionKMS` → `NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS`, …).
 */
export function complianceFindingIds(rule: string): string[] {
  return ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'].map((pack) => `${pack}::${pack}-${rule}`);
}
