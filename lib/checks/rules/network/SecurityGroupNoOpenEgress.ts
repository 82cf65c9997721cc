import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { asArray, resolvedProperties } from '../../../private/rule-helpers';
import { CfnJson } from '../../../private/rule-helpers';

const ANYWHERE = ['0.0.0.0/0', '::/0'];

/** No security group allows egress to the whole internet (0.0.0.0/0 or ::/0). */
export const SecurityGroupNoOpenEgress: PlatformRule = {
  id: 'SecurityGroupNoOpenEgress',
  info: 'The security group allows egress to 0.0.0.0/0 or ::/0.',
  explanation:
    'Services in isolated subnets reach AWS through VPC endpoints and each other through named peers. Egress to anywhere turns a compromised task into an exfiltration point as soon as a route to the internet exists; name the destinations (endpoint security group, VPC CIDR, prefix lists, peers) instead.',
  practices: ['P1', 'P3'],
  check(node: CfnResource) {
    if (node.cfnResourceType === 'AWS::EC2::SecurityGroup') {
      const egress = asArray<CfnJson>(resolvedProperties(node).SecurityGroupEgress);
      return egress.some(isOpen) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
    }
    if (node.cfnResourceType === 'AWS::EC2::SecurityGroupEgress') {
      return isOpen(resolvedProperties(node)) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
    }
    return NagRuleCompliance.NOT_APPLICABLE;
  },
};

function isOpen(rule: CfnJson): boolean {
  return ANYWHERE.includes(rule.CidrIp) || ANYWHERE.includes(rule.CidrIpv6);
}
