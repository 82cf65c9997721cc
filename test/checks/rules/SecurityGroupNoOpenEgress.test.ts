import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { SecurityGroupNoOpenEgress } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

function vpcIn(stack: ReturnType<typeof newStack>): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    restrictDefaultSecurityGroup: false,
    subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

describe('Platform-SecurityGroupNoOpenEgress', () => {
  it('accepts a security group whose egress names its destination', () => {
    const stack = newStack();
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc: vpcIn(stack), allowAllOutbound: false });
    sg.addEgressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(443));
    expect(ruleViolations(SecurityGroupNoOpenEgress, stack)).toEqual([]);
  });

  it('flags the CDK default allowAllOutbound (0.0.0.0/0)', () => {
    const stack = newStack();
    new ec2.SecurityGroup(stack, 'Sg', { vpc: vpcIn(stack) });
    expect(ruleViolations(SecurityGroupNoOpenEgress, stack)).toEqual(['TestStack/Sg/Resource']);
  });

  it('flags a standalone egress rule to ::/0', () => {
    const stack = newStack();
    new ec2.CfnSecurityGroupEgress(stack, 'Egress', { groupId: 'sg-12345678', ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv6: '::/0' });
    expect(ruleViolations(SecurityGroupNoOpenEgress, stack)).toEqual(['TestStack/Egress']);
  });
});
