import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadModel, selectApi, UsageError } from './model';
import { buildReport, summarize } from './report';
import { fuzz } from './run';
import { routeKey } from '../../api/route-key';

export const TOOL = 'csm-fuzz/1';

export const HELP = `Usage: csm-fuzz --model <api-model.json> --base-url <url> [options]

Fuzzes a deployed API from its own model (cdk.out/api-model.json, written by cdk synth): per route, valid
requests from the body schemas; boundary and malformed ones (wrong types, missing and extra fields, oversized
and deeply nested bodies, Unicode, injection strings, path traversal, request smuggling, wrong content types);
and authorization probes (no token, wrong scope, expired, forged or garbage token, no API key, no client
certificate). Findings: any 5xx; a body the schema forbids answered 2xx; an authorization probe not refused
with 401/403; a refusal that is not a generic gateway body; an error body revealing internals (stack traces,
exception names, SQL, internal host names); framing the HTTP spec says to reject, accepted.

  --model <file>            api-model.json from cdk synth (required)
  --base-url <url>          where the API is served, with the stage or base path, e.g.
                            https://api.dev.example.com or https://<id>.execute-api.<region>.amazonaws.com/prod (required)
  --api <id|stage>          which API of the model (needed when it holds several)
  --exclude <"METHOD /path">  leave a route out, e.g. --exclude "DELETE /v1/orders/{id}" (repeatable)
  --token <token>           access token sent as "Authorization: Bearer"; repeat for tokens with other scopes
                            (a route uses a token carrying one of its scopes, the others probe "wrong scope").
                            Also read from the CSM_FUZZ_TOKEN environment variable (keeps it out of ps)
  --api-key <key>           API key (x-api-key); also read from CSM_FUZZ_API_KEY
  --client-cert <pem file>  client certificate for mTLS (with --client-key)
  --client-key <pem file>   its private key
  --ca-cert <pem file>      extra CA to trust for the server certificate (private endpoints, tests)
  --requests <n>            total requests, 1-100000 (default 300)
  --seed <n>                seed: the same seed sends the same requests (default: random, printed)
  --rate <r>                requests per second at most, up to 1000 (default 10)
  --time-limit <s>          stop after this many seconds in total (default 300)
  --request-timeout <s>     per request (default 10)
  --report <file>           write the JSON report (findings with their requests, secrets redacted)
  -q, --quiet               print the summary only
  -h, --help                show this help

Exit codes: 0 no findings, 1 findings, 2 usage error (or no response from --base-url at all).`;

