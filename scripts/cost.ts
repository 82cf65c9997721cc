// Prints the idle monthly cost of the reference app's environments, from the templates they synthesize:
//   npm run cost                          every environment in cdk.json
//   npm run cost -- -c env=dev [-c env=prod]
// Exits 1 when a synthesized resource type has no entry in the price table (the estimate would be incomplete).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { createReferenceApp } from '../bin/reference-app';
import { budgetVerdict, estimateIdleCost } from '../lib/cost/idle-cost';
import { renderIdleCostSection, stacksByStage } from '../lib/cost/report-section';
import { constructPathsByLogicalId } from '../lib/private/security-report-render';
import { readSynthesizedStacks } from '../lib/report/security-report';

const root = path.join(__dirname, '..');
const context = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')).context as Record<string, unknown>;

function requestedEnvironments(argv: readonly string[]): string[] {
  const envs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = arg === '-c' || arg === '--context' ? argv[++i] : arg.startsWith('--context=') ? arg.slice('--context='.length) : arg;
    const match = /^env=(.+)$/.exec(value ?? '');
    if (!match) {
      console.error(
        `Unknown argument "${arg}". Usage: npm run cost -- [-c env=<name>]... (environments: ${Object.keys(context.environments as object).join(', ')})`,
      );
      process.exit(2);
    }
    envs.push(match[1]);
  }
  const known = Object.keys(context.environments as object);
  for (const env of envs) {
    if (!known.includes(env)) {
      console.error(
        `Unknown environment "${env}": cdk.json defines ${known.join(', ')}. Fix: use -c env=<one of them>, or add it under "environments" in cdk.json.`,
      );
      process.exit(2);
    }
  }
  return envs.length > 0 ? envs : known;
}

let incomplete = false;
const verdicts: string[] = [];
for (const env of requestedEnvironments(process.argv.slice(2))) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-cost-'));
  try {
    const app = new App({ outdir, context: { ...context, env } });
    createReferenceApp(app, { securityChecks: false });
    app.synth();
    const stacks = readSynthesizedStacks(app);
    const paths = constructPathsByLogicalId(app);
    console.log(renderIdleCostSection(stacks, app, paths).join('\n'));
    const estimate = estimateIdleCost(stacks, paths);
    if (estimate.unpricedTypes.length > 0 || estimate.unresolved.length > 0) incomplete = true;
    for (const [stage, { stacks: stageStacks, budget, profileName }] of stacksByStage(stacks, app)) {
      verdicts.push(budgetVerdict(stage || '(app)', estimateIdleCost(stageStacks, paths), budget, { profileName }));
    }
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
// The verdicts last, where a terminal shows them: within budget, or the smallest set of choices that gets there.
console.log(['## Budget', '', ...verdicts.map((v) => `- ${v}`)].join('\n'));
process.exit(incomplete ? 1 : 0);
