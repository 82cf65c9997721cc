/**
 * End-to-end synth of the reference app against its Solutions Constructs peer (issue #19): `npm run bench:peer
 * [-- --pairs 5] [-- --write]`. Each round runs `cdk synth` of the reference app (cdk.json's `app`: bin/app.ts
 * compiled by scripts/run-app.mjs, cdk.json context, env dev, every pack, the gate audit, the security report and the
 * API model, aws-cdk-lib's template validation), of bench/peer-app.ts under tsx (the same services from Solutions
 * Constructs, the five cdk-nag packs) and of the same peer compiled like ours, each a new process as a user runs it
 * (CLI, Node, module loading, synth, packs), rotating which goes first so a load change hits all three. Prints the
 * medians and the ratios; `--write` replaces the peer section of BENCHMARKS.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fmtS, machine, measuredOn, median } from './run';

const ROOT = path.join(__dirname, '..');
/** What `npx cdk synth` runs for the reference app: cdk.json's `app` command, as a user gets it. */
const OUR_APP = (JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { app: string }).app;
const APPS = {
  ours: { label: `reference app (dev), \`npx cdk synth\` (cdk.json: \`${OUR_APP}\`)`, app: OUR_APP },
  peer: {
    label: 'Solutions Constructs peer, `npx cdk synth --app "node --import tsx bench/peer-app.ts"`',
    app: 'node --import tsx bench/peer-app.ts',
  },
  // The peer's entry compiled by the same runner as ours (no TypeScript loader at all): what is left is the work.
  peerJs: {
    label: 'the same peer compiled like ours, `npx cdk synth --app "node scripts/run-app.mjs bench/peer-app.ts"`',
    app: 'node scripts/run-app.mjs bench/peer-app.ts',
  },
} as const;
type AppName = keyof typeof APPS;
const NAMES = Object.keys(APPS) as AppName[];

/** GNU time, when installed: CPU seconds (user + system) of the whole process tree, far less sensitive to load than wall time. */
const GNU_TIME = '/usr/bin/time';

interface Run {
  readonly wallMs: number;
  readonly cpuMs?: number;
}

/** One `cdk synth` of `app` as a user runs it (a new CLI process), into a fresh output directory. */
function synth(app: string): Run {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-bench-peer-'));
  const cpuFile = path.join(outdir, 'cpu.txt');
  const cdk = [path.join(ROOT, 'node_modules', '.bin', 'cdk'), 'synth', '--quiet', '--output', path.join(outdir, 'cdk.out'), '--app', app];
  const withTime = fs.existsSync(GNU_TIME);
  const [command, ...args] = withTime ? [GNU_TIME, '-f', '%U %S', '-o', cpuFile, ...cdk] : cdk;
  const start = performance.now();
  const run = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  const wallMs = performance.now() - start;
  const cpu = withTime && fs.existsSync(cpuFile) ? fs.readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number) : undefined;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`cdk synth --app "${app}" failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  return { wallMs, cpuMs: cpu && cpu.every(Number.isFinite) ? (cpu[0] + cpu[1]) * 1000 : undefined };
}

const START = '<!-- bench-peer:start -->';
const END = '<!-- bench-peer:end -->';

function main(): void {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--pairs');
  const pairs = i >= 0 ? Number(argv[i + 1]) : 5;
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`--pairs takes a whole number ≥ 1 (received "${argv[i + 1]}")`);
  const info = machine();
  console.error(info);
  // One untimed run of each: fills the OS file cache (and builds the compiled apps) so no timed run is the first.
  for (const k of NAMES) synth(APPS[k].app);
  const runs = Object.fromEntries(NAMES.map((k) => [k, [] as Run[]])) as Record<AppName, Run[]>;
  for (let p = 0; p < pairs; p++) {
    // Round p starts with app p mod 3 (ours, peer, compiled peer, then peer, compiled peer, ours, ...): a load
    // change hits every app alike; pair i of ours and the peer alternates which of the two goes first.
    const order = NAMES.map((_, i) => NAMES[(p + i) % NAMES.length]);
    for (const k of order) runs[k].push(synth(APPS[k].app));
    const show = (r: Run) => `${fmtS(r.wallMs)} s${r.cpuMs === undefined ? '' : ` (CPU ${fmtS(r.cpuMs)} s)`}`;
    console.error(`round ${p + 1}: ${NAMES.map((k) => `${k} ${show(runs[k][p])}`).join(', ')}`);
  }
  const wall = Object.fromEntries(NAMES.map((k) => [k, runs[k].map((r) => r.wallMs)])) as Record<AppName, number[]>;
  const hasCpu = NAMES.every((k) => runs[k].every((r) => r.cpuMs !== undefined));
  const cpu = Object.fromEntries(NAMES.map((k) => [k, runs[k].map((r) => r.cpuMs ?? 0)])) as Record<AppName, number[]>;
  const cell = (t: number[]) => `${fmtS(median(t))} (${fmtS(Math.min(...t))}–${fmtS(Math.max(...t))})`;
  const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
  const pairRatios = (other: AppName) => wall.ours.map((t, p) => t / wall[other][p]);
  const ratioLine = (other: AppName, name: string) =>
    `Ratio ours/${name}, wall: **${ratio(wall.ours, wall[other])}** (medians), ${(Math.min(...wall.ours) / Math.min(...wall[other])).toFixed(2)} (minimums); per round ${pairRatios(
      other,
    )
      .map((r) => r.toFixed(2))
      .join(
        ', ',
      )} (median ${median(pairRatios(other)).toFixed(2)}).${hasCpu ? ` CPU: **${ratio(cpu.ours, cpu[other])}** (medians), ${(Math.min(...cpu.ours) / Math.min(...cpu[other])).toFixed(2)} (minimums).` : ''}`;
  const body = [
    measuredOn(info),
    '',
    `| app | runs | wall, median s (min–max) | every run, wall s |${hasCpu ? ' CPU user + system, median s (min–max) |' : ''}`,
    `|---|---|---|---|${hasCpu ? '---|' : ''}`,
    ...NAMES.map((k) => `| ${APPS[k].label} | ${pairs} | ${cell(wall[k])} | ${wall[k].map(fmtS).join(', ')} |${hasCpu ? ` ${cell(cpu[k])} |` : ''}`),
    '',
    ratioLine('peer', 'peer'),
    '',
    ratioLine('peerJs', 'compiled peer'),
  ].join('\n');
  console.log(body);
  if (argv.includes('--write')) {
    const file = path.join(ROOT, 'BENCHMARKS.md');
    const current = fs.readFileSync(file, 'utf8');
    if (!current.includes(START) || !current.includes(END)) throw new Error(`BENCHMARKS.md has no ${START} … ${END} section to replace`);
    fs.writeFileSync(file, `${current.slice(0, current.indexOf(START) + START.length)}\n${body}\n${current.slice(current.indexOf(END))}`);
    console.error(`updated ${file}`);
  }
}

main();
