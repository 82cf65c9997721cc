import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';

/**
 * The one check every reason goes through: acknowledgements of findings (any API), opt-outs of secure defaults
 * and public routes. A reason is what a security reviewer reads instead of the control, so it must say something.
 */

/** Fewest characters a reason may have (after trimming). */
export const MIN_REASON_LENGTH = 20;
/** Fewest distinct real words (two or more letters, at least one vowel) a reason may have. */
export const MIN_REASON_WORDS = 4;

/** What a reviewer is told to write when a reason is refused. */
export const REASON_FIX = `write at least ${MIN_REASON_WORDS} different words (${MIN_REASON_LENGTH}+ characters) saying why the control is not needed here and what limits the exposure`;

const PLACEHOLDER =
  /^(todo|tbd|fixme|n\/?a|none|legacy|test(ing)?|ignored?|suppress(ed)?|ok(ay)?|false positive|not needed|no reason|because|whatever|temp(orary)?|wip)$/i;
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’_-]*/gu;
const REAL_WORD = /^(?=(?:.*\p{L}){2})(?=.*[aeiouyAEIOUY\u00C0-\u024F]).*$/u;
/** Five or more of one non-space, non-digit character in a row: "xxxxx", ".....", "-----". */
const REPEATED_CHARACTER = /([^\s\p{N}])\1{4,}/u;

/**
 * Why `reason` is not a reason a reviewer can check, or undefined when it is one. Refused: non-strings, fewer than
 * MIN_REASON_LENGTH characters, fewer than MIN_REASON_WORDS distinct real words, runs of one repeated character
 * and placeholders ("legacy", "todo", "n/a", …).
 */
export function reasonProblem(reason: unknown): string | undefined {
  if (typeof reason !== 'string') return 'a reason must be a string';
  const text = reason.trim();
  if (PLACEHOLDER.test(text)) return `"${text}" is a placeholder, not a reason`;
  if (text.length < MIN_REASON_LENGTH) return `the reason has ${text.length} characters, fewer than ${MIN_REASON_LENGTH}`;
  if (REPEATED_CHARACTER.test(text)) return 'the reason repeats one character, which reads as filler';
  const words = new Set((text.match(WORD) ?? []).filter((w) => REAL_WORD.test(w)).map((w) => w.toLowerCase()));
  if (words.size < MIN_REASON_WORDS) return `the reason has ${words.size} distinct word(s), fewer than ${MIN_REASON_WORDS}`;
  return undefined;
}

/** Throws invalidProp (prop, value, problem, fix) unless `reason` passes reasonProblem; tokens cannot be judged and are refused. */
export function assertReason(scope: IConstruct, prop: string, reason: unknown, why: string): void {
  const problem = typeof reason === 'string' && Token.isUnresolved(reason) ? 'a reason must be literal text, not a token' : reasonProblem(reason);
  if (problem) invalidProp(scope, prop, reason, `${why}: ${problem}`, REASON_FIX);
}
