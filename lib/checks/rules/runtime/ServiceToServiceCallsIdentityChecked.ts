import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { allConstructs, asArray, resolvedProperties } from '../../../private/rule-helpers';

/** Logical ids of the security groups of the ECS services of a stack, computed once per stack. */
const taskGroupsByStack = new WeakMap<Stack, Set<string>>();

function taskSecurityGroups(stack: Stack): Set<string> {
  let groups = taskGroupsByStack.get(stack);
  if (!groups) {
    groups = new Set<string>();
    for (const c of allConstructs(stack)) {
      if (!CfnResource.isCfnResource(c) || c.cfnResourceType !== 'AWS::ECS::Service' || Stack.of(c) !== stack) continue;
      for (const ref of asArray(resolvedProperties(c).NetworkConfiguration?.AwsvpcConfiguration?.SecurityGroups)) {
        const id = logicalIdOf(ref);
        if (id) groups.add(id);
      }
    }
    taskGroupsByStack.set(stack, groups);
  }
  return groups;
}

/** The logical id a `{ Fn::GetAtt: [id, 'GroupId'] }` or `{ Ref: id }` points to. */
function logicalIdOf(ref: unknown): string | undefined {
  if (!ref || typeof ref !== 'object') return undefined;
  const getAtt = (ref as { 'Fn::GetAtt'?: unknown[] })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  const name = (ref as { Ref?: unknown }).Ref;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Calls between services carry the caller's identity: no security-group rule lets one ECS service's tasks reach
 * another's directly (a network path the callee cannot attribute), and every VPC Lattice service and service network
 * uses IAM auth (`AWS_IAM`), so an auth policy decides which callers are admitted.
 */
export const ServiceToServiceCallsIdentityChecked: PlatformRule = {
  id: 'ServiceToServiceCallsIdentityChecked',
  info: 'A service is reachable from another service without an identity-based policy (a security-group path between task security groups, or a VPC Lattice service or service network without IAM auth).',
  explanation:
    "A security group says which network may connect, not which service is calling: any task sharing the caller's security group, or anything that lands in it, gets through. Service-to-service calls go through VPC Lattice with IAM auth, where the callee's auth policy names the callers' task roles and every other caller is refused.",
  practices: ['P2', 'P3'],
  check(node: CfnResource) {
    const type = node.cfnResourceType;
    if (type === 'AWS::VpcLattice::Service' || type === 'AWS::VpcLattice::ServiceNetwork') {
      return resolvedProperties(node).AuthType === 'AWS_IAM' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    const stack = Stack.of(node);
    const props = resolvedProperties(node);
    let rules: { target?: string; source?: string }[];
    if (type === 'AWS::EC2::SecurityGroupIngress') {
      rules = [{ target: logicalIdOf(props.GroupId), source: logicalIdOf(props.SourceSecurityGroupId) }];
    } else if (type === 'AWS::EC2::SecurityGroup') {
      rules = asArray(props.SecurityGroupIngress).map((r: { SourceSecurityGroupId?: unknown }) => ({
        target: stack.resolve(node.logicalId) as string,
        source: logicalIdOf(r.SourceSecurityGroupId),
      }));
    } else {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const groups = taskSecurityGroups(stack);
    const between = rules.some((r) => r.target && r.source && r.target !== r.source && groups.has(r.target) && groups.has(r.source));
    if (between) return NagRuleCompliance.NON_COMPLIANT;
    return rules.some((r) => r.target && groups.has(r.target)) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
  },
};
