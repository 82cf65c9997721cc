import { Annotations, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';
import { OPT_OUT_METADATA_TYPE } from '../private/metadata';

export { OPT_OUT_METADATA_TYPE };

/** An explicit decision to turn a secure default off, with the reason a reviewer will read. */
export interface SecurityOptOut {
  /** Why the control is off here. Shown in synth output and recorded in the cloud assembly. */
  readonly reason: string;
}

const MIN_REASON_LENGTH = 10;

/**
 * Records that `control` was turned off on `scope`: validates that a real reason was given, prints it
 * during synth (info annotation) and stores it as construct metadata so the security report lists it.
 */
export function recordOptOut(scope: IConstruct, prop: string, control: string, optOut: SecurityOptOut): void {
  const reason = optOut.reason;
  if (!Token.isUnresolved(reason) && (typeof reason !== 'string' || reason.trim().length < MIN_REASON_LENGTH)) {
    invalidProp(
      scope,
      `${prop}.reason`,
      reason,
      `turning off "${control}" needs a reason a security reviewer can read`,
      `give a reason of at least ${MIN_REASON_LENGTH} characters explaining why this control is not needed here`,
    );
  }
  Annotations.of(scope).addInfo(`[security opt-out] ${control}: ${reason}`);
  scope.node.addMetadata(OPT_OUT_METADATA_TYPE, { control, reason });
}
