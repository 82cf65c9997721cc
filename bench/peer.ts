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
import { cliSynth, fmtS, machine, median } from './run';

const ROOT = path.join(__dirname, '..');
const APPS = {
  ours: { label: 'reference app (dev), `npx cdk synth --app "node --import tsx bin/app.ts"`', app: 'node --import tsx bin/app.ts' },
  peer: { label: 'Solutions Constructs peer, `npx cdk synth --app "node --import tsx bench/peer-app.ts"`', app: 'node --import tsx bench/peer-app.ts' },
} as const;

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
  cliSynth(APPS.ours.app, {}, {});
  cliSynth(APPS.peer.app, {}, {});
  const times = { ours: [] as number[], peer: [] as number[] };
  for (let p = 0; p < pairs; p++) {
    const order: (keyof typeof APPS)[] = p % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
    for (const k of order) times[k].push(cliSynth(APPS[k].app, {}, {}));
    console.error(`pair ${p + 1}: ours ${fmtS(times.ours[p])} s, peer ${fmtS(times.peer[p])} s`);
  }
  const cell = (t: number[]) => `${fmtS(median(t))} (${fmtS(Math.min(...t))}–${fmtS(Math.max(...t))})`;
  const ratios = times.ours.map((t, p) => t / times.peer[p]);
  const body = [
    `Measured on: ${info}; load average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}.`,
    '',
    '| app | runs | median s (min–max) | every run, s |',
    '|---|---|---|---|',
    ...(['ours', 'peer'] as const).map((k) => `| ${APPS[k].label} | ${pairs} | ${cell(times[k])} | ${times[k].map(fmtS).join(', ')} |`),
    '',
    `Ratio ours/peer: **${(median(times.ours) / median(times.peer)).toFixed(2)}** (medians); per pair ${ratios.map((r) => r.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)}).`,
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
