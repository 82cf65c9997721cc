import type { ApiModelRoute } from '../../api/api-model';

/** An access token given with --token: its scopes when it is a JWT (read, not verified: the API verifies). */
export interface TokenInfo {
  readonly value: string;
  /** `token#1`, `token#2`, … (how reports name it). */
  readonly label: string;
  /** Header, payload and signature segments of a JWT. */
  readonly parts?: readonly [string, string, string];
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Scopes of a JWT (`scope` or `scp` claim); undefined for opaque tokens (assumed to carry every scope). */
  readonly scopes?: readonly string[];
}

export function parseToken(value: string, index: number): TokenInfo {
  const label = `token#${index + 1}`;
  const parts = value.split('.');
  if (parts.length !== 3) return { value, label };
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    if (!claims || typeof claims !== 'object') return { value, label };
    const raw = claims.scope ?? claims.scp;
    const scopes = typeof raw === 'string' ? raw.split(/\s+/).filter(Boolean) : Array.isArray(raw) ? raw.map(String) : [];
    return { value, label, parts: [parts[0], parts[1], parts[2]], claims, scopes };
  } catch {
    return { value, label };
  }
}

/** Whether the token carries one of the route's scopes (public routes need none; opaque tokens are assumed to). */
export function covers(token: TokenInfo, route: ApiModelRoute): boolean {
  if (route.authorization === 'NONE' || token.scopes === undefined) return true;
  return route.scopes.some((s) => token.scopes!.includes(s));
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token (`alg: none`) with the given token's claims (or made-up ones), the scopes and a far expiry. */
export function forgeAlgNone(token: TokenInfo | undefined, scopes: readonly string[]): string {
  const claims = {
    ...(token?.claims ?? { sub: 'csm-fuzz', token_use: 'access', client_id: 'csm-fuzz' }),
    scope: scopes.join(' '),
    exp: 4_102_444_800,
  };
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** The token with some claims changed and its original signature (which therefore no longer matches). */
export function withClaims(token: TokenInfo, claims: Record<string, unknown>): string {
  const [header, , signature] = token.parts!;
  return `${header}.${b64({ ...token.claims, ...claims })}.${signature}`;
}
