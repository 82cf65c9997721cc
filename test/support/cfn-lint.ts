import { spawnSync } from 'node:child_process';

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
  const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  const available = !probe.error && probe.status === 0;
  if (available) return true;
  if (process.env.CI === 'true') {
    throw new Error('cfn-lint is not on PATH but CI=true: the machine image must provide it (pip install cfn-lint).');
  }
  console.warn('SKIPPED cfn-lint checks: cfn-lint is not on PATH (install it with "pip install cfn-lint" to run them).');
  return false;
}
