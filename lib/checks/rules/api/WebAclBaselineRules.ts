import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { MAX_RATE_LIMIT_PER_IP_PER_SECOND } from '../../../private/gate-limits';
import { asArray, resolvedProperties, CfnJson } from '../../../private/rule-helpers';
import { PlatformRule } from '../../rule';

/** AWS managed rule groups every web ACL runs in blocking mode. */
export const REQUIRED_MANAGED_RULE_GROUPS: readonly string[] = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
];

export { MAX_RATE_LIMIT_PER_IP_PER_SECOND };

const PER_IP = ['IP', 'FORWARDED_IP'];

/**
 * Every WAFv2 web ACL has a blocking, per-IP rate-based rule without a scope-down statement whose limit stays within
 * MAX_RATE_LIMIT_PER_IP_PER_SECOND over its window, and runs the REQUIRED_MANAGED_RULE_GROUPS (vendor AWS) without
 * overriding them to count.
 */
export const WebAclBaselineRules: PlatformRule = {
  id: 'WebAclBaselineRules',
  info: "The web ACL's per-IP rate limit is missing, scoped down or above 20 requests/s averaged over its window, or it does not block with the AWS managed groups IP reputation, Common, KnownBadInputs and SQLi.",
  explanation:
    "A rate rule of 2,000,000,000 requests or one scoped down to a path nobody calls is a rate rule in name only, and a web ACL without the AWS baseline groups (or with them set to count) blocks no known attack. The limit is judged per second over the rule's window; ApiFirewall allows more only with allowHighRateLimit: { reason }.",
  practices: ['P5', 'P10'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::WAFv2::WebACL') return NagRuleCompliance.NOT_APPLICABLE;
    const rules = asArray<CfnJson>(resolvedProperties(node).Rules);
    const boundedRate = rules.some((rule) => {
      const rate = rule.Statement?.RateBasedStatement;
      if (!rate || rule.Action?.Block === undefined || rate.ScopeDownStatement !== undefined) return false;
      const window = typeof rate.EvaluationWindowSec === 'number' ? rate.EvaluationWindowSec : 300;
      return PER_IP.includes(rate.AggregateKeyType) && typeof rate.Limit === 'number' && rate.Limit / window <= MAX_RATE_LIMIT_PER_IP_PER_SECOND;
    });
    const enforced = new Set(
      rules
        .filter((rule) => rule.OverrideAction?.Count === undefined && rule.Statement?.ManagedRuleGroupStatement?.VendorName === 'AWS')
        .filter((rule) =>
          asArray<CfnJson>(rule.Statement.ManagedRuleGroupStatement.RuleActionOverrides).every((o) => o.ActionToUse?.Count === undefined),
        )
        .map((rule) => rule.Statement.ManagedRuleGroupStatement.Name),
    );
    const complete = REQUIRED_MANAGED_RULE_GROUPS.every((name) => enforced.has(name));
    return boundedRate && complete ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
