import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { resolvedProperties } from '../../../private/rule-helpers';

/** Every usage plan limits both the request rate (throttle) and the volume (quota) of its API keys. */
export const UsagePlanThrottleAndQuota: PlatformRule = {
  id: 'UsagePlanThrottleAndQuota',
  info: 'The usage plan lacks a throttle (rate and burst) or a quota (limit and period).',
  explanation:
    'A tier without a throttle lets one client exhaust the stage limit for everyone; a tier without a quota lets it run up unbounded volume and cost. Both are needed for client tiers to mean anything.',
  practices: ['P5'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::ApiGateway::UsagePlan') return NagRuleCompliance.NOT_APPLICABLE;
    const { Throttle: throttle, Quota: quota } = resolvedProperties(node);
    const throttled = throttle?.RateLimit > 0 && throttle?.BurstLimit > 0;
    const quotaed = quota?.Limit > 0 && typeof quota?.Period === 'string';
    return throttled && quotaed ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
