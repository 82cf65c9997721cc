import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { applySecurityChecks, GATE_APP_CONTEXT, SecurityChecksOptions } from '../../lib/checks/apply-security-checks';
import { formatFindings, SecuritySynthResult, synthesizeWithChecks } from '../../lib/testing/synth-with-checks';

/** A fresh App writing to its own temporary directory, with the gate context the reference app uses. */
export function newApp(context: Record<string, unknown> = {}): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-test-'));
  return new App({ outdir, context, postCliContext: GATE_APP_CONTEXT });
}

/** A stack in a fresh app, env-agnostic unless `env` is given. */
export function newStack(id = 'TestStack', env?: { account: string; region: string }): Stack {
  return new Stack(newApp(), id, { env });
}

/** Synthesizes a stack's app with every security pack (or the chosen ones) and returns template + findings. */
export function synthWithGate(stack: Stack, options?: SecurityChecksOptions): SecuritySynthResult & { template: Template } {
  const app = stack.node.root as App;
  applySecurityChecks(app, options);
  const result = synthesizeWithChecks(app);
  const templatePath = result.templatePaths.find((p) => path.basename(p) === `${stack.artifactId}.template.json`);
  if (!templatePath) throw new Error(`no template for ${stack.artifactId} in ${result.assemblyDir}`);
  return { ...result, template: Template.fromJSON(JSON.parse(fs.readFileSync(templatePath, 'utf8'))) };
}

/** Asserts the gate has nothing to report; on failure, the message lists rule id and construct path. */
export function expectNoFindings(result: SecuritySynthResult): void {
  expect(formatFindings(result.findings), 'unacknowledged security findings').toBe('');
}

/** Every acknowledgement must carry a specific reason (not a placeholder). */
export function expectReasonedAcknowledgements(result: SecuritySynthResult): void {
  for (const ack of result.acknowledged) {
    expect(ack.reason.length, `reason for ${ack.acknowledgedId} at ${ack.acknowledgedAt}`).toBeGreaterThanOrEqual(20);
    expect(ack.acknowledgedId).toContain('::');
  }
}
