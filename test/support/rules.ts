import { Stack } from 'aws-cdk-lib';
import { PlatformChecks } from '../../lib/checks/platform-checks';
import { PlatformRule } from '../../lib/checks/rule';

/** Runs one PlatformChecks rule over a stack and returns the construct paths it flagged. */
export function flaggedBy(rule: PlatformRule, stack: Stack): string[] {
  const report = new PlatformChecks(undefined, { rules: [rule] }).validateScope(stack);
  return report.violations
    .filter((v) => v.ruleName === `Platform-${rule.id}`)
    .flatMap((v) => v.violatingResources.map((r) => r.constructPath ?? ''));
}
