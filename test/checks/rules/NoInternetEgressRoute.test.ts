import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { NoInternetEgressRoute } from '../../../lib/checks/rules';
import { PrivateNetwork } from '../../../lib/network/private-network';
import { PlatformKeys } from '../../../lib/encryption/platform-keys';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

describe('Platform-NoInternetEgressRoute', () => {
  it('accepts routes to peers, transit gateways and VPN gateways', () => {
    const stack = newStack();
    new ec2.CfnRoute(stack, 'Peer', { routeTableId: 'rtb-1', destinationCidrBlock: '10.1.0.0/16', vpcPeeringConnectionId: 'pcx-12345678' });
    new ec2.CfnRoute(stack, 'Vpn', { routeTableId: 'rtb-1', destinationCidrBlock: '10.2.0.0/16', gatewayId: 'vgw-12345678' });
    expect(ruleViolations(NoInternetEgressRoute, stack)).toEqual([]);
  });

  it('flags routes to an internet gateway (by reference or id), a NAT gateway and an egress-only gateway, whatever the CIDR', () => {
    const stack = newStack();
    const igw = new ec2.CfnInternetGateway(stack, 'Igw');
    new ec2.CfnRoute(stack, 'Half', { routeTableId: 'rtb-1', destinationCidrBlock: '0.0.0.0/1', gatewayId: igw.ref });
    new ec2.CfnRoute(stack, 'Literal', { routeTableId: 'rtb-1', destinationCidrBlock: '128.0.0.0/1', gatewayId: 'igw-12345678' });
    new ec2.CfnRoute(stack, 'Nat', { routeTableId: 'rtb-2', destinationCidrBlock: '203.0.113.0/24', natGatewayId: 'nat-12345678' });
    new ec2.CfnRoute(stack, 'V6', { routeTableId: 'rtb-2', destinationIpv6CidrBlock: '::/0', egressOnlyInternetGatewayId: 'eigw-12345678' });
    expect(ruleViolations(NoInternetEgressRoute, stack)).toEqual(['TestStack/Half', 'TestStack/Literal', 'TestStack/Nat', 'TestStack/V6']);
  });

  it("a CDK VPC with NAT has such routes; PrivateNetwork's named opt-out acknowledges them (and their tables) with the reason", () => {
    const stack = newStack();
    new ec2.Vpc(stack, 'Plain', { maxAzs: 1, natGateways: 1, restrictDefaultSecurityGroup: false });
    expect(ruleViolations(NoInternetEgressRoute, stack)).toEqual([
      'TestStack/Plain/PrivateSubnet1/DefaultRoute',
      'TestStack/Plain/PublicSubnet1/DefaultRoute',
    ]);
    const network = new PrivateNetwork(stack, 'Network', {
      logsKey: new PlatformKeys(stack, 'Keys').logsKey,
      allowInternetEgressViaNat: { reason: 'payment provider callback needs a fixed egress IP' },
    });
    const acks = network.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
          .map((m) => `${c.node.path} ${Object.keys(m.data as object).join(',')}`),
      );
    expect(acks.filter((a) => a.includes('Platform-NoInternetEgressRoute'))).toHaveLength(4);
    expect(acks.filter((a) => a.includes('Platform-NoBroadPublicCidr'))).toHaveLength(4);
  });
});
