import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlatformKeys } from '../../lib/encryption/platform-keys';
import { DEFAULT_INTERFACE_ENDPOINTS, PrivateNetwork } from '../../lib/network/private-network';
import { expectNoFindings, expectReasonedAcknowledgements, newApp, newStack, synthWithGate } from '../support/harness';
import { CfnJson } from '../../lib/private/rule-helpers';

function network(props: Partial<ConstructorParameters<typeof PrivateNetwork>[2]> = {}) {
  const stack = newStack('Net');
  const keys = new PlatformKeys(stack, 'Keys');
  const net = new PrivateNetwork(stack, 'Network', { logsKey: keys.logsKey, ...props });
  return { stack, net };
}

describe('PrivateNetwork (defaults)', () => {
  let template: Template;

  beforeAll(() => {
    const { stack } = network({ availabilityZones: 3 });
    const result = synthWithGate(stack);
    expectNoFindings(result);
    expectReasonedAcknowledgements(result);
    template = result.template;
  });

  it('spreads isolated subnets over the requested AZs, with no internet gateway and no NAT', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 3);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Route', 0);
    for (const subnet of Object.values(template.findResources('AWS::EC2::Subnet'))) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
      expect(subnet.Properties.Tags).toContainEqual({ Key: 'aws-cdk:subnet-type', Value: 'Isolated' });
    }
  });

  it('closes the default security group', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  it('logs ALL traffic to a KMS-encrypted log group with finite retention', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: Match.anyValue(), RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
  });

  it('gives the flow-log role a customer managed policy for its log group only, trusted for this account', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
            Resource: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('FlowLogGroup'), 'Arn'] }, Match.anyValue()],
          }),
        ],
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  it("has S3 and DynamoDB gateway endpoints limited to this account's resources, and ECR layers without a principal-account condition", () => {
    const gateways = template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } });
    expect(Object.keys(gateways)).toHaveLength(2);
    const s3 = Object.values(gateways).find((g) => JSON.stringify(g.Properties.ServiceName).includes('.s3'))!;
    const statements = s3.Properties.PolicyDocument.Statement as CfnJson[];
    // S3 gateway endpoints do not evaluate aws:PrincipalAccount: a condition on it would block every request.
    expect(JSON.stringify(gateways)).not.toContain('aws:PrincipalAccount');
    expect(statements).toEqual([
      expect.objectContaining({
        Sid: 'ThisAccountsBuckets',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
      // ECR's layer downloads are presigned by an AWS-owned principal from an AWS-owned bucket: scoped by name only.
      {
        Sid: 'EcrImageLayers',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::prod-', { Ref: 'AWS::Region' }, '-starport-layer-bucket/*']] },
      },
    ]);
    const dynamo = Object.values(gateways).find((g) => g !== s3)!;
    expect(dynamo.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Sid: 'ThisAccountsTables', Condition: { StringEquals: { 'aws:ResourceAccount': { Ref: 'AWS::AccountId' } } } }),
    ]);
  });

  it('has the interface endpoints services in isolated subnets need, each with an account-scoped policy and private DNS', () => {
    const interfaces = template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } });
    expect(Object.keys(interfaces)).toHaveLength(DEFAULT_INTERFACE_ENDPOINTS.length);
    const serviceNames = JSON.stringify(Object.values(interfaces).map((e) => e.Properties.ServiceName));
    for (const name of ['ecr.api', 'ecr.dkr', 'logs', 'sts', 'kms', 'secretsmanager']) expect(serviceNames).toContain(`.${name}`);
    for (const endpoint of Object.values(interfaces)) {
      expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
      expect(endpoint.Properties.PolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } },
        }),
      ]);
    }
  });

  it('admits HTTPS only from inside the VPC to the endpoints, and no egress', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'VPC interface endpoints: HTTPS from inside the VPC only',
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS from inside the VPC' }],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });
});

describe('PrivateNetwork options', () => {
  it('adds interface endpoints by prop', () => {
    const { stack } = network({ additionalInterfaceEndpoints: ['ssm', 'monitoring'] });
    const interfaces = Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } });
    expect(Object.keys(interfaces)).toHaveLength(DEFAULT_INTERFACE_ENDPOINTS.length + 2);
  });

  it('uses two AZs by default', () => {
    const { stack } = network();
    Template.fromStack(stack).resourceCountIs('AWS::EC2::Subnet', 2);
  });

  it('takes AZs from Fn::GetAZs in a stack with account and region too: no literal AZ names (cfn-lint W3010)', () => {
    const stack = new Stack(newApp(), 'Net', { env: { account: '111122223333', region: 'eu-central-1' } });
    new PrivateNetwork(stack, 'Network', { logsKey: new PlatformKeys(stack, 'Keys').logsKey, availabilityZones: 3 });
    const subnets = Object.values(Template.fromStack(stack).findResources('AWS::EC2::Subnet'));
    expect(subnets.map((s) => s.Properties.AvailabilityZone)).toEqual([0, 1, 2].map((i) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] })));
  });

  it('puts every interface endpoint in every zone by default, and in fewer zones when interfaceEndpointZones says so', () => {
    const subnetCounts = (stack: Stack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } })).map(
        (e) => e.Properties.SubnetIds.length,
      );
    expect(subnetCounts(network({ availabilityZones: 3 }).stack)).toEqual(DEFAULT_INTERFACE_ENDPOINTS.map(() => 3));
    const { stack, net } = network({ availabilityZones: 3, interfaceEndpointZones: 1 });
    expect(subnetCounts(stack)).toEqual(DEFAULT_INTERFACE_ENDPOINTS.map(() => 1));
    // Services still run in every zone; only the endpoints' interfaces are fewer.
    expect(net.vpc.selectSubnets(net.serviceSubnets).subnets).toHaveLength(3);
  });

  it('adds NAT egress only as a named opt-in, and records the reason', () => {
    const { stack, net } = network({ allowInternetEgressViaNat: { reason: 'payment provider callback needs a fixed egress IP', natGateways: 1 } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::InternetGateway', 1);
    const optOut = net.node.metadata.find((m) => m.type === 'cdk-secure-microservices:opt-out');
    expect(optOut?.data).toEqual({
      control: 'isolated subnets without internet egress',
      reason: 'payment provider callback needs a fixed egress IP',
    });
  });

  describe('rejects bad input with prop, value and fix', () => {
    it.each([
      [{ availabilityZones: 1 }, /invalid availabilityZones \(received 1\).*Fix: use 2 \(dev\) or 3 \(prod\)/],
      [{ availabilityZones: 4 }, /invalid availabilityZones \(received 4\)/],
      [{ cidr: '10.0.0.0' }, /invalid cidr \(received "10.0.0.0"\): not an IPv4 CIDR block/],
      [{ cidr: '10.300.0.0/16' }, /invalid cidr \(received "10.300.0.0\/16"\): not an IPv4 CIDR block/],
      [{ cidr: '10.0.0.0/24' }, /invalid cidr \(received "10.0.0.0\/24"\).*between \/16 and \/18/],
      [{ cidr: '8.8.0.0/16' }, /invalid cidr \(received "8.8.0.0\/16"\): not an RFC 1918 private range/],
      [{ additionalInterfaceEndpoints: ['ecr-api'] }, /invalid additionalInterfaceEndpoints \(received "ecr-api"\).*Fix: use one of/],
      [
        { flowLogRetention: Duration.days(10) },
        /invalid flowLogRetention \(received "Duration.days\(10\)"\).*Fix: use Duration\.days\(n\) with n one of 1, 3, 5, 7, 14/,
      ],
      [
        { interfaceEndpointZones: 0 },
        /invalid interfaceEndpointZones \(received 0\): must be a whole number from 1 to the network's 2 availability zones.*Fix: use 1 \(cheapest, dev\) or 2/,
      ],
      [{ interfaceEndpointZones: 3 }, /invalid interfaceEndpointZones \(received 3\)/],
      [{ interfaceEndpointZones: 1.5 }, /invalid interfaceEndpointZones \(received 1.5\)/],
      [{ allowInternetEgressViaNat: { reason: '' } }, /invalid allowInternetEgressViaNat.reason \(received ""\)/],
      [
        { allowInternetEgressViaNat: { reason: 'needs outbound calls to a partner', natGateways: 3 } },
        /invalid allowInternetEgressViaNat.natGateways \(received 3\)/,
      ],
    ])('%j', (props, message) => {
      expect(() => network(props as never)).toThrow(message);
    });
  });
});
