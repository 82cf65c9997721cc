import { Stack } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';

const visibilityConfig = { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'm' };

/** A web ACL in `stack`, with or without a rate-based rule (and its action). */
export function webAclIn(stack: Stack, rate: 'block' | 'count' | 'none', id = 'Acl'): wafv2.CfnWebACL {
  const rules: wafv2.CfnWebACL.RuleProperty[] =
    rate === 'none'
      ? []
      : [
          {
            name: 'Rate',
            priority: 0,
            statement: { rateBasedStatement: { limit: 100, aggregateKeyType: 'IP' } },
            action: rate === 'block' ? { block: {} } : { count: {} },
            visibilityConfig,
          },
        ];
  return new wafv2.CfnWebACL(stack, id, { scope: 'REGIONAL', defaultAction: { allow: {} }, visibilityConfig, rules });
}
