import { Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';

/** The retention periods CloudWatch Logs accepts, in days (finite values only: "never expire" is not allowed). */
export const ALLOWED_RETENTION_DAYS: readonly number[] = Object.values(logs.RetentionDays)
  .filter((v): v is number => typeof v === 'number' && v !== logs.RetentionDays.INFINITE)
  .sort((a, b) => a - b);

/**
 * Turns a day count into a finite `RetentionDays`, rejecting values CloudWatch Logs does not accept
 * (and "infinite", which breaks the audit-trail-with-finite-retention baseline).
 */
export function toRetentionDays(scope: IConstruct, prop: string, days: number): logs.RetentionDays {
  if (Token.isUnresolved(days)) return days as logs.RetentionDays;
  if (!ALLOWED_RETENTION_DAYS.includes(days)) {
    invalidProp(
      scope,
      prop,
      days,
      'CloudWatch Logs accepts only a fixed set of finite retention periods',
      `use one of ${ALLOWED_RETENTION_DAYS.join(', ')} (days)`,
    );
  }
  return days as logs.RetentionDays;
}
