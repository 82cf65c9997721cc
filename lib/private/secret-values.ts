/**
 * Recognizes credentials passed by value (environment variables, ...): URLs with user:password, well-known key
 * formats and long high-entropy strings. Returns what it looks like, or undefined.
 */
const KNOWN_SECRETS: readonly [RegExp, string][] = [
  [/[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, 'a URL with user:password'],
  [/\b(sk|rk|pk)_(live|test)_[0-9a-zA-Z]{8,}/, 'a Stripe API key'],
  [/\b(AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\b(ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{20,}|\bgithub_pat_[0-9A-Za-z_]{20,}/, 'a GitHub token'],
  [/\bxox[abposr]-[0-9A-Za-z-]{10,}/, 'a Slack token'],
  [/\bglpat-[0-9A-Za-z_-]{20,}/, 'a GitLab token'],
  [/\bnpm_[0-9A-Za-z]{36}\b/, 'an npm token'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\beyJ[0-9A-Za-z_-]{10,}\.eyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]+/, 'a JSON web token'],
];

/** Runs this long of base64/hex-like characters are judged by their entropy. */
const MIN_RANDOM_LENGTH = 24;
/** Shannon entropy (bits per character) above which such a run reads as a random secret, not a word or a hash. */
const MIN_RANDOM_ENTROPY = 4.0;

export function secretLikeValue(value: string): string | undefined {
  for (const [pattern, what] of KNOWN_SECRETS) if (pattern.test(value)) return what;
  for (const run of value.match(new RegExp(`[A-Za-z0-9+/=_-]{${MIN_RANDOM_LENGTH},}`, 'g')) ?? []) {
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((c) => c.test(run)).length;
    if (classes === 3 && entropy(run) >= MIN_RANDOM_ENTROPY)
      return `a long random string (${run.length} characters, ${entropy(run).toFixed(1)} bits each)`;
  }
  return undefined;
}

function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  return [...counts.values()].reduce((h, n) => h - (n / text.length) * Math.log2(n / text.length), 0);
}
