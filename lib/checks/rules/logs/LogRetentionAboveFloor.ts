import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { DEFAULT_LOG_RETENTION_FLOOR_DAYS, LOG_RETENTION_FLOOR_METADATA_TYPE } from '../../../private/metadata';
import { resolvedProperties } from '../../../private/rule-helpers';
import { PlatformRule } from '../../rule';

/**
 * Every log group keeps its events at least as long as the floor that applies to it: 90 days, or the higher floor
 * of the platform profile it belongs to (`PlatformProfile.minimumLogRetention`, recorded on the platform).
 */
export const LogRetentionAboveFloor: PlatformRule = {
  id: 'LogRetentionAboveFloor',
  info: 'The log group keeps its events for less than the minimum retention of its profile (90 days unless the profile sets more).',
  explanation:
    'Incidents are often found weeks later; an access, flow or WAF log that expired after a day cannot show what happened. The floor is 90 days, and a profile raises it (prod: 365 days).',
  practices: ['P9'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::Logs::LogGroup') return NagRuleCompliance.NOT_APPLICABLE;
    const retention = resolvedProperties(node).RetentionInDays;
    if (retention === undefined || typeof retention !== 'number') return NagRuleCompliance.COMPLIANT; // forever, or a token
    return retention >= retentionFloor(node) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};

/** The nearest floor recorded on the resource or an ancestor, else the default. */
export function retentionFloor(node: CfnResource): number {
  for (const scope of [...node.node.scopes].reverse()) {
    const floor = scope.node.metadata.find((m) => m.type === LOG_RETENTION_FLOOR_METADATA_TYPE)?.data;
    if (typeof floor === 'number') return Math.max(floor, DEFAULT_LOG_RETENTION_FLOOR_DAYS);
  }
  return DEFAULT_LOG_RETENTION_FLOOR_DAYS;
}
