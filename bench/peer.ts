/**
 * End-to-end synth of the reference app against its Solutions Constructs peer (issue #19): `npm run bench:peer
 * [-- --pairs 5] [-- --write]`. Each pair runs `cdk synth` of the reference app (bin/app.ts, cdk.json context, env dev,
 * every pack, the gate audit, the security report and the API model) and of bench/peer-app.ts (the same services from
 * Solutions Constructs, the five cdk-nag packs), each a new process as a user runs it (CLI, `node --import tsx`,
 * aws-cdk-lib loading, synth, packs), alternating which goes first so a load change hits both. Prints the medians
 * and the ratio ours/peer; `--write` replaces the peer section of BENCHMARKS.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fmtS, machine, median } from './run';

const ROOT = path.join(__dirname, '..');
const APPS = {
  ours: { label: 'reference app (dev), `npx cdk synth --app "node --import tsx bin/app.ts"`', app: 'node --import tsx bin/app.ts' },
  peer: {
    label: 'Solutions Constructs peer, `npx cdk synth --app "node --import tsx bench/peer-app.ts"`',
    app: 'node --import tsx bench/peer-app.ts',
  },
} as const;

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
  // One untimed run of each: fills the OS file cache so the first timed run is not the only one reading from disk.
  synth(APPS.ours.app);
  synth(APPS.peer.app);
  const runs = { ours: [] as Run[], peer: [] as Run[] };
  for (let p = 0; p < pairs; p++) {
    const order: (keyof typeof APPS)[] = p % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
    for (const k of order) runs[k].push(synth(APPS[k].app));
    const show = (r: Run) => `${fmtS(r.wallMs)} s${r.cpuMs === undefined ? '' : ` (CPU ${fmtS(r.cpuMs)} s)`}`;
    console.error(`pair ${p + 1}: ours ${show(runs.ours[p])}, peer ${show(runs.peer[p])}`);
  }
  const wall = { ours: runs.ours.map((r) => r.wallMs), peer: runs.peer.map((r) => r.wallMs) };
  const hasCpu = [...runs.ours, ...runs.peer].every((r) => r.cpuMs !== undefined);
  const cpu = { ours: runs.ours.map((r) => r.cpuMs ?? 0), peer: runs.peer.map((r) => r.cpuMs ?? 0) };
  const cell = (t: number[]) => `${fmtS(median(t))} (${fmtS(Math.min(...t))}–${fmtS(Math.max(...t))})`;
  const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
  const pairRatios = wall.ours.map((t, p) => t / wall.peer[p]);
  const body = [
    `Measured on: ${info}; load average at end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}.`,
    '',
    `| app | runs | wall, median s (min–max) | every run, wall s |${hasCpu ? ' CPU user + system, median s (min–max) |' : ''}`,
    `|---|---|---|---|${hasCpu ? '---|' : ''}`,
    ...(['ours', 'peer'] as const).map(
      (k) => `| ${APPS[k].label} | ${pairs} | ${cell(wall[k])} | ${wall[k].map(fmtS).join(', ')} |${hasCpu ? ` ${cell(cpu[k])} |` : ''}`,
    ),
    '',
    `Ratio ours/peer, wall: **${ratio(wall.ours, wall.peer)}** (medians), ${(Math.min(...wall.ours) / Math.min(...wall.peer)).toFixed(2)} (minimums); per pair ${pairRatios.map((r) => r.toFixed(2)).join(', ')} (median ${median(pairRatios).toFixed(2)}).${hasCpu ? ` CPU: **${ratio(cpu.ours, cpu.peer)}** (medians), ${(Math.min(...cpu.ours) / Math.min(...cpu.peer)).toFixed(2)} (minimums).` : ''}`,
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