const OPTIONS = {
  model: { type: 'string' },
  'base-url': { type: 'string' },
  api: { type: 'string' },
  exclude: { type: 'string', multiple: true },
  token: { type: 'string', multiple: true },
  'api-key': { type: 'string' },
  'client-cert': { type: 'string' },
  'client-key': { type: 'string' },
  'ca-cert': { type: 'string' },
  requests: { type: 'string' },
  seed: { type: 'string' },
  rate: { type: 'string' },
  'time-limit': { type: 'string' },
  'request-timeout': { type: 'string' },
  report: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const PROCESS_IO: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** Runs csm-fuzz with the given arguments; returns the exit code (0 no findings, 1 findings, 2 usage error). */
export async function main(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`csm-fuzz: ${e.message}`);
      io.err('Run csm-fuzz --help for the options.');
      return 2;
    }
    throw e;
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}.`);
  }
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const modelFile = required(values.model, 'model', 'pass --model cdk.out/api-model.json');
  const baseUrlText = required(values['base-url'], 'base-url', 'pass the URL the API is served at, e.g. --base-url https://api.dev.example.com');
  let baseUrl: URL;
  try {
    baseUrl = new URL(baseUrlText);
  } catch {
    throw new UsageError(`--base-url ${baseUrlText} is not a URL. Fix: use e.g. https://api.dev.example.com.`);
  }
  if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:')
    throw new UsageError(`--base-url must be http(s) (received ${baseUrl.protocol}). Fix: use https://….`);
  if (baseUrl.search || baseUrl.hash)
    throw new UsageError('--base-url must not have a query or fragment. Fix: pass only scheme, host and base path.');
  const requests = integer(values.requests, 'requests', 300, 1, 100_000);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : integer(values.seed, 'seed', 0, -(2 ** 31), 2 ** 31 - 1);
  const rate = number(values.rate, 'rate', 10, 1000);
  const timeLimitSeconds = number(values['time-limit'], 'time-limit', 300, 86_400);
  const requestTimeoutMs = number(values['request-timeout'], 'request-timeout', 10, 300) * 1000;

  const modelApi = selectApi(loadModel(modelFile), values.api);
  const routeKeys: string[] = modelApi.routes.map((r) => routeKey(r.method, r.path));
  for (const excluded of values.exclude ?? []) {
    if (!routeKeys.includes(excluded))
      throw new UsageError(`--exclude ${excluded} is not a route of ${modelApi.id}. Fix: use one of ${routeKeys.map((k) => `"${k}"`).join(', ')}.`);
  }
  const api = { ...modelApi, routes: modelApi.routes.filter((r) => !(values.exclude ?? []).includes(routeKey(r.method, r.path))) };
  if (api.routes.length === 0) throw new UsageError('--exclude left no route to fuzz. Fix: exclude fewer routes.');
  if ((values['client-cert'] === undefined) !== (values['client-key'] === undefined)) {
    throw new UsageError(
      '--client-cert and --client-key go together. Fix: pass both PEM files (csm-certs issue writes <cn>.cert.pem and <cn>.key.pem).',
    );
  }
  const clientCert = values['client-cert']
    ? { cert: readPem(values['client-cert'], 'client-cert'), key: readPem(values['client-key']!, 'client-key') }
    : undefined;
  if (api.mutualTls && !clientCert) {
    throw new UsageError(
      `the model says ${api.id} requires mutual TLS, so every request without a client certificate is refused at the handshake. Fix: pass --client-cert and --client-key (csm-certs issue).`,
    );
  }
  if (api.mutualTls && baseUrl.protocol !== 'https:')
    throw new UsageError(`${api.id} requires mutual TLS, which needs https. Fix: use an https:// --base-url.`);
  const ca = values['ca-cert'] ? readPem(values['ca-cert'], 'ca-cert') : undefined;
  const tokens = [...(values.token ?? []), ...(io.env.CSM_FUZZ_TOKEN ? [io.env.CSM_FUZZ_TOKEN] : [])].map((t) => t.trim().replace(/^Bearer\s+/i, ''));
  if (tokens.some((t) => t === '')) throw new UsageError('--token is empty. Fix: pass the access token (without "Bearer").');
  const apiKey = values['api-key'] ?? io.env.CSM_FUZZ_API_KEY;

  if (!values.quiet)
    io.out(
      `csm-fuzz: ${api.routes.length} route(s) of ${api.id}, ${requests} requests at most, ${rate}/s, ${timeLimitSeconds} s limit, seed ${seed}`,
    );
  const result = await fuzz({
    api,
    target: { baseUrl, clientCert, ca },
    tokens,
    apiKey,
    requests,
    seed,
    rate,
    timeLimitSeconds,
    requestTimeoutMs,
    userAgent: TOOL,
    onResult: values.quiet
      ? undefined
      : (c, r, findings) => {
          for (const f of findings) io.out(`  finding [${f.kind}] ${c.route} ${c.category}/${c.probe}: status ${r.status ?? r.error}`);
        },
  });

  const parsedTokens = result.tokens;
  const secrets = [
    ...parsedTokens.flatMap((t) => [{ value: t.value, label: t.label }, ...(t.parts ? [{ value: t.parts[2], label: `${t.label} signature` }] : [])]),
    ...(apiKey ? [{ value: apiKey, label: 'api-key' }] : []),
    ...(baseUrl.password ? [{ value: baseUrl.password, label: 'password' }] : []),
  ];
  const report = buildReport(result, { api, modelFile, baseUrl: baseUrl.toString(), seed, requests, rate, timeLimitSeconds, tool: TOOL, secrets });
  if (values.report) fs.writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
  io.out(summarize(report));
  if (values.report) io.out(`  report: ${values.report}`);
  if (result.outcomes.length > 0 && result.outcomes.every((o) => o.result.status === undefined)) {
    io.err(
      `csm-fuzz: no request got an HTTP response from ${report.baseUrl} (first error: ${result.outcomes[0].result.error}). Fix: check --base-url, the network path and the TLS options.`,
    );
    return 2;
  }
  return report.findings.length > 0 ? 1 : 0;
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
}

function required(value: string | undefined, name: string, fix: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required. Fix: ${fix}.`);
  return value;
}

function integer(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`--${name} ${value} is not a whole number from ${min} to ${max}. Fix: use e.g. --${name} ${fallback || 1}.`);
  return n;
}

function number(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max)
    throw new UsageError(`--${name} ${value} is not a number above 0 and at most ${max}. Fix: use e.g. --${name} ${fallback}.`);
  return n;
}

function readPem(file: string, name: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --${name} ${file}: ${(e as Error).message}. Fix: pass a PEM file.`);
  }
  if (!text.includes('-----BEGIN ')) throw new UsageError(`--${name} ${file} is not PEM. Fix: pass a PEM file (-----BEGIN …).`);
  return text;
}
