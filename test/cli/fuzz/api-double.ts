import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import Ajv from 'ajv-draft-04';
import type { ApiModelApi, ApiModelRoute } from '../../../lib/api/api-model';

/**
 * A local stand-in for a deployed SecureApi and its services, driven by the api-model: it answers like API Gateway
 * (API key, then token and scopes, then request validation, generic error bodies, security headers) and like a
 * small orders service behind it. `planted` mode adds four bugs a fuzzer must find:
 *  - GET /v1/orders/{id} answers 500 when the id is longer than 100 characters;
 *  - POST /v1/orders accepts a body missing a required field (validation ignores `required`);
 *  - GET /v1/status answers 200 without any token;
 *  - the 404 of GET /v1/orders/{id} carries a stack trace.
 */
export interface ApiDoubleOptions {
  readonly api: ApiModelApi;
  readonly mode: 'correct' | 'planted';
  /** HMAC key the double's "user pool" signs tokens with (HS256). */
  readonly signingKey: string;
  readonly apiKey: string;
  /**
   * Serve HTTPS and require a client certificate signed by `ca` (mTLS). With `certificateOptional` (a planted bug)
   * the handshake also completes without one and the request is served.
   */
  readonly tls?: { readonly key: string; readonly cert: string; readonly ca: string; readonly certificateOptional?: boolean };
}

export interface ApiDouble {
  readonly url: string;
  /** Requests answered, by route key (`GET /v1/orders/{id}`) or `unmatched`. */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

/** Signs an access token the double accepts (scopes space-separated, like Cognito's `scope` claim). */
export function signToken(signingKey: string, scopes: string[], expiresInSeconds = 3600): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'billing-service', client_id: 'billing-service', token_use: 'access', scope: scopes.join(' '), exp: Math.floor(Date.now() / 1000) + expiresInSeconds })}`;
  return `${head}.${crypto.createHmac('sha256', signingKey).update(head).digest('base64url')}`;
}

const SECURITY_HEADERS = {
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
};
const MAX_BODY = 10 * 1024 * 1024;

export async function startApiDouble(options: ApiDoubleOptions): Promise<ApiDouble> {
  const ajv = new Ajv({ strict: false, validateFormats: false, logger: false });
  const validators = new Map(
    options.api.routes
      .filter((r) => r.body)
      .map((r) => {
        const schema = { ...r.body!.schema };
        if (options.mode === 'planted' && r.method === 'POST' && r.path === '/v1/orders') delete schema.required;
        return [r, ajv.compile(schema)] as const;
      }),
  );
  const hits = new Map<string, number>();
  let requestCount = 0;

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...SECURITY_HEADERS });
        res.end(JSON.stringify(body));
      };
      const generic = (status: number, message: string) => answer(status, { message, requestId: `req-${++requestCount}` });
      const url = new URL(req.url ?? '/', 'http://double');
      const match = matchRoute(options.api.routes, req.method ?? '', url.pathname);
      hits.set(
        match ? `${match.route.method} ${match.route.path}` : 'unmatched',
        (hits.get(match ? `${match.route.method} ${match.route.path}` : 'unmatched') ?? 0) + 1,
      );
      if (!match) return generic(403, 'Forbidden'); // MISSING_AUTHENTICATION_TOKEN, as API Gateway answers unknown routes
      if (match.params === undefined) return generic(400, 'Invalid request');
      const { route, params } = match;
      const key = `${route.method} ${route.path}`;
      if (size > MAX_BODY) return generic(413, 'Request rejected');
      if (route.apiKeyRequired && req.headers['x-api-key'] !== options.apiKey) return generic(403, 'Request rejected');
      const plantedOpenRoute = options.mode === 'planted' && key === 'GET /v1/status';
      if (route.authorization !== 'NONE' && !plantedOpenRoute) {
        const claims = verify(req.headers.authorization, options.signingKey);
        if (!claims) return generic(401, 'Unauthorized');
        const scopes = String(claims.scope ?? '').split(' ');
        if (!route.scopes.some((s) => scopes.includes(s))) return generic(403, 'Forbidden');
      }
      for (const q of route.queryParameters) if (q.required && !url.searchParams.has(q.name)) return generic(400, 'Invalid request');
      let body: unknown;
      if (route.body) {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        const charset = /charset=([^;]+)/i
          .exec(req.headers['content-type'] ?? '')?.[1]
          ?.trim()
          .toLowerCase();
        // The service accepts JSON only (API Gateway validates only the content types that have a model).
        if (type !== 'application/json' || (charset && charset !== 'utf-8')) return generic(415, 'Request rejected');
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return generic(400, 'Invalid request');
        }
        if (!validators.get(route)!(body)) return generic(400, 'Invalid request');
      }
      return service(key, params, body, answer, generic, options.mode);
    });
  };

  const server = options.tls
    ? https.createServer(
        { key: options.tls.key, cert: options.tls.cert, ca: options.tls.ca, requestCert: true, rejectUnauthorized: !options.tls.certificateOptional },
        handler,
      )
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/prod`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The orders service behind the gateway. */
function service(
  key: string,
  params: Record<string, string>,
  body: unknown,
  answer: (s: number, b: unknown) => void,
  generic: (s: number, m: string) => void,
  mode: ApiDoubleOptions['mode'],
): void {
  switch (key) {
    case 'GET /v1/orders/{id}': {
      const id = params.id;
      if (mode === 'planted' && id.length > 100) return generic(500, 'Internal error');
      if (/^[A-Za-z0-9-]{1,64}$/.test(id)) return answer(200, { id, item: 'book', quantity: 1 });
      if (mode === 'planted') {
        return answer(404, {
          message: 'Not found',
          detail:
            'Error: order lookup failed\n    at findOrder (/srv/app/orders.js:42:13)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
        });
      }
      return answer(404, { message: 'Not found' });
    }
    case 'POST /v1/orders':
      return answer(201, { id: 'o-1', ...(body as object) });
    case 'GET /v1/status':
      return answer(200, { status: 'ok' });
    case 'GET /v1/health':
      return answer(200, { healthy: true });
    default:
      return generic(404, 'Not found');
  }
}

/** Matches a request to a route; `params` undefined when a path parameter cannot be decoded. */
function matchRoute(
  routes: readonly ApiModelRoute[],
  method: string,
  pathname: string,
): { route: ApiModelRoute; params?: Record<string, string> } | undefined {
  const prefix = '/prod';
  if (!pathname.startsWith(`${prefix}/`)) return undefined;
  const segments = pathname.slice(prefix.length).split('/').slice(1);
  for (const route of routes.filter((r) => r.method === method)) {
    const pattern = route.path.split('/').slice(1);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    let decodable = true;
    pattern.forEach((p, i) => {
      if (p.startsWith('{')) {
        if (segments[i] === '') ok = false;
        try {
          params[p.slice(1, -1)] = decodeURIComponent(segments[i]);
        } catch {
          decodable = false;
        }
      } else if (p !== segments[i]) {
        ok = false;
      }
    });
    if (ok) return { route, params: decodable ? params : undefined };
  }
  return undefined;
}

function verify(header: string | undefined, key: string): Record<string, unknown> | undefined {
  const token = /^Bearer ([^\s]+)$/.exec(header ?? '')?.[1];
  const parts = token?.split('.');
  if (!parts || parts.length !== 3) return undefined;
  try {
    const head = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: string };
    if (head.alg !== 'HS256') return undefined;
    const expected = crypto.createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
