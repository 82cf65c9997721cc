import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');

/** Runs the real CDK CLI (`cdk synth`) on the fixture app; resolves with exit code and output. */
function cdkSynth(secure: boolean): Promise<{ code: number | null; output: string }> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-cli-gate-'));
  const cli = path.join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'synth', '-q', '--app', `${tsx} test/fixtures/cli-gate-app.ts`, '-o', outdir], {
      cwd: root,
      env: { ...process.env, CSM_FIXTURE_SECURE: secure ? '1' : '0', CDK_DISABLE_VERSION_CHECK: '1' },
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the gate through the CDK CLI (stacks nested in a Stage)', () => {
  it('makes `cdk synth` exit non-zero and name the rule and the construct; a compliant app exits 0', async () => {
    const [insecure, secure] = await Promise.all([cdkSynth(false), cdkSynth(true)]);
    expect(insecure.code, insecure.output).not.toBe(0);
    expect(insecure.output).toContain('fixture/Logs/AuditLogs/Resource');
    expect(insecure.output).toContain('PlatformChecks::Platform-LogGroupEncryptedWithRetention');
    expect(secure.code, secure.output).toBe(0);
  });
});
