import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';
import { lintCollectedTemplates } from './cfn-lint';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Directory where `expectCfnLintClean` records templates; the global teardown lints them all in one pass. */
    cfnLintQueue: string;
  }
}

/**
 * Rebuilds the Lambda bundles once before the suite so tests always synth the current handler code, and collects
 * the templates tests hand to `expectCfnLintClean`: cfn-lint runs once over all of them at the end (one Python
 * start per core instead of one per test file), and a finding fails the run with the test that produced it.
 */
export default function setup(project: TestProject): () => Promise<void> {
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'bundle-handlers.mjs')], { stdio: 'inherit' });
  const queue = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-cfn-lint-'));
  project.provide('cfnLintQueue', queue);
  return async () => {
    try {
      await lintCollectedTemplates(queue);
    } finally {
      fs.rmSync(queue, { recursive: true, force: true });
    }
  };
}
