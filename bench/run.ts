/**
 * Synth benchmark of the platform (issue #7): `npm run bench [-- --write] [-- --sizes 1,10] [-- --runs 3]`.
 *
 * Scenarios: the reference app (bin/reference-app.ts with cdk.json context, env dev) and a dev platform with mTLS of
 * 1, 10, 50, 100 and 300 services, each with the security gate on (all six packs + report plugin) and synth-only (no
 * packs). Service i (1-based) of a generated platform: one GET route `/v1/svc-i` with scope
 * `domain-<⌈i/40⌉>/svc-i.read` (scope groups of 40 services), one machine client, a table when i % 3 === 0, a bucket
 * when i % 5 === 0 (the service mix in BENCHMARKS.md). Every platform's account-quota use is checked against
 * QUOTA_TARGETS: the bench fails when one is passed.
 *
 * Wall time is construct building plus `app.synth()` (templates, assets, validation), the median of N runs in this
 * process after warm-up runs. Sizes come from the synthesized templates (bytes as written by the CDK, which is
 * what CloudFormation receives from the asset bucket).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { App } from 'aws-cdk-lib';
import { createReferenceApp } from '../bin/reference-app';
import { applySecurityChecks, GATE_APP_CONTEXT } from '../lib/checks/apply-security-checks';
import { findTemplates, synthesizeWithChecks } from '../lib/testing/synth-with-checks';
import { buildScalePlatform } from './scale-platform';

export { buildScalePlatform, SERVICES_PER_SCOPE_GROUP } from './scale-platform';

const ROOT = path.join(__dirname, '..');
const CONTEXT = (JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** CloudFormation quotas checked per stack (BENCHMARKS.md cites the sources). */
export const CFN_LIMITS = { resources: 500, templateBytes: 1_000_000, outputs: 200, parameters: 200 } as const;

export interface StackMetrics {
  /** Template file name without `.template.json`. */
  readonly name: string;
  readonly nested: boolean;
  readonly resources: number;
  readonly bytes: number;
  readonly outputs: number;
  readonly parameters: number;
}

/** Resource, output and parameter counts and size of every template of a cloud assembly (nested stages included). */
export function measureTemplates(assemblyDir: string): StackMetrics[] {
  return findTemplates(assemblyDir).map((file) => {
    const body = fs.readFileSync(file, 'utf8');
    const template = JSON.parse(body) as Record<string, Record<string, unknown> | undefined>;
    const base = path.basename(file, '.template.json');
    return {
      name: base,
      nested: base.endsWith('.nested'),
      resources: Object.keys(template.Resources ?? {}).length,
      bytes: Buffer.byteLength(body),
      outputs: Object.keys(template.Outputs ?? {}).length,
      parameters: Object.keys(template.Parameters ?? {}).length,
    };
  });
}

/**
 * Account quotas (default values, per account and Region) a platform must fit, and the share of each the platform
 * may use: its own rules, links and roles leave the rest of the account room (BENCHMARKS.md cites the sources).
 */
export const QUOTA_TARGETS = {
  /** Cognito resource servers per user pool (default 25). */
  resourceServers: 25,
  /** EventBridge rules on the default bus (default 300): the platform may use a third. */
  eventRules: 100,
  /** API Gateway REST VPC links (default 20). */
  vpcLinks: 20,
  /** IAM roles per account (default 1,000). */
  iamRoles: 1000,
} as const;

export type QuotaUsage = { -readonly [K in keyof typeof QUOTA_TARGETS]: number } & {
  resources: number;
  /** API Gateway resources of the REST API, the root included (300 per API by default, adjustable; not a target). */
  apiResources: number;
};

/** What a synthesized platform uses of each account quota in QUOTA_TARGETS, over every template (nested included). */
export function quotaUsage(assemblyDir: string): QuotaUsage {
  const types = findTemplates(assemblyDir).flatMap((file) =>
    Object.values((JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources?: Record<string, { Type: string }> }).Resources ?? {}).map((r) => r.Type),
  );
  const count = (type: string) => types.filter((t) => t === type).length;
  return {
    resourceServers: count('AWS::Cognito::UserPoolResourceServer'),
    eventRules: count('AWS::Events::Rule'),
    vpcLinks: count('AWS::ApiGateway::VpcLink'),
    iamRoles: count('AWS::IAM::Role'),
    resources: types.filter((t) => t !== 'AWS::CloudFormation::Stack').length,
    apiResources: count('AWS::ApiGateway::Resource') + count('AWS::ApiGateway::RestApi'),
  };
}

