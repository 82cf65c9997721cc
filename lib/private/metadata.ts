/** Construct metadata type under which every explicit opt-out is recorded (read by the security report). */
export const OPT_OUT_METADATA_TYPE = 'cdk-secure-microservices:opt-out';
