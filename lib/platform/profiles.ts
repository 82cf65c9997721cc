import { Duration } from 'aws-cdk-lib';
import { CaUsageMode } from '../pki/private-certificate-authority';

/** Settings that differ between environments; pick one of PLATFORM_PROFILES or build your own. */
export interface PlatformProfile {
  /** Availability zones of the private network (2 or 3). */
  readonly availabilityZones: number;
  /** Retention of every platform log group (whole days, a finite CloudWatch Logs value: ALLOWED_RETENTION_DAYS). */
  readonly logRetention: Duration;
  /**
   * The least retention (whole days) the gate accepts for any log group of the platform
   * (Platform-LogRetentionAboveFloor); may raise the gate's 90-day floor, never lower it.
   * @default Duration.days(90)
   */
  readonly minimumLogRetention?: Duration;
  /**
   * Private CA mode. Short-lived (certificates ≤ 7 days, $50/month) suits dev and Service Connect; general purpose
   * ($400/month) issues longer-lived client certificates. Cannot be changed after the CA exists.
   */
  readonly caUsageMode: CaUsageMode;
  /** Issue from a subordinate CA under the root (one more CA to pay for; the root then only signs the subordinate). */
  readonly subordinateCa: boolean;
  /** Whether alarms must be routed to at least one subscriber (`alarmEmails`). */
  readonly requireAlarmRouting: boolean;
  /** Desired task count of each service. */
  readonly desiredCount: number;
  /**
   * Availability zones that hold each interface endpoint (1 up to availabilityZones). An endpoint costs about
   * $7.30 per AZ and month; fewer zones make AWS API access from the services depend on those zones.
   * @default - every zone of the network
   */
  readonly interfaceEndpointZones?: number;
  /**
   * What the platform may cost per month with no traffic (USD, us-east-1 list prices). The security report's
   * "Idle monthly cost" section compares the synthesized estimate with it and, when over, names the smallest set of
   * cheaper choices that keeps every control on and brings the total within it (or says none does).
   * @default - no budget
   */
  readonly idleMonthlyBudgetUsd?: number;
  /**
   * Object Lock mode of the account trail's bucket (AccountSecurityBaseline): `GOVERNANCE` lets privileged users
   * delete early, `COMPLIANCE` lets nobody.
   * @default 'COMPLIANCE'
   */
  readonly auditObjectLockMode?: 'GOVERNANCE' | 'COMPLIANCE';
  /**
   * How long every trail log file is locked (whole days, at least 90).
   * @default Duration.days(365)
   */
  readonly auditRetention?: Duration;
}

/** The names of PLATFORM_PROFILES. */
export type PlatformProfileName = 'dev' | 'prod';

/**
 * `dev`: 2 AZs (interface endpoints in one), short-lived CA, 90-day logs, $150/month idle budget, trail locked 90 days
 * (governance). `prod`: 3 AZs, general-purpose root + issuing CA, 2-year logs (at least 365 days for any log group), alarms routed, trail locked 365 days
 * (compliance).
 */
export const PLATFORM_PROFILES: Readonly<Record<PlatformProfileName, PlatformProfile>> = {
  dev: {
    availabilityZones: 2,
    logRetention: Duration.days(90),
    caUsageMode: CaUsageMode.SHORT_LIVED_CERTIFICATE,
    subordinateCa: false,
    requireAlarmRouting: false,
    desiredCount: 1,
    interfaceEndpointZones: 1,
    idleMonthlyBudgetUsd: 150,
    auditObjectLockMode: 'GOVERNANCE',
    auditRetention: Duration.days(90),
  },
  prod: {
    availabilityZones: 3,
    logRetention: Duration.days(731),
    minimumLogRetention: Duration.days(365),
    caUsageMode: CaUsageMode.GENERAL_PURPOSE,
    subordinateCa: true,
    requireAlarmRouting: true,
    desiredCount: 2,
    auditObjectLockMode: 'COMPLIANCE',
    auditRetention: Duration.days(365),
  },
};
