import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { OPT_OUT_METADATA_TYPE } from '../private/metadata';
import { assertReason } from '../private/reason';

export { OPT_OUT_METADATA_TYPE };

/** An explicit decision to turn a secure default off, with the reason a reviewer will read. */
export interface SecurityOptOut {
  /** Why the control is off here. Shown in synth output and recorded in the cloud assembly. */
  readonly reason: string;
}

/**
 * Records that `control` was turned off on `scope`: validates that a real reason was given (reasonProblem, the
 * same check the gate applies to acknowledgements), prints it during synth (info annotation; the gate also prints
 * every opt-out on every synth) and stores it as construct metadata so the security report lists it.
 */
export function recordOptOut(scope: IConstruct, prop: string, control: string, optOut: SecurityOptOut): void {
  const reason = optOut?.reason;
  assertReason(scope, `${prop}.reason`, reason, `turning off "${control}" needs a reason a security reviewer can read`);
  Annotations.of(scope).addInfo(`[security opt-out] ${control}: ${reason}`);
  scope.node.addMetadata(OPT_OUT_METADATA_TYPE, { control, reason });
}
