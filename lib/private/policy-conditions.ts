import { asArray } from './rule-helpers';

/** Operators that restrict to the listed values (IfExists variants and negations do not: an absent key passes). */
const RESTRICTING_OPERATORS = [
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'arnequals',
  'arnlike',
  'forallvalues:stringequals',
  'foranyvalue:stringequals',
  'foranyvalue:stringlike',
];

/** Matches every condition key in restrictsBy. */
export const ANY_CONDITION_KEY: readonly string[] = [':'];

/**
 * True when `condition` restricts the statement through one of `keys` (lower-case; a key ending in `:` matches any key
 * with that prefix): a positive operator whose values are all specific. A value restricts unless it is empty, only
 * wildcards, starts with a wildcard or is an ARN whose account field is a wildcard (`StringLike kms:CallerAccount "*"`
 * looks like a condition and lets everyone in).
 */
export function restrictsBy(condition: unknown, keys: readonly string[]): boolean {
  if (!condition || typeof condition !== 'object') return false;
  return Object.entries(condition as Record<string, Record<string, unknown>>).some(
    ([operator, byKey]) =>
      RESTRICTING_OPERATORS.includes(operator.toLowerCase()) &&
      Object.entries(byKey ?? {}).some(([key, values]) => {
        const k = key.toLowerCase();
        const matches = keys.some((wanted) => (wanted === ':' ? true : wanted.endsWith(':') ? k.startsWith(wanted) : k === wanted));
        const list = asArray(values);
        return matches && list.length > 0 && list.every(isSpecificValue);
      }),
  );
}

function isSpecificValue(value: unknown): boolean {
  if (value !== null && typeof value === 'object') return true; // a CloudFormation reference: a concrete value at deploy
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  const text = String(value).trim();
  if (text === '' || /^[*?]+$/.test(text) || text.startsWith('*')) return false;
  const arn = text.split(':');
  if (arn[0] === 'arn' && arn.length >= 5 && /^[*?]*$/.test(arn[4])) return false;
  return true;
}
