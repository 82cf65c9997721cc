import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { resolvedProperties } from '../../../private/rule-helpers';

/** No ECS service assigns public IP addresses to its tasks. */
export const EcsServiceNoPublicIp: PlatformRule = {
  id: 'EcsServiceNoPublicIp',
  info: 'The ECS service assigns public IP addresses to its tasks.',
  explanation:
    'Tasks with public IPs are reachable from the internet as soon as a route and a security group rule allow it, bypassing the gateway. Services run in isolated subnets and are reached through the API Gateway VPC link or Service Connect.',
  practices: ['P1', 'P4'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::ECS::Service') return NagRuleCompliance.NOT_APPLICABLE;
    const assign = resolvedProperties(node).NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp;
    return assign === 'ENABLED' ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
};
