import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { FuzzRequest } from './generate';

/** Where requests go and with which TLS material. */
export interface Target {
  readonly baseUrl: URL;
  /** PEM client certificate and key (mTLS). */
  readonly clientCert?: { readonly cert: string; readonly key: string };
  /** Extra PEM CA certificates to trust for the server certificate. */
  readonly ca?: string;
}

/** What came back: a response, or why none did. */
export interface HttpResult {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** The body, at most MAX_BODY bytes of it (utf8). */
  readonly body?: string;
  /** Status lines seen on a raw connection (more than one: the request was split). */
  readonly responses?: number;
  readonly error?: string;
  readonly durationMs: number;
}

const MAX_BODY = 64 * 1024;

/** Sends one request on a fresh connection (no keep-alive, so one probe cannot affect the next). */
export function send(target: Target, request: FuzzRequest, timeoutMs: number): Promise<HttpResult> {
  return request.raw ? sendRaw(target, request, timeoutMs) : sendHttp(target, request, timeoutMs);
}

function fullPath(target: Target, path: string): string {
  return `${target.baseUrl.pathname.replace(/\/+$/, '')}${path}`;
}

const contexts = new WeakMap<Target, Map<boolean, tls.SecureContext>>();

/** TLS options with a secure context built once per target (building one per connection costs ~80 ms). */
function tlsOptions(target: Target, withCert: boolean): tls.ConnectionOptions {
  let byCert = contexts.get(target);
  if (!byCert) contexts.set(target, (byCert = new Map()));
  let secureContext = byCert.get(withCert);
  if (!secureContext) {
    secureContext = tls.createSecureContext({
      ca: target.ca ? [...tls.rootCertificates, target.ca] : undefined,
      ...(withCert && target.clientCert ? { cert: target.clientCert.cert, key: target.clientCert.key } : {}),
    });
    byCert.set(withCert, secureContext);
  }
  return { servername: net.isIP(target.baseUrl.hostname) ? undefined : target.baseUrl.hostname, secureContext };
}

function port(target: Target): number {
  return Number(target.baseUrl.port || (target.baseUrl.protocol === 'https:' ? 443 : 80));
}

function sendHttp(target: Target, request: FuzzRequest, timeoutMs: number): Promise<HttpResult> {
  const started = Date.now();
  const secure = target.baseUrl.protocol === 'https:';
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: Omit<HttpResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, durationMs: Date.now() - started });
    };
    const options: https.RequestOptions = {
      hostname: target.baseUrl.hostname,
      port: port(target),
      method: request.method,
      path: fullPath(target, request.path),
      headers: request.body !== undefined ? { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body)) } : request.headers,
      agent: false,
      timeout: timeoutMs,
      ...(secure ? tlsOptions(target, request.clientCert) : {}),
    };
    let req: http.ClientRequest;
    try {
      req = (secure ? https : http).request(options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY) chunks.push(chunk);
          size += chunk.length;
          if (size >= MAX_BODY) res.destroy();
        });
        const finish = () =>
          done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8') });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      });
    } catch (e) {
      done({ error: `request not sent: ${(e as Error).message}` });
      return;
    }
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    });
    req.on('error', (e: NodeJS.ErrnoException) => done({ error: e.code ? `${e.code}: ${e.message}` : e.message }));
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}

function sendRaw(target: Target, request: FuzzRequest, timeoutMs: number): Promise<HttpResult> {
  const started = Date.now();
  const raw = request.raw!;
  const keep = Object.entries(request.headers).filter(([k]) => !/^(content-type|content-length|transfer-encoding|host|connection)$/i.test(k));
  const head = [
    `${request.method} ${fullPath(target, request.path)} HTTP/1.1`,
    `Host: ${target.baseUrl.host}`,
    ...keep.map(([k, v]) => `${k}: ${v}`),
    'Content-Type: application/json',
    ...raw.headerLines,
    'Connection: close',
  ].join('\r\n');
  const payload = `${head}\r\n\r\n${raw.body}`;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const text = Buffer.concat(chunks).subarray(0, MAX_BODY).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)];
      const status = statuses.length ? Number(statuses[0][1]) : undefined;
      const bodyStart = text.indexOf('\r\n\r\n');
      resolve({
        status,
        body: bodyStart >= 0 ? text.slice(bodyStart + 4) : undefined,
        responses: statuses.length,
        error: status === undefined ? (error ?? 'connection closed without a response') : undefined,
        durationMs: Date.now() - started,
      });
    };
    const socket: net.Socket =
      target.baseUrl.protocol === 'https:'
        ? tls.connect({ host: target.baseUrl.hostname, port: port(target), ...tlsOptions(target, request.clientCert) }, () => socket.write(payload))
        : net.connect({ host: target.baseUrl.hostname, port: port(target) }, () => socket.write(payload));
    socket.setTimeout(timeoutMs, () => finish(`no answer within ${timeoutMs} ms`));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (e: NodeJS.ErrnoException) => finish(e.code ? `${e.code}: ${e.message}` : e.message));
  });
}
