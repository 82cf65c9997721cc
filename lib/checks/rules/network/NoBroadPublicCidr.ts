import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { opensPublicInternet } from '../../../private/cidr';
import { allConstructs, asArray, resolvedProperties, CfnJson } from '../../../private/rule-helpers';
import { PlatformRule } from '../../rule';

const STANDALONE = { 'AWS::EC2::SecurityGroupIngress': 'ingress', 'AWS::EC2::SecurityGroupEgress': 'egress' } as const;

/**
 * No security group (its inline rules and the standalone ingress/egress rules of its stack together, per direction)
 * and no route table (its routes together) opens more than a /8 of public IPv4 or a /32 of public IPv6 space, however
 * the CIDRs are written: `0.0.0.0/0`, two `/1` halves or sixteen `/4`s are all the internet.
 */
export const NoBroadPublicCidr: PlatformRule = {
  id: 'NoBroadPublicCidr',
  info: 'Together, the rules of this security group (one direction) or the routes of this route table open more than a /8 of public IPv4 or a /32 of public IPv6 addresses.',
  explanation:
    "Checks that only look for 0.0.0.0/0 or ::/0 are defeated by writing the internet as 0.0.0.0/1 + 128.0.0.0/1. The gate adds up what a group's rules or a route table's routes cover, IPv4 and IPv6, and counts only public addresses (RFC 1918, CGNAT, link-local and ULA ranges are not public). Name the destinations (VPC CIDR, partner /32s, prefix lists, security groups) instead; a deliberate internet path is the network's named opt-out.",
  practices: ['P1', 'P3'],
  check(node: CfnResource) {
    const stack = Stack.of(node);
    if (node.cfnResourceType === 'AWS::EC2::SecurityGroup') {
      const props = resolvedProperties(node);
      const id = stack.resolve(node.logicalId) as string;
      const standalone = rulesOf(stack).filter((r) => refersTo(r.group, id));
      const open = (['ingress', 'egress'] as const).some((direction) =>
        opensPublicInternet([
          ...asArray<CfnJson>(direction === 'ingress' ? props.SecurityGroupIngress : props.SecurityGroupEgress).flatMap(cidrsOf),
          ...standalone.filter((r) => r.direction === direction).flatMap((r) => r.cidrs),
        ]),
      );
      return open ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
    }
    if (node.cfnResourceType in STANDALONE) {
      // Rules of a group in this stack are judged with the group; rules of a group from elsewhere by their group id.
      const own = rulesOf(stack).find((r) => r.node === node)!;
      if (groupsOf(stack).some((id) => refersTo(own.group, id))) return NagRuleCompliance.NOT_APPLICABLE;
      const key = JSON.stringify(own.group);
      const together = rulesOf(stack)
        .filter((r) => r.direction === own.direction && JSON.stringify(r.group) === key)
        .flatMap((r) => r.cidrs);
      return opensPublicInternet(together) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
    }
    if (node.cfnResourceType === 'AWS::EC2::RouteTable') {
      const id = stack.resolve(node.logicalId) as string;
      const cidrs = cfnResources(stack, 'AWS::EC2::Route')
        .map(resolvedProperties)
        .filter((route) => refersTo(route.RouteTableId, id))
        .flatMap((route) => [route.DestinationCidrBlock, route.DestinationIpv6CidrBlock].filter((c): c is string => typeof c === 'string'));
      return opensPublicInternet(cidrs) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
    }
    return NagRuleCompliance.NOT_APPLICABLE;
  },
};

interface StandaloneRule {
  readonly node: CfnResource;
  readonly direction: 'ingress' | 'egress';
  readonly group: unknown;
  readonly cidrs: string[];
}

function cidrsOf(rule: CfnJson): string[] {
  return [rule.CidrIp, rule.CidrIpv6].filter((c): c is string => typeof c === 'string');
}

function cfnResources(stack: Stack, type: string): CfnResource[] {
  return allConstructs(stack).filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === type && Stack.of(c) === stack);
}

function rulesOf(stack: Stack): StandaloneRule[] {
  return Object.entries(STANDALONE).flatMap(([type, direction]) =>
    cfnResources(stack, type).map((node) => {
      const props = resolvedProperties(node);
      return { node, direction, group: props.GroupId, cidrs: cidrsOf(props) };
    }),
  );
}

function groupsOf(stack: Stack): string[] {
  return cfnResources(stack, 'AWS::EC2::SecurityGroup').map((g) => stack.resolve(g.logicalId) as string);
}

/** `{ Ref: id }` or `{ Fn::GetAtt: [id, ...] }`. */
function refersTo(value: unknown, logicalId: string): boolean {
  if (!value || typeof value !== 'object') return false;
  const v = value as { Ref?: string; 'Fn::GetAtt'?: unknown[] };
  return v.Ref === logicalId || (Array.isArray(v['Fn::GetAtt']) && v['Fn::GetAtt'][0] === logicalId);
}