/** The quotas in QUOTA_TARGETS that `usage` passes (empty when it fits). */
export function quotasPassed(usage: QuotaUsage): string[] {
  return (Object.keys(QUOTA_TARGETS) as (keyof typeof QUOTA_TARGETS)[])
    .filter((k) => usage[k] > QUOTA_TARGETS[k])
    .map((k) => `${k} ${usage[k]} > ${QUOTA_TARGETS[k]}`);
}

interface Scenario {
  readonly label: string;
  readonly services: number;
  readonly gate: boolean;
  readonly runs: number;
  readonly build: (app: App) => void;
}

interface Result {
  readonly scenario: Scenario;
  readonly times: number[];
  readonly stacks: StackMetrics[];
  readonly findings: number;
  readonly usage: QuotaUsage;
}

function newApp(context: Record<string, unknown>): App {
  return new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'csm-bench-')), context, postCliContext: GATE_APP_CONTEXT });
}

function runOnce(scenario: Scenario): { ms: number; stacks: StackMetrics[]; findings: number; usage: QuotaUsage } {
  const reference = scenario.services === 0;
  const app = newApp(reference ? { ...CONTEXT, env: 'dev' } : {});
  const start = performance.now();
  scenario.build(app);
  let findings = 0;
  if (scenario.gate) {
    if (!reference) applySecurityChecks(app);
    findings = synthesizeWithChecks(app).findings.length;
  } else {
    app.synth({ force: true });
  }
  const ms = performance.now() - start;
  const stacks = measureTemplates(app.outdir);
  const usage = quotaUsage(app.outdir);
  fs.rmSync(app.outdir, { recursive: true, force: true });
  return { ms, stacks, findings, usage };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function runsFor(services: number, override?: number): number {
  if (override) return override;
  if (services >= 300) return 2;
  if (services >= 50) return 3;
  return 5;
}

function scenarios(sizes: number[], runsOverride?: number, gates: boolean[] = [false, true]): Scenario[] {
  const out: Scenario[] = [];
  for (const gate of gates) {
    out.push({
      label: 'reference app (dev)',
      services: 0,
      gate,
      runs: runsFor(2, runsOverride),
      build: (app) => {
        createReferenceApp(app, { securityChecks: gate });
      },
    });
    for (const n of sizes) {
      out.push({
        label: `platform, ${n} service${n === 1 ? '' : 's'}`,
        services: n,
        gate,
        runs: runsFor(n, runsOverride),
        build: (app) => {
          buildScalePlatform(app, n);
        },
      });
    }
  }
  return out;
}

export const fmtS = (ms: number): string => (ms / 1000).toFixed(2);
const fmtKb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

function summaryTable(results: Result[]): string {
  const rows = [
    '| scenario | gate | runs | median s (min–max) | stacks | parent resources | max nested resources | total resources | largest template | max outputs | max parameters | findings |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const parent = r.stacks.filter((s) => !s.nested);
    const nested = r.stacks.filter((s) => s.nested);
    const largest = r.stacks.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    rows.push(
      `| ${r.scenario.label} | ${r.scenario.gate ? 'on' : 'off'} | ${r.times.length} | ${fmtS(median(r.times))} (${fmtS(Math.min(...r.times))}–${fmtS(Math.max(...r.times))}) | ${r.stacks.length} (${nested.length} nested) | ${parent.map((s) => s.resources).join(', ')} | ${nested.length ? Math.max(...nested.map((s) => s.resources)) : '–'} | ${r.stacks.reduce((a, s) => a + s.resources, 0)} | ${fmtKb(largest.bytes)} (${largest.nested ? 'nested' : 'parent'}) | ${Math.max(...r.stacks.map((s) => s.outputs))} | ${Math.max(...r.stacks.map((s) => s.parameters))} | ${r.scenario.gate ? r.findings : '–'} |`,
    );
  }
  return rows.join('\n');
}

/** Services-per-resource target of the bench mix (issue #19), checked from 100 services on (the base dominates below). */
export const MAX_RESOURCES_PER_SERVICE = 25;

function quotaTable(results: Result[]): string {
  const rows = [
    `| scenario | resources (per service) | Cognito resource servers (≤ ${QUOTA_TARGETS.resourceServers}) | EventBridge rules (≤ ${QUOTA_TARGETS.eventRules}) | REST VPC links (≤ ${QUOTA_TARGETS.vpcLinks}) | IAM roles (≤ ${QUOTA_TARGETS.iamRoles}) | API Gateway resources (300 by default, adjustable; not checked) |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const u = r.usage;
    rows.push(
      `| ${r.scenario.label} | ${u.resources.toLocaleString('en-US')}${r.scenario.services ? ` (${(u.resources / r.scenario.services).toFixed(1)})` : ''} | ${u.resourceServers} | ${u.eventRules} | ${u.vpcLinks} | ${u.iamRoles} | ${u.apiResources} |`,
    );
  }
  return rows.join('\n');
}

/** What a result breaks of the issue's "done when": CloudFormation limits, account quotas, resources per service. */
function violations(r: Result): string[] {
  const out = r.stacks
    .filter(
      (s) =>
        s.resources > CFN_LIMITS.resources ||
        s.bytes > CFN_LIMITS.templateBytes ||
        s.outputs > CFN_LIMITS.outputs ||
        s.parameters > CFN_LIMITS.parameters,
    )
    .map((s) => `${s.name} over a CloudFormation limit (${s.resources} resources, ${s.bytes} bytes)`);
  out.push(...quotasPassed(r.usage));
  if (r.scenario.services >= 100 && r.usage.resources / r.scenario.services > MAX_RESOURCES_PER_SERVICE) {
    out.push(`${(r.usage.resources / r.scenario.services).toFixed(1)} resources per service > ${MAX_RESOURCES_PER_SERVICE}`);
  }
  if (r.scenario.gate && r.findings > 0) out.push(`${r.findings} unacknowledged findings`);
  return out.map((v) => `${r.scenario.label} (gate ${r.scenario.gate ? 'on' : 'off'}): ${v}`);
}

function stackTable(result: Result): string {
  const rows = ['| stack | resources | bytes | outputs | parameters |', '|---|---|---|---|---|'];
  for (const s of result.stacks) rows.push(`| ${s.name} | ${s.resources} | ${s.bytes.toLocaleString('en-US')} | ${s.outputs} | ${s.parameters} |`);
  return rows.join('\n');
}

/** The 1/5/15-minute load averages, as "a / b / c". */
const loadAverages = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

export function machine(): string {
  const cpus = os.cpus();
  return `node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}, load average at start (1/5/15 min) ${loadAverages()}, ${new Date().toISOString()}`;
}

/** The "Measured on" line of a bench section: the machine as it was at the start (`machine()`) and the load at the end. */
export function measuredOn(info: string): string {
  return `Measured on: ${info}; load average at end ${loadAverages()}.`;
}

/** One end-to-end `cdk synth` as a user runs it: a new process (CLI, the compiled app, aws-cdk-lib loading, synth, every pack). */
function cliSynth(app: string | undefined, context: Record<string, string>, env: Record<string, string>): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-bench-cli-'));
  const args = [
    'synth',
    '--quiet',
    '--output',
    outdir,
    ...(app ? ['--app', app] : []),
    ...Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
  const start = performance.now();
  const run = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  const ms = performance.now() - start;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`cdk ${args.join(' ')} failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  return ms;
}

interface CliScenario {
  readonly label: string;
  readonly app?: string;
  readonly context: Record<string, string>;
}

/** End-to-end `cdk synth` times, alternating the default (CI) and the fast inner-loop mode (CDK_VALIDATION=false). */
function cliTable(sizes: number[], runs: number): string {
  const scenarios: CliScenario[] = [
    { label: 'reference app (dev): `npx cdk synth`', context: {} },
    ...sizes.map((n) => ({
      label: `platform, ${n} services: \`npx cdk synth --app "node scripts/run-app.mjs bench/scale-app.ts" -c services=${n}\``,
      app: 'node scripts/run-app.mjs bench/scale-app.ts',
      context: { services: String(n) },
    })),
  ];
  const rows = ['| app | runs | everything on (CI), median s (min–max) | `CDK_VALIDATION=false`, median s (min–max) |', '|---|---|---|---|'];
  for (const scenario of scenarios) {
    const full: number[] = [];
    const fast: number[] = [];
    for (let i = 0; i < runs; i++) {
      full.push(cliSynth(scenario.app, scenario.context, {}));
      fast.push(cliSynth(scenario.app, scenario.context, { CDK_VALIDATION: 'false' }));
    }
    console.error(`cli ${scenario.label}: ${full.map(fmtS).join(', ')} s; fast ${fast.map(fmtS).join(', ')} s`);
    const cell = (t: number[]) => `${fmtS(median(t))} (${fmtS(Math.min(...t))}–${fmtS(Math.max(...t))})`;
    rows.push(`| ${scenario.label} | ${runs} | ${cell(full)} | ${cell(fast)} |`);
  }
  return rows.join('\n');
}

function parseArgs(argv: string[]): { write: boolean; sizes: number[]; runs?: number; gates: boolean[]; cliSizes: number[]; cliRuns: number } {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = (value('--sizes') ?? '1,10,50,100,300').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--sizes takes whole numbers ≥ 1, e.g. 1,10,50,100 (received "${value('--sizes')}")`);
  const runs = value('--runs') ? Number(value('--runs')) : undefined;
  const gate = value('--gate');
  const gates = gate === 'on' ? [true] : gate === 'off' ? [false] : [false, true];
  const cliSizes = (value('--cli-sizes') ?? '300').split(',').filter(Boolean).map(Number);
  const cliRuns = Number(value('--cli-runs') ?? 2);
  return { write: argv.includes('--write'), sizes, runs, gates, cliSizes, cliRuns };
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const info = machine();
  console.log(`# Synth benchmark\n\n${info}\n`);
  // Warm-up (not counted): the first synth of each kind of app loads and compiles most of aws-cdk-lib (~2.5 s).
  runOnce({
    label: 'warm-up',
    services: 0,
    gate: false,
    runs: 1,
    build: (app) => {
      createReferenceApp(app, { securityChecks: false });
    },
  });
  runOnce({
    label: 'warm-up',
    services: 1,
    gate: false,
    runs: 1,
    build: (app) => {
      buildScalePlatform(app, 1);
    },
  });
  const results: Result[] = [];
  for (const scenario of scenarios(args.sizes, args.runs, args.gates)) {
    const times: number[] = [];
    let last: { stacks: StackMetrics[]; findings: number; usage: QuotaUsage } | undefined;
    for (let i = 0; i < scenario.runs; i++) {
      const run = runOnce(scenario);
      times.push(run.ms);
      last = run;
    }
    results.push({ scenario, times, stacks: last!.stacks, findings: last!.findings, usage: last!.usage });
    console.error(`${scenario.label}, gate ${scenario.gate ? 'on' : 'off'}: ${times.map(fmtS).join(', ')} s`);
  }
  const detailed = results.filter((r) => !r.scenario.gate || args.gates.length === 1);
  const largest = detailed.reduce((a, b) => (b.scenario.services > a.scenario.services ? b : a));
  const reference = detailed.find((r) => r.scenario.services === 0)!;
  const broken = results.flatMap(violations);
  const cli = args.cliRuns > 0 ? cliTable(args.cliSizes, args.cliRuns) : '';
  const body = [
    measuredOn(info),
    '',
    summaryTable(results),
    '',
    broken.length
      ? `**Over a limit:** ${broken.join('; ')}`
      : `Every check passed: no stack is over 500 resources, 1,000,000 template bytes, 200 outputs or 200 parameters; every platform fits the account quotas below; from 100 services on, at most ${MAX_RESOURCES_PER_SERVICE} resources per service; no unacknowledged finding.`,
    '',
    "Account quotas used (defaults per account and Region; the EventBridge target is a third of the default bus's 300 rules):",
    '',
    quotaTable(detailed.filter((r) => r.scenario.services > 0)),
    '',
    ...(cli
      ? [
          'End to end, `cdk synth` as a user runs it (a new process each time: CLI, the compiled app, aws-cdk-lib, synth, every pack), alternating the default and the fast mode:',
          '',
          cli,
          '',
        ]
      : []),
    `Per stack, ${reference.scenario.label}:`,
    '',
    stackTable(reference),
    '',
    `Per stack, ${largest.scenario.label}:`,
    '',
    stackTable(largest),
  ].join('\n');
  console.log(body);
  if (args.write) {
    const file = path.join(ROOT, 'BENCHMARKS.md');
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
    if (!current.includes(START) || !current.includes(END)) throw new Error(`BENCHMARKS.md has no ${START} … ${END} section to replace`);
    fs.writeFileSync(file, `${current.slice(0, current.indexOf(START) + START.length)}\n${body}\n${current.slice(current.indexOf(END))}`);
    console.error(`updated ${file}`);
  }
  if (broken.length > 0) {
    console.error(`FAILED: ${broken.join('; ')}`);
    process.exitCode = 1;
  }
}

if (require.main === module) main();
