import { Duration, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';
import { wholeDays } from '../private/validation';

/** The retention periods CloudWatch Logs accepts, in days (finite values only: "never expire" is not allowed). */
export const ALLOWED_RETENTION_DAYS: readonly number[] = Object.values(logs.RetentionDays)
  .filter((v): v is number => typeof v === 'number' && v !== logs.RetentionDays.INFINITE)
  .sort((a, b) => a - b);

const ALLOWED_RETENTION_FIX = `use Duration.days(n) with n one of ${ALLOWED_RETENTION_DAYS.join(', ')}`;

/**
 * The one conversion of a log retention `Duration` into a finite `RetentionDays`, rejecting spans CloudWatch Logs
 * does not accept: fractions of a day, periods outside its fixed set, and "infinite" (which breaks the
 * audit-trail-with-finite-retention baseline). `Duration.days(token)` passes to CloudFormation unchecked.
 */
export function toRetentionDays(scope: IConstruct, prop: string, retention: Duration): logs.RetentionDays {
  const days = wholeDays(scope, prop, retention, { min: 1, fix: ALLOWED_RETENTION_FIX });
  if (!Token.isUnresolved(days) && !ALLOWED_RETENTION_DAYS.includes(days)) {
    invalidProp(scope, prop, retention.toString(), 'CloudWatch Logs accepts only a fixed set of finite retention periods', ALLOWED_RETENTION_FIX);
  }
  return days as logs.RetentionDays;
}
