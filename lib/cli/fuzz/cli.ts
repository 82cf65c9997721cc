import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadModel, selectApi, UsageError } from './model';
import { buildReport, summarize } from './report';
import { fuzz, FuzzRun } from './run';
import type { Target } from './http';
import type { ApiModelApi } from '../../api/api-model';
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

type Values = ReturnType<typeof parse>['values'];

/** What the arguments ask for, checked: one run of the fuzzer and where its report goes. */
interface RunSettings {
  readonly modelFile: string;
  readonly baseUrl: URL;
  readonly limits: Limits;
  readonly api: ApiModelApi;
  readonly target: Target;
  readonly tokens: string[];
  readonly apiKey?: string;
  readonly quiet: boolean;
  readonly report?: string;
}

interface Limits {
  readonly requests: number;
  readonly seed: number;
  readonly rate: number;
  readonly timeLimitSeconds: number;
  readonly requestTimeoutMs: number;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let values: Values;
  try {
    values = parse(argv).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}.`);
  }
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const settings = settle(values, io.env);
  const { api, limits } = settings;
  if (!settings.quiet)
    io.out(
      `csm-fuzz: ${api.routes.length} route(s) of ${api.id}, ${limits.requests} requests at most, ${limits.rate}/s, ${limits.timeLimitSeconds} s limit, seed ${limits.seed}`,
    );
  const result = await fuzz({
    api,
    target: settings.target,
    tokens: settings.tokens,
    apiKey: settings.apiKey,
    ...limits,
    userAgent: TOOL,
    onResult: settings.quiet
      ? undefined
      : (c, r, findings) => {
          for (const f of findings) io.out(`  finding [${f.kind}] ${c.route} ${c.category}/${c.probe}: status ${r.status ?? r.error}`);
        },
  });
  return finish(settings, result, io);
}

/** Checks the options in the order a user fixes them (required ones first), reading the model and the PEM files. */
function settle(values: Values, env: CliIo['env']): RunSettings {
  const modelFile = required(values.model, 'model', 'pass --model cdk.out/api-model.json');
  const baseUrl = baseUrlOption(values['base-url']);
  const limits = limitOptions(values);
  const api = selectRoutes(modelFile, values);
  const target = targetOptions(values, api, baseUrl);
  const tokens = [...(values.token ?? []), ...(env.CSM_FUZZ_TOKEN ? [env.CSM_FUZZ_TOKEN] : [])].map((t) => t.trim().replace(/^Bearer\s+/i, ''));
  if (tokens.some((t) => t === '')) throw new UsageError('--token is empty. Fix: pass the access token (without "Bearer").');
  const apiKey = values['api-key'] ?? env.CSM_FUZZ_API_KEY;
  return { modelFile, baseUrl, limits, api, target, tokens, apiKey, quiet: values.quiet ?? false, report: values.report };
}

function baseUrlOption(value: string | undefined): URL {
  const baseUrlText = required(value, 'base-url', 'pass the URL the API is served at, e.g. --base-url https://api.dev.example.com');
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
  return baseUrl;
}

function limitOptions(values: Values): Limits {
  return {
    requests: integer(values.requests, 'requests', 300, 1, 100_000),
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : integer(values.seed, 'seed', 0, -(2 ** 31), 2 ** 31 - 1),
    rate: number(values.rate, 'rate', 10, 1000),
    timeLimitSeconds: number(values['time-limit'], 'time-limit', 300, 86_400),
    requestTimeoutMs: number(values['request-timeout'], 'request-timeout', 10, 300) * 1000,
  };
}

/** The selected API of the model without the `--exclude`d routes. */
function selectRoutes(modelFile: string, values: Values): ApiModelApi {
  const modelApi = selectApi(loadModel(modelFile), values.api);
  const routeKeys: string[] = modelApi.routes.map((r) => routeKey(r.method, r.path));
  for (const excluded of values.exclude ?? []) {
    if (!routeKeys.includes(excluded))
      throw new UsageError(`--exclude ${excluded} is not a route of ${modelApi.id}. Fix: use one of ${routeKeys.map((k) => `"${k}"`).join(', ')}.`);
  }
  const api = { ...modelApi, routes: modelApi.routes.filter((r) => !(values.exclude ?? []).includes(routeKey(r.method, r.path))) };
  if (api.routes.length === 0) throw new UsageError('--exclude left no route to fuzz. Fix: exclude fewer routes.');
  return api;
}

/** Where requests go and with which TLS material (a client certificate when the API requires mutual TLS). */
function targetOptions(values: Values, api: ApiModelApi, baseUrl: URL): Target {
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
  return { baseUrl, clientCert, ca };
}

/** Writes the report and the summary; the exit code: 2 when nothing answered at all, 1 with findings, else 0. */
function finish(settings: RunSettings, result: FuzzRun, io: CliIo): number {
  const { api, modelFile, baseUrl, limits, apiKey } = settings;
  const secrets = [
    ...result.tokens.flatMap((t) => [{ value: t.value, label: t.label }, ...(t.parts ? [{ value: t.parts[2], label: `${t.label} signature` }] : [])]),
    ...(apiKey ? [{ value: apiKey, label: 'api-key' }] : []),
    ...(baseUrl.password ? [{ value: baseUrl.password, label: 'password' }] : []),
  ];
  const { seed, requests, rate, timeLimitSeconds } = limits;
  const report = buildReport(result, { api, modelFile, baseUrl: baseUrl.toString(), seed, requests, rate, timeLimitSeconds, tool: TOOL, secrets });
  if (settings.report) fs.writeFileSync(settings.report, `${JSON.stringify(report, null, 2)}\n`);
  io.out(summarize(report));
  if (settings.report) io.out(`  report: ${settings.report}`);
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
