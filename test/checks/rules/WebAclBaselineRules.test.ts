import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { describe, expect, it } from 'vitest';
import { WebAclBaselineRules } from '../../../lib/checks/rules';
import { REQUIRED_MANAGED_RULE_GROUPS } from '../../../lib/checks/rules/api/WebAclBaselineRules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

const visibilityConfig = { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'm' };

function acl(options: { limit?: number; window?: number; scopeDown?: boolean; groups?: readonly string[]; countGroup?: string } = {}): string[] {
  const stack = newStack();
  const rate: wafv2.CfnWebACL.RuleProperty = {
    name: 'Rate',
    priority: 0,
    action: { block: {} },
    visibilityConfig,
    statement: {
      rateBasedStatement: {
        limit: options.limit ?? 1000,
        aggregateKeyType: 'IP',
        evaluationWindowSec: options.window ?? 300,
        scopeDownStatement: options.scopeDown
          ? {
              byteMatchStatement: {
                fieldToMatch: { uriPath: {} },
                positionalConstraint: 'EXACTLY',
                searchString: '/never',
                textTransformations: [{ priority: 0, type: 'NONE' }],
              },
            }
          : undefined,
      },
    },
  };
  const groups = (options.groups ?? REQUIRED_MANAGED_RULE_GROUPS).map((name, i): wafv2.CfnWebACL.RuleProperty => ({
    name,
    priority: i + 1,
    visibilityConfig,
    overrideAction: name === options.countGroup ? { count: {} } : { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
  }));
  new wafv2.CfnWebACL(stack, 'Acl', { scope: 'REGIONAL', defaultAction: { allow: {} }, visibilityConfig, rules: [rate, ...groups] });
  return ruleViolations(WebAclBaselineRules, stack);
}

describe('Platform-WebAclBaselineRules', () => {
  it('accepts a bounded per-IP rate rule with the required AWS managed groups (6,000 per 5 minutes is the edge)', () => {
    expect(acl()).toEqual([]);
    expect(acl({ limit: 6000 })).toEqual([]);
    expect(acl({ limit: 1200, window: 60 })).toEqual([]);
  });

  it.each([
    ['a rate limit of 2,000,000,000', { limit: 2_000_000_000 }],
    ['just above 20 requests/s over a 1-minute window', { limit: 1201, window: 60 }],
    ['a rate rule scoped down to a path nobody calls', { scopeDown: true }],
    ['no KnownBadInputs group', { groups: REQUIRED_MANAGED_RULE_GROUPS.filter((g) => g !== 'AWSManagedRulesKnownBadInputsRuleSet') }],
    ['the Common group set to count', { countGroup: 'AWSManagedRulesCommonRuleSet' }],
  ])('flags %s', (_name, options) => {
    expect(acl(options)).toEqual(['TestStack/Acl']);
  });
});
