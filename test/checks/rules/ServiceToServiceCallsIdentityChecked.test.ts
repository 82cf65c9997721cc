import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as vpclattice from 'aws-cdk-lib/aws-vpclattice';
import { describe, expect, it } from 'vitest';
import { PLATFORM_RULES, ServiceToServiceCallsIdentityChecked } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

/** Two ECS services with their own security groups (and a load balancer group that is not a service's). */
function services() {
  const stack = newStack();
  const group = (id: string) => new ec2.CfnSecurityGroup(stack, id, { groupDescription: id, vpcId: 'vpc-1' });
  const [orders, payments, nlb] = [group('OrdersSg'), group('PaymentsSg'), group('NlbSg')];
  for (const [id, sg] of [
    ['Orders', orders],
    ['Payments', payments],
  ] as const) {
    new ecs.CfnService(stack, id, {
      cluster: 'c',
      taskDefinition: 't',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: [sg.attrGroupId] } },
    });
  }
  return { stack, orders, payments, nlb };
}

describe('Platform-ServiceToServiceCallsIdentityChecked', () => {
  it('is registered in PlatformChecks', () => {
    expect(PLATFORM_RULES).toContain(ServiceToServiceCallsIdentityChecked);
  });

  it("accepts tasks reached from a load balancer, from VPC Lattice's range, and Lattice with IAM auth", () => {
    const { stack, payments, nlb } = services();
    new ec2.CfnSecurityGroupIngress(stack, 'FromNlb', {
      groupId: payments.attrGroupId,
      sourceSecurityGroupId: nlb.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: 8443,
      toPort: 8443,
    });
    new ec2.CfnSecurityGroupIngress(stack, 'FromLattice', {
      groupId: payments.attrGroupId,
      cidrIp: '169.254.171.0/24',
      ipProtocol: 'tcp',
      fromPort: 8443,
      toPort: 8443,
    });
    new vpclattice.CfnServiceNetwork(stack, 'Network', { authType: 'AWS_IAM' });
    new vpclattice.CfnService(stack, 'Lattice', { authType: 'AWS_IAM' });
    expect(ruleViolations(ServiceToServiceCallsIdentityChecked, stack)).toEqual([]);
  });

  it("flags a security-group path from one service's tasks to another's, standalone or inline", () => {
    const { stack, orders, payments } = services();
    new ec2.CfnSecurityGroupIngress(stack, 'Peer', {
      groupId: payments.attrGroupId,
      sourceSecurityGroupId: orders.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: 15443,
      toPort: 15443,
    });
    orders.securityGroupIngress = [{ ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, sourceSecurityGroupId: payments.attrGroupId }];
    expect(ruleViolations(ServiceToServiceCallsIdentityChecked, stack)).toEqual(['TestStack/OrdersSg', 'TestStack/Peer']);
  });

  it('flags a VPC Lattice service or service network without IAM auth', () => {
    const stack = newStack();
    new vpclattice.CfnServiceNetwork(stack, 'Network', { authType: 'NONE' });
    new vpclattice.CfnService(stack, 'Lattice', {});
    expect(ruleViolations(ServiceToServiceCallsIdentityChecked, stack)).toEqual(['TestStack/Lattice', 'TestStack/Network']);
  });
});
