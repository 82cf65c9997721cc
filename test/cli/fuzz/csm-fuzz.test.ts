import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpMethod } from '../../../lib/api/route-key';
import { ApiModel, ApiModelApi, buildApiModel } from '../../../lib/api/api-model';
import { main } from '../../../lib/cli/fuzz';
import type { FuzzReport } from '../../../lib/cli/fuzz';
import { apiStack, mockIntegration, OK_RESPONSE } from '../../api/fixtures';
import { ApiDouble, ApiDoubleOptions, signToken, startApiDouble } from './api-double';
import { loopbackPki } from './certificates';

const REPO = path.join(__dirname, '..', '..', '..');
const SIGNING_KEY = 'test-signing-key-0123456789';
const API_KEY = 'k3y-Abcdefghijklmnopqrstuvwxyz0123456789';
const ORDER_SCHEMA: apigw.JsonSchema = {
  type: apigw.JsonSchemaType.OBJECT,
  required: ['item', 'quantity'],
  properties: {
    item: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 64 },
    quantity: { type: apigw.JsonSchemaType.INTEGER, minimum: 1, maximum: 1000 },
    note: { type: apigw.JsonSchemaType.STRING, maxLength: 200 },
  },
  additionalProperties: false,
};

/** The model of a SecureApi with four routes, built from the constructs (as the synth plugin does). */
function modelFromConstructs(): ApiModel {
  const { stack, api } = apiStack({ stageName: 'prod' });
  const route = (method: HttpMethod, p: string, extra: Partial<Parameters<typeof api.addRoute>[0]>) =>
    api.addRoute({ version: 'v1', path: p, method, integration: mockIntegration(), methodResponses: [OK_RESPONSE], ...extra });
  route('GET', '/orders/{id}', { scopes: ['orders/read'] });
  route('POST', '/orders', { scopes: ['orders/write'], requestModel: ORDER_SCHEMA });
  route('GET', '/status', { scopes: ['status/read'], requestParameters: { 'method.request.querystring.verbose': false } });
  route('GET', '/health', { publicRoute: { reason: 'load balancer health checks carry no token' } });
  return buildApiModel(stack);
}

interface Run {
  code: number;
  out: string;
  err: string;
  report?: FuzzReport;
}

