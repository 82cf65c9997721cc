import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';

/**
 * The one place for prop validation: whole numbers, ranges and patterns (reasons: ./reason.ts), and the patterns
 * and limits more than one construct shares. Every check names the prop as `<method or prop>.<field>` (e.g.
 * `addRoute.method`), throws invalidProp (prop, value, problem, fix) and leaves unresolved tokens alone unless
 * told to refuse them (a token is checked by CloudFormation at deploy time).
 */

/** Service names (platform, registry, Fargate service): a DNS label short enough for the names built from it. */
export const SERVICE_NAME_MAX_LENGTH = 31;
export const SERVICE_NAME_PATTERN = new RegExp(`^[a-z][a-z0-9-]{0,${SERVICE_NAME_MAX_LENGTH - 1}}$`);
export const SERVICE_NAME_PROBLEM = `service names are lower-case letters, digits and "-", starting with a letter, at most ${SERVICE_NAME_MAX_LENGTH} characters`;

/** Environment names: lower-case letters, digits and "-", starting with a letter, at most 16 characters. */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,15}$/;

/** API versions in base paths and route prefixes: `v1` … `v999`. */
export const API_VERSION_PATTERN = /^v[1-9][0-9]{0,2}$/;

/** Fully qualified DNS names in lower case (labels of 1–63 characters, a top-level domain of letters, 253 at most). */
export const DNS_NAME_PATTERN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export interface WholeNumberRule {
  readonly min: number;
  /** @default - no upper bound */
  readonly max?: number;
  /** What is wrong, as the message states it. @default `must be a whole number from <min> to <max>` */
  readonly problem?: string;
  /** How to fix it. @default `use a whole number from <min> to <max>` */
  readonly fix?: string;
  /** Refuse unresolved tokens (for values the construct itself computes with). @default false */
  readonly refuseTokens?: boolean;
}

/** Returns `value` when it is a whole number within `rule` (or an unresolved token), else throws invalidProp. */
export function wholeNumber(scope: IConstruct, prop: string, value: number, rule: WholeNumberRule): number {
  if (Token.isUnresolved(value) && !rule.refuseTokens) return value;
  const bounds = rule.max === undefined ? `of at least ${rule.min}` : `from ${rule.min} to ${rule.max}`;
  if (Token.isUnresolved(value) || !Number.isInteger(value) || value < rule.min || (rule.max !== undefined && value > rule.max)) {
    invalidProp(scope, prop, value, rule.problem ?? `must be a whole number ${bounds}`, rule.fix ?? `use a whole number ${bounds}`);
  }
  return value;
}

/** Returns `value` when it matches `pattern` (or is an unresolved token), else throws invalidProp with `problem` and `fix`. */
export function matching(scope: IConstruct, prop: string, value: string, pattern: RegExp, problem: string, fix: string): string {
  if (!Token.isUnresolved(value) && !pattern.test(value)) invalidProp(scope, prop, value, problem, fix);
  return value;
}

/**
 * Returns the whole days of `duration` (a time span AWS counts in days: retention, expiry, waiting periods) when
 * they are within `rule`, else throws invalidProp naming the Duration as given. Fractions of a day are refused (AWS
 * has no unit for them). A Duration whose amount is an unresolved token passes as given in days
 * (`Duration.days(token)`); in another unit it cannot be converted at synth time and is refused, as is any token
 * with `refuseTokens`. `rule.problem` and `rule.fix` word the range check.
 */
export function wholeDays(scope: IConstruct, prop: string, duration: Duration, rule: WholeNumberRule): number {
  const given = duration.toString();
  const bounds = rule.max === undefined ? `of at least ${rule.min}` : `from ${rule.min} to ${rule.max}`;
  const fix = rule.fix ?? `use Duration.days(n) with n a whole number ${bounds}`;
  if (duration.isUnresolved()) {
    if (!rule.refuseTokens && duration.unitLabel() === 'days') return duration.toDays();
    invalidProp(
      scope,
      prop,
      given,
      rule.refuseTokens
        ? 'the construct needs the number of days at synth time, not a token'
        : 'a token amount converts to days only when given in days',
      rule.refuseTokens ? fix : 'use Duration.days(<token>)',
    );
  }
  const days = duration.toDays({ integral: false });
  if (!Number.isInteger(days)) {
    invalidProp(scope, prop, given, `must be a whole number of days (${duration.toHumanString()} is ${+days.toFixed(3)} days)`, fix);
  }
  if (days < rule.min || (rule.max !== undefined && days > rule.max)) {
    invalidProp(scope, prop, given, rule.problem ?? `must be a whole number of days ${bounds}`, fix);
  }
  return days;
}
