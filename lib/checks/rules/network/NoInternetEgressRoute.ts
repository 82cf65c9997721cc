import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { allConstructs, resolvedProperties } from '../../../private/rule-helpers';
import { PlatformRule } from '../../rule';

const INTERNET_TARGETS: Record<string, string> = {
  'AWS::EC2::InternetGateway': 'GatewayId',
  'AWS::EC2::NatGateway': 'NatGatewayId',
  'AWS::EC2::EgressOnlyInternetGateway': 'EgressOnlyInternetGatewayId',
};

/**
 * No route leads to an internet gateway, a NAT gateway or an egress-only internet gateway, whatever its destination
 * CIDR: services live in isolated subnets. PrivateNetwork's `allowInternetEgressViaNat: { reason }` is the named
 * opt-out; it acknowledges this finding on each of its routes with that reason.
 */
export const NoInternetEgressRoute: PlatformRule = {
  id: 'NoInternetEgressRoute',
  info: 'The route sends traffic to an internet gateway, NAT gateway or egress-only internet gateway.',
  explanation:
    "A route to the internet (directly or through NAT) turns every workload of the subnet into a possible exfiltration point, whatever CIDR the route names (two /1 routes are the internet too). The platform reaches AWS through VPC endpoints; when a service really needs the internet, use the network's named opt-out (allowInternetEgressViaNat with a reason), which records the decision.",
  practices: ['P1'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::EC2::Route') return NagRuleCompliance.NOT_APPLICABLE;
    const props = resolvedProperties(node);
    if (props.NatGatewayId !== undefined || props.EgressOnlyInternetGatewayId !== undefined) return NagRuleCompliance.NON_COMPLIANT;
    const gateway = props.GatewayId;
    if (typeof gateway === 'string') return gateway.startsWith('igw-') ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
    const target = targetType(node, gateway);
    return target !== undefined && INTERNET_TARGETS[target] === 'GatewayId' ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
};

/** Resource type of the `{ Ref }`/`{ Fn::GetAtt }` target in the route's stack. */
function targetType(node: CfnResource, value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { Ref?: string; 'Fn::GetAtt'?: string[] };
  const id = v.Ref ?? v['Fn::GetAtt']?.[0];
  const stack = Stack.of(node);
  const target = allConstructs(stack).find((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack && stack.resolve(c.logicalId) === id);
  return target ? (target as CfnResource).cfnResourceType : undefined;
}