describe('csm-fuzz against a local API double', () => {
  let dir: string;
  let modelFile: string;
  let api: ApiModelApi;
  const tokens = { all: signToken(SIGNING_KEY, ['orders/read', 'orders/write', 'status/read']), readOnly: signToken(SIGNING_KEY, ['orders/read']) };
  const doubles: ApiDouble[] = [];

  async function fuzz(double: ApiDouble, extra: string[] = [], name = 'report', model = modelFile): Promise<Run> {
    const reportFile = path.join(dir, `${name}.json`);
    let out = '';
    let err = '';
    const code = await main(
      [
        '--model',
        model,
        '--base-url',
        double.url,
        '--token',
        tokens.all,
        '--token',
        tokens.readOnly,
        '--requests',
        '220',
        '--rate',
        '1000',
        '--seed',
        '7',
        '--report',
        reportFile,
        '--quiet',
        ...extra,
      ],
      {
        out: (l) => {
          out += `${l}\n`;
        },
        err: (l) => {
          err += `${l}\n`;
        },
        env: { CSM_FUZZ_API_KEY: API_KEY },
      },
    );
    return { code, out, err, report: fs.existsSync(reportFile) ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as FuzzReport) : undefined };
  }

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-fuzz-'));
    const model = modelFromConstructs();
    api = model.apis[0];
    modelFile = path.join(dir, 'api-model.json');
    fs.writeFileSync(modelFile, JSON.stringify(model));
  });

  afterAll(async () => {
    await Promise.all(doubles.map((d) => d.close()));
  });

  async function double(mode: 'correct' | 'planted', extra: Partial<ApiDoubleOptions> = {}): Promise<ApiDouble> {
    const d = await startApiDouble({ api, mode, signingKey: SIGNING_KEY, apiKey: API_KEY, ...extra });
    doubles.push(d);
    return d;
  }

  it('builds the model from the constructs: routes, scopes, body schema, API key, generic errors', () => {
    expect(api.routes.map((r) => `${r.method} ${r.path} ${r.authorization}`)).toEqual([
      'GET /v1/orders/{id} COGNITO',
      'POST /v1/orders COGNITO',
      'GET /v1/status COGNITO',
      'GET /v1/health NONE',
    ]);
    expect(api.routes[2].queryParameters).toEqual([{ name: 'verbose', required: false }]);
    expect(api.routes[1].body?.schema).toMatchObject({ $schema: 'http://json-schema.org/draft-04/schema#', required: ['item', 'quantity'] });
    expect(api).toMatchObject({ stage: null, mutualTls: false, executeApiEndpoint: true, apiKey: { required: true } });
  });

  it('correct API: exit 0, no findings, every route exercised by every kind of request', async () => {
    const d = await double('correct');
    const run = await fuzz(d, [], 'correct');
    expect(run.report?.findings, run.out).toEqual([]);
    expect(run.code).toBe(0);
    const report = run.report!;
    expect(report.sent).toBe(220);
    expect(Object.keys(report.byCategory).sort()).toEqual(['auth', 'body', 'content-type', 'header', 'parameter', 'smuggling', 'valid']);
    expect(report.routes.map((r) => [r.route, r.token, r.wrongScopeToken, r.notExercised])).toEqual([
      ['GET /v1/orders/{id}', 'token#1', null, null],
      ['POST /v1/orders', 'token#1', 'token#2', null],
      ['GET /v1/status', 'token#1', 'token#2', null],
      ['GET /v1/health', null, null, null],
    ]);
    // The valid requests got through to the service (2xx), the probes were refused by the "gateway".
    expect(report.byStatus['200']).toBeGreaterThan(10);
    expect(report.byStatus['201']).toBeGreaterThan(0);
    expect(report.byStatus['401']).toBeGreaterThan(10);
    expect(report.byStatus['403']).toBeGreaterThan(5);
    expect(report.byStatus['400']).toBeGreaterThan(10);
    for (const key of ['GET /v1/orders/{id}', 'POST /v1/orders', 'GET /v1/status', 'GET /v1/health']) expect(d.hits.get(key)).toBeGreaterThan(10);
    expect(run.out).toContain('no findings');
    expect(report.refusedValid).toBe(0);
    expect(run.out).not.toContain('warning');
  });

  it('planted bugs: exit 1 and each of the four is reported with its request and why; the same seed gives the same findings', async () => {
    const d = await double('planted');
    const first = await fuzz(d, [], 'planted-1');
    expect(first.code, first.err).toBe(1);
    const findings = first.report!.findings;
    const has = (kind: string, route: string, probe?: RegExp) =>
      findings.some((f) => f.kind === kind && f.route === route && (!probe || probe.test(f.probe)));
    expect(has('server-error', 'GET /v1/orders/{id}', /^long-path-parameter$/), 'a 500 on a long path parameter').toBe(true);
    expect(has('malformed-accepted', 'POST /v1/orders', /^missing-required:(item|quantity)$/), 'a body missing a required field accepted').toBe(true);
    expect(has('auth-not-refused', 'GET /v1/status', /^no-token$/), 'a 200 without a token').toBe(true);
    expect(has('leak', 'GET /v1/orders/{id}'), 'a stack trace in an error body').toBe(true);
    // Nothing else: every finding is one of the planted bugs.
    expect(new Set(findings.map((f) => `${f.kind} ${f.route}`))).toEqual(
      new Set([
        'server-error GET /v1/orders/{id}',
        'malformed-accepted POST /v1/orders',
        'auth-not-refused GET /v1/status',
        'leak GET /v1/orders/{id}',
      ]),
    );
    const leak = findings.find((f) => f.kind === 'leak')!;
    expect(leak.why).toMatch(/JavaScript stack trace: "at findOrder \(\/srv\/app\/orders\.js:42:13\)"/);
    const unauth = findings.find((f) => f.kind === 'auth-not-refused' && f.probe === 'no-token')!;
    expect(unauth.why).toMatch(/answered 200 to an authorization probe \(no Authorization header\)/);
    expect(unauth.request.headers).not.toHaveProperty('Authorization');
    expect(unauth.request.headers['x-api-key']).toBe('<redacted>');
    const missing = findings.find((f) => f.kind === 'malformed-accepted')!;
    expect(missing.why).toMatch(/answered 201 although the body breaks the route's schema \(body must have required property '(item|quantity)'\)/);
    expect(JSON.parse(missing.request.body!)).not.toHaveProperty(missing.probe.split(':')[1]);
    expect(first.out).toMatch(/\[server-error\] GET \/v1\/orders\/\{id\} parameter\/long-path-parameter/);

    // Secrets never reach the report: not the tokens, their signatures, nor the API key.
    const text = fs.readFileSync(path.join(dir, 'planted-1.json'), 'utf8');
    for (const secret of [tokens.all, tokens.readOnly, tokens.all.split('.')[2], API_KEY]) expect(text).not.toContain(secret);
    expect(text).toContain('<redacted:token#1>');

    const again = await fuzz(d, [], 'planted-2');
    const key = (r: FuzzReport) => r.findings.map((f) => [f.case, f.kind, f.route, f.probe, f.request.path, f.request.body]);
    expect(key(again.report!)).toEqual(key(first.report!));
    const other = await fuzz(d, ['--seed', '8'], 'planted-3');
    expect(other.code).toBe(1);
    expect(key(other.report!)).not.toEqual(key(first.report!));
  });

  it('mTLS: valid requests carry the client certificate, the no-certificate probe must fail at the handshake', async () => {
    const pki = await loopbackPki();
    const files = Object.fromEntries(
      Object.entries({ ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key }).map(([k, v]) => {
        const file = path.join(dir, `${k}.pem`);
        fs.writeFileSync(file, v);
        return [k, file];
      }),
    );
    const mtlsModel = path.join(dir, 'mtls-model.json');
    fs.writeFileSync(mtlsModel, JSON.stringify({ formatVersion: 1, generatedBy: 'cdk-secure-microservices', apis: [{ ...api, mutualTls: true }] }));
    const tlsArgs = ['--client-cert', files.cert, '--client-key', files.key, '--ca-cert', files.ca, '--requests', '60'];
    const tls = { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert };

    const enforced = await fuzz(await double('correct', { tls }), tlsArgs, 'mtls-correct', mtlsModel);
    expect(enforced.report?.findings, enforced.out).toEqual([]);
    expect(enforced.code).toBe(0);
    expect(enforced.report!.byStatus['no response']).toBe(4); // the no-client-cert probe of each route
    expect(enforced.report!.byStatus['200']).toBeGreaterThan(5);

    const optional = await fuzz(await double('correct', { tls: { ...tls, certificateOptional: true } }), tlsArgs, 'mtls-optional', mtlsModel);
    expect(optional.code).toBe(1);
    expect(optional.report!.findings.map((f) => `${f.kind} ${f.probe} ${f.route}`).sort()).toEqual([
      'auth-not-refused no-client-cert GET /v1/health',
      'auth-not-refused no-client-cert GET /v1/orders/{id}',
      'auth-not-refused no-client-cert GET /v1/status',
      'auth-not-refused no-client-cert POST /v1/orders',
    ]);
  });

  it('stays within its bounds: --requests and --time-limit', async () => {
    const d = await double('correct');
    const few = await fuzz(d, ['--requests', '5'], 'few');
    expect(few.report?.sent).toBe(5);
    expect(few.report?.stoppedBy).toBe('requests');
    const postsBefore = d.hits.get('POST /v1/orders');
    const excluded = await fuzz(d, ['--requests', '40', '--exclude', 'POST /v1/orders', '--exclude', 'GET /v1/health'], 'excluded');
    expect(excluded.report?.routes.map((r) => r.route)).toEqual(['GET /v1/orders/{id}', 'GET /v1/status']);
    expect(d.hits.get('POST /v1/orders')).toBe(postsBefore);
    const started = Date.now();
    const slow = await fuzz(d, ['--requests', '1000', '--rate', '20', '--time-limit', '0.5'], 'slow');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(slow.report?.stoppedBy).toBe('time-limit');
    expect(slow.report!.sent).toBeGreaterThan(3);
    expect(slow.report!.sent).toBeLessThanOrEqual(11);
  });

  it('the csm-fuzz entry point: --help exits 0; run as CI runs it (spawned, credentials from the environment), findings exit 1', async () => {
    let help = '';
    expect(
      await main(['--help'], {
        out: (l) => {
          help += l;
        },
        err: () => undefined,
        env: {},
      }),
    ).toBe(0);
    expect(help).toMatch(/^Usage: csm-fuzz --model <api-model\.json> --base-url <url> \[options\]/);
    const d = await double('planted');
    const child = spawn(
      'npx',
      ['tsx', 'lib/cli/csm-fuzz.ts', '--model', modelFile, '--base-url', d.url, '--requests', '40', '--rate', '1000', '--seed', '7', '--quiet'],
      { cwd: REPO, env: { ...process.env, CSM_FUZZ_TOKEN: tokens.all, CSM_FUZZ_API_KEY: API_KEY } },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, out).toBe(1);
    expect(out).toMatch(/- \[auth-not-refused\] GET \/v1\/status auth\/no-token/);
    expect(out).not.toContain(tokens.all);
  });

  it('warns when valid requests are refused (wrong credentials, throttling), so an empty result is not mistaken for a clean API', async () => {
    const d = await double('correct');
    let out = '';
    const code = await main(
      ['--model', modelFile, '--base-url', d.url, '--token', tokens.all, '--requests', '60', '--rate', '1000', '--seed', '3', '--quiet'],
      {
        out: (l) => {
          out += `${l}\n`;
        },
        err: () => undefined,
        env: { CSM_FUZZ_API_KEY: 'not-the-key' },
      },
    );
    expect(code).toBe(0);
    expect(out).toMatch(/warning: \d+ valid request\(s\) were refused \(401\/403\/429\)/);
  });

  it('usage errors exit 2 with the problem and the fix', async () => {
    const d = await double('correct');
    const usage = async (args: string[]) => {
      let err = '';
      const code = await main(args, {
        out: () => undefined,
        err: (l) => {
          err += `${l}\n`;
        },
        env: {},
      });
      return { code, err };
    };
    expect(await usage(['--base-url', d.url])).toEqual({
      code: 2,
      err: expect.stringMatching(/--model is required\. Fix: pass --model cdk\.out\/api-model\.json/),
    });
    expect(await usage(['--model', path.join(dir, 'missing.json'), '--base-url', d.url])).toEqual({
      code: 2,
      err: expect.stringMatching(/cannot read --model .*missing\.json.*Fix: run "cdk synth"/),
    });
    expect(await usage(['--model', modelFile, '--base-url', 'ftp://x'])).toEqual({
      code: 2,
      err: expect.stringMatching(/--base-url must be http\(s\)/),
    });
    expect(await usage(['--model', modelFile, '--base-url', d.url, '--requests', '0'])).toEqual({
      code: 2,
      err: expect.stringMatching(/--requests 0 is not a whole number from 1 to 100000/),
    });
    expect(await usage(['--model', modelFile, '--base-url', d.url, '--rate', 'fast'])).toEqual({
      code: 2,
      err: expect.stringMatching(/--rate fast is not a number/),
    });
    expect(await usage(['--model', modelFile, '--base-url', d.url, '--client-cert', modelFile])).toEqual({
      code: 2,
      err: expect.stringMatching(/--client-cert and --client-key go together/),
    });
    expect(await usage(['--model', modelFile, '--base-url', d.url, '--exclude', 'GET /v1/nothing'])).toEqual({
      code: 2,
      err: expect.stringMatching(/--exclude GET \/v1\/nothing is not a route of .*Fix: use one of "GET \/v1\/orders\/\{id\}"/),
    });
    expect(await usage(['--model', modelFile, '--base-url', d.url, '--bogus'])).toEqual({
      code: 2,
      err: expect.stringMatching(/Unknown option '--bogus'/),
    });
    const wrongFormat = path.join(dir, 'wrong.json');
    fs.writeFileSync(wrongFormat, JSON.stringify({ formatVersion: 99, apis: [] }));
    expect(await usage(['--model', wrongFormat, '--base-url', d.url])).toEqual({
      code: 2,
      err: expect.stringMatching(/not an api-model\.json of format version 1 \(received formatVersion 99\)/),
    });
    const mtls = path.join(dir, 'mtls.json');
    fs.writeFileSync(mtls, JSON.stringify({ formatVersion: 1, generatedBy: 'cdk-secure-microservices', apis: [{ ...api, mutualTls: true }] }));
    expect(await usage(['--model', mtls, '--base-url', d.url])).toEqual({
      code: 2,
      err: expect.stringMatching(/requires mutual TLS.*Fix: pass --client-cert and --client-key/),
    });
    // Nothing listening: no response at all is a usage problem (wrong --base-url), not "no findings".
    expect(await usage(['--model', modelFile, '--base-url', 'http://127.0.0.1:9/prod', '--requests', '2', '--rate', '1000', '--quiet'])).toEqual({
      code: 2,
      err: expect.stringMatching(/no request got an HTTP response from http:\/\/127\.0\.0\.1:9\/prod/),
    });
  });
});
