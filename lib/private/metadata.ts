/** Construct metadata type under which every explicit opt-out is recorded (read by the security report). */
export const OPT_OUT_METADATA_TYPE = 'cdk-secure-microservices:opt-out';

/** Construct metadata type recording an acknowledgement deliberately made for a whole stack (acknowledgeStackWide). */
export const STACK_WIDE_ACKNOWLEDGEMENT_METADATA_TYPE = 'cdk-secure-microservices:stack-wide-acknowledgement';
