import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { NoBroadPublicCidr } from '../../../lib/checks/rules';
import { opensPublicInternet, publicIpv4Addresses } from '../../../lib/private/cidr';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

function groupIn(
  stack: ReturnType<typeof newStack>,
  egress: ec2.CfnSecurityGroup.EgressProperty[] = [],
  ingress: ec2.CfnSecurityGroup.IngressProperty[] = [],
): ec2.CfnSecurityGroup {
  return new ec2.CfnSecurityGroup(stack, 'Sg', {
    groupDescription: 'g',
    vpcId: 'vpc-12345678',
    securityGroupEgress: egress,
    securityGroupIngress: ingress,
  });
}

describe('CIDR coverage', () => {
  it('counts public addresses, however the internet is written', () => {
    expect(opensPublicInternet(['0.0.0.0/0'])).toBe(true);
    expect(opensPublicInternet(['0.0.0.0/1', '128.0.0.0/1'])).toBe(true);
    expect(opensPublicInternet(Array.from({ length: 16 }, (_, i) => `${i * 16}.0.0.0/4`))).toBe(true);
    expect(opensPublicInternet(['::/1', '8000::/1'])).toBe(true);
    expect(opensPublicInternet(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8'])).toBe(false);
    expect(opensPublicInternet(['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/48'])).toBe(false);
    expect(publicIpv4Addresses(['1.0.0.0/8', '1.0.0.0/9'])).toBe(2n ** 24n);
  });
});

describe('Platform-NoBroadPublicCidr', () => {
  it('accepts a group that names private and partner destinations', () => {
    const stack = newStack();
    const sg = groupIn(stack, [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '10.0.0.0/16' }]);
    new ec2.CfnSecurityGroupEgress(stack, 'Partner', {
      groupId: sg.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIp: '203.0.113.10/32',
    });
    expect(ruleViolations(NoBroadPublicCidr, stack)).toEqual([]);
  });

  it('flags egress to the internet written as two /1 halves, one inline and one standalone', () => {
    const stack = newStack();
    const sg = groupIn(stack, [{ ipProtocol: '-1', cidrIp: '0.0.0.0/1' }]);
    new ec2.CfnSecurityGroupEgress(stack, 'OtherHalf', { groupId: sg.attrGroupId, ipProtocol: '-1', cidrIp: '128.0.0.0/1' });
    expect(ruleViolations(NoBroadPublicCidr, stack)).toEqual(['TestStack/Sg']);
  });

  it('flags IPv6 ingress from ::/1 + 8000::/1', () => {
    const stack = newStack();
    groupIn(
      stack,
      [],
      [
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv6: '::/1' },
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv6: '8000::/1' },
      ],
    );
    expect(ruleViolations(NoBroadPublicCidr, stack)).toEqual(['TestStack/Sg']);
  });

  it('judges standalone rules of a group from elsewhere together, by group id', () => {
    const stack = newStack();
    new ec2.CfnSecurityGroupIngress(stack, 'A', { groupId: 'sg-12345678', ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/1' });
    new ec2.CfnSecurityGroupIngress(stack, 'B', { groupId: 'sg-12345678', ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '128.0.0.0/1' });
    new ec2.CfnSecurityGroupIngress(stack, 'Other', {
      groupId: 'sg-87654321',
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIp: '198.51.100.0/24',
    });
    expect(ruleViolations(NoBroadPublicCidr, stack)).toEqual(['TestStack/A', 'TestStack/B']);
  });

  it('flags a route table whose routes together cover the internet, whatever their target', () => {
    const stack = newStack();
    const table = new ec2.CfnRouteTable(stack, 'Table', { vpcId: 'vpc-12345678' });
    new ec2.CfnRoute(stack, 'Low', { routeTableId: table.ref, destinationCidrBlock: '0.0.0.0/1', transitGatewayId: 'tgw-12345678' });
    new ec2.CfnRoute(stack, 'High', { routeTableId: table.ref, destinationCidrBlock: '128.0.0.0/1', transitGatewayId: 'tgw-12345678' });
    const privateOnly = new ec2.CfnRouteTable(stack, 'Private', { vpcId: 'vpc-12345678' });
    new ec2.CfnRoute(stack, 'Peer', { routeTableId: privateOnly.ref, destinationCidrBlock: '10.1.0.0/16', vpcPeeringConnectionId: 'pcx-12345678' });
    expect(ruleViolations(NoBroadPublicCidr, stack)).toEqual(['TestStack/Table']);
  });
});
