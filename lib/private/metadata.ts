/** Construct metadata type under which every explicit opt-out is recorded (read by the security report). */
export const OPT_OUT_METADATA_TYPE = 'cdk-secure-microservices:opt-out';

/** Construct metadata type recording an acknowledgement deliberately made for a whole stack (acknowledgeStackWide). */
export const STACK_WIDE_ACKNOWLEDGEMENT_METADATA_TYPE = 'cdk-secure-microservices:stack-wide-acknowledgement';

/** Construct metadata type under which each SecureFargateService records who may call it and the route's timeouts. */
export const SERVICE_CALLS_METADATA_TYPE = 'cdk-secure-microservices:service-calls';

/** What the security report shows per service about calls from other services. */
export interface ServiceCallsRecord {
  readonly service: string;
  /** Services admitted by an identity-based policy (empty: no service may call it). */
  readonly callers: string[];
  readonly mechanism: string;
  /** VPC Lattice idle timeout of the route. */
  readonly idleTimeoutSeconds?: number;
  /** Per-request deadline handed to the callers. */
  readonly requestTimeoutMs?: number;
  readonly serviceConnectIdleTimeoutSeconds: number;
  readonly healthCheck?: string;
}

/** Construct metadata type carrying the minimum log retention (days) for every log group below the construct. */
export const LOG_RETENTION_FLOOR_METADATA_TYPE = 'cdk-secure-microservices:log-retention-floor';

/** The log retention floor (days) wherever no profile raises it (P9: audit logs kept long enough). */
export const DEFAULT_LOG_RETENTION_FLOOR_DAYS = 90;
