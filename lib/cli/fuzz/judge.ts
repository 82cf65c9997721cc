import type { ApiModelApi } from '../../api/api-model';
import { LEAK_PATTERNS } from './corpus';
import type { FuzzCase } from './generate';
import type { HttpResult } from './http';

export type FindingKind =
  'server-error' | 'malformed-accepted' | 'auth-not-refused' | 'error-body-not-generic' | 'leak' | 'framing-accepted' | 'desync';

export interface Finding {
  readonly kind: FindingKind;
  /** Why this response is a finding. */
  readonly why: string;
}

/** Judges one response against the model; returns what is wrong with it (nothing when all is well). */
export function judge(c: FuzzCase, result: HttpResult, api: ApiModelApi): Finding[] {
  const findings: Finding[] = [];
  const status = result.status;
  if (status === undefined) {
    // No HTTP response: a refused TLS handshake answers a certificate probe; a closed connection rejects bad framing.
    return findings;
  }
  if (status >= 500) {
    findings.push({
      kind: 'server-error',
      why: `answered ${status}: ${c.description} broke something behind the gateway (a 5xx is never the right answer to a client's request)`,
    });
  }
  if (c.expect.mustRefuse && status !== 401 && status !== 403) {
    findings.push({
      kind: 'auth-not-refused',
      why: `answered ${status} to an authorization probe (${c.description}); it must be refused with 401 or 403`,
    });
  } else if (c.expect.mustRefuse && !isGeneric(result.body, api)) {
    findings.push({
      kind: 'error-body-not-generic',
      why: `refused with a body that is not one of the gateway's generic error bodies (${api.errorResponses
        .map((r) => JSON.stringify(r.body.message))
        .filter(unique)
        .join(', ')}): the refusal did not come from the gateway`,
    });
  }
  if (c.expect.invalidPerModel && status >= 200 && status < 300) {
    findings.push({ kind: 'malformed-accepted', why: `answered ${status} although ${c.expect.invalidPerModel}` });
  }
  if (c.expect.mustReject && status < 400) {
    findings.push({
      kind: 'framing-accepted',
      why: `answered ${status} to malformed framing (${c.description}); it must be rejected with 400 or the connection closed`,
    });
  }
  if (c.expect.detectDesync && (result.responses ?? 0) > 1) {
    findings.push({
      kind: 'desync',
      why: `${result.responses} responses came back for one request (${c.description}): the request was split, so requests can be smuggled past the gateway's checks`,
    });
  }
  if (status >= 400) {
    const leak = findLeak(result.body ?? '', c.sent, api.internalDomains);
    if (leak) findings.push({ kind: 'leak', why: `the ${status} error body reveals internals (${leak.what}: ${JSON.stringify(leak.match)})` });
  }
  return findings;
}

/** The first sign of internals in a body (request echoes removed first: repeating the input back is no leak). */
export function findLeak(body: string, sent: readonly string[], internalDomains: readonly string[]): { what: string; match: string } | undefined {
  let text = body;
  for (const s of sent) {
    if (s.length < 2) continue;
    for (const form of [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]) text = text.split(form).join(' ');
  }
  const patterns = [
    ...LEAK_PATTERNS,
    ...internalDomains.map((d) => ({
      what: 'internal host name',
      pattern: new RegExp(`\\b[\\w.-]*${d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i'),
    })),
  ];
  for (const { what, pattern } of patterns) {
    const m = pattern.exec(text);
    if (m) return { what, match: m[0].slice(0, 120) };
  }
  return undefined;
}

function isGeneric(body: string | undefined, api: ApiModelApi): boolean {
  if (body === undefined || body.trim() === '') return true;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return api.errorResponses.some((r) => r.body.message === parsed.message);
  } catch {
    return false;
  }
}

function unique<T>(v: T, i: number, all: T[]): boolean {
  return all.indexOf(v) === i;
}
