import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isCfnLintAvailable, runCfnLintAsync } from '../../lib/testing/cfn-lint';

/**
 * cfn-lint checks we ignore, each with the reason. Keep this list short.
 * - W3005: "DependsOn already enforced by a Ref/GetAtt" — CDK adds explicit DependsOn next to references.
 */
export const CFN_LINT_IGNORED_CHECKS: readonly string[] = ['W3005'];

/**
 * cfn-lint is part of the machine image. Under CI=true its absence is a failure; elsewhere the lint test is
 * skipped with a clear message. Returns whether to run the lint.
 */
export function requireCfnLint(): boolean {
  if (isCfnLintAvailable()) return true;
  if (process.env.CI === 'true') {
    throw new Error('cfn-lint is not on PATH but CI=true: the machine image must provide it (pip install cfn-lint).');
  }
  console.warn('SKIPPED cfn-lint checks: cfn-lint is not on PATH (install it with "pip install cfn-lint" to run them).');
  return false;
}

/** One `expectCfnLintClean` call waiting for the end-of-run lint. */
interface QueuedTemplates {
  readonly test: string;
  readonly templatePaths: readonly string[];
}

/** Records templates for the end-of-run lint (see test/support/global-setup.ts). */
export function queueForCfnLint(queue: string, test: string, templatePaths: readonly string[]): void {
  const record: QueuedTemplates = { test, templatePaths };
  fs.writeFileSync(path.join(queue, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`), JSON.stringify(record));
}

/**
 * Lints every template recorded in `queue` once (identical templates once in all), over one cfn-lint process per
 * core, and throws with each finding and the tests whose templates have it.
 */
export async function lintCollectedTemplates(queue: string): Promise<void> {
  const records = fs
    .readdirSync(queue)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(queue, f), 'utf8')) as QueuedTemplates);
  if (records.length === 0 || !requireCfnLint()) return;
  const byContent = new Map<string, { path: string; tests: Set<string> }>();
  for (const record of records) {
    for (const file of record.templatePaths) {
      const hash = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      const entry = byContent.get(hash) ?? { path: file, tests: new Set<string>() };
      entry.tests.add(record.test);
      byContent.set(hash, entry);
    }
  }
  const testsOf = new Map([...byContent.values()].map((e) => [e.path, [...e.tests]]));
  const start = Date.now();
  const lint = await runCfnLintAsync([...testsOf.keys()], { ignoreChecks: CFN_LINT_IGNORED_CHECKS, parallelism: os.availableParallelism() });
  console.log(
    `cfn-lint: ${testsOf.size} distinct templates from ${records.length} checks, ${lint.matches.length} problem(s), ${((Date.now() - start) / 1000).toFixed(1)} s`,
  );
  if (lint.matches.length > 0) {
    const lines = lint.matches.map(
      (m) =>
        `- ${m.rule} (${m.level}) ${m.message}\n  in ${m.file}${m.line ? `:${m.line}` : ''}\n  from: ${(testsOf.get(m.file) ?? ['?']).join('; ')}`,
    );
    throw new Error(`cfn-lint found ${lint.matches.length} problem(s) in the templates the tests synthesized:\n${lines.join('\n')}`);
  }
}
