import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { asArray, resolvedProperties } from '../../../private/rule-helpers';
import { CfnJson } from '../../../private/rule-helpers';

/** True when the resolved web ACL properties contain a rate-based rule that blocks. */
export function hasBlockingRateRule(webAclProperties: CfnJson): boolean {
  return asArray<CfnJson>(webAclProperties.Rules).some(
    (rule) => rule.Statement?.RateBasedStatement !== undefined && rule.Action?.Block !== undefined,
  );
}

/** Every WAFv2 web ACL has a rate-based rule that blocks. */
export const WebAclHasRateRule: PlatformRule = {
  id: 'WebAclHasRateRule',
  info: 'The web ACL has no rate-based rule with a Block action.',
  explanation:
    "Managed rule groups catch known-bad requests, not volume. A blocking rate-based rule per client IP stops floods and credential stuffing before they reach the API's own throttles and quotas.",
  practices: ['P5', 'P10'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::WAFv2::WebACL') return NagRuleCompliance.NOT_APPLICABLE;
    return hasBlockingRateRule(resolvedProperties(node)) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
