import { CfnElement, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { expect, inject } from 'vitest';
import { acknowledgeFinding, complianceFindingIds } from '../../lib/core/acknowledge';
import { PlatformChecks } from '../../lib/checks/platform-checks';
import { PlatformRule } from '../../lib/checks/rule';
import { runCfnLint } from '../../lib/testing/cfn-lint';
import { CFN_LINT_IGNORED_CHECKS, queueForCfnLint, requireCfnLint } from './cfn-lint';

/** Paths of the constructs one PlatformChecks rule flags in `stack` (sorted). */
export function ruleViolations(rule: PlatformRule, stack: Stack): string[] {
  const report = new PlatformChecks(undefined, { rules: [rule] }).validateScope(stack);
  return report.violations
    .filter((v) => v.ruleName === `Platform-${rule.id}` || v.ruleName.startsWith(`Platform-${rule.id}[`))
    .flatMap((v) => v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId ?? ''))
    .sort();
}

/**
 * Asserts cfn-lint reports nothing for the templates (ignoring only CFN_LINT_IGNORED_CHECKS). Under vitest the
 * templates are queued and linted once, with all the others, when the run ends (test/support/global-setup.ts): a
 * finding then fails the run naming this test. Without cfn-lint on PATH this is skipped locally and fails under
 * CI=true.
 */
export function expectCfnLintClean(templatePaths: readonly string[]): void {
  expect(templatePaths.length, 'templates to lint').toBeGreaterThan(0);
  const queue = inject('cfnLintQueue');
  if (queue) {
    // The teardown probes for cfn-lint once (a probe per worker costs a Python start).
    queueForCfnLint(queue, `${expect.getState().testPath ?? '?'} > ${expect.getState().currentTestName ?? '?'}`, templatePaths);
    return;
  }
  if (!requireCfnLint()) return;
  const lint = runCfnLint(templatePaths, { ignoreChecks: CFN_LINT_IGNORED_CHECKS });
  expect(lint.matches, JSON.stringify(lint.matches, null, 2)).toEqual([]);
}

/** Logical id of an L2's main CloudFormation resource (or of a CfnElement's own construct). */
export function logicalIdOf(construct: { node: { defaultChild?: unknown } }): string {
  const element = construct.node.defaultChild as CfnElement;
  return Stack.of(element).getLogicalId(element);
}

/**
 * Acknowledges what a grant raises on a test role's own DefaultPolicy: the inline-policy rules of NIST, PCI and
 * HIPAA, plus `extraIds` (e.g. the object wildcard of a bucket grant). A real grantee's owner decides these.
 */
export function acknowledgeTestGrantee(role: iam.Role, extraIds: readonly string[] = []): void {
  const policy = role.node.findChild('DefaultPolicy').node.defaultChild as CfnElement;
  const reason = 'Test grantee: stands in for a service task role whose owner acknowledges its own inline policy and object wildcards.';
  for (const id of [...complianceFindingIds('IAMNoInlinePolicy'), ...extraIds]) acknowledgeFinding(policy, id, reason);
}
