import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { VpcEndpointRestrictivePolicy } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

function vpcIn(stack: ReturnType<typeof newStack>): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
}

describe('Platform-VpcEndpointRestrictivePolicy', () => {
  it('accepts an endpoint whose policy limits principals to this account', () => {
    const stack = newStack();
    const endpoint = vpcIn(stack).addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:PrincipalAccount': stack.account } },
      }),
    );
    expect(ruleViolations(VpcEndpointRestrictivePolicy, stack)).toEqual([]);
  });

  it('accepts an unconditioned statement limited to a named resource (ECR image layers), flags one on "*"', () => {
    const stack = newStack();
    const vpc = vpcIn(stack);
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 }).addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*'],
      }),
    );
    vpc.addGatewayEndpoint('Open', { service: ec2.GatewayVpcEndpointAwsService.S3 }).addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*', '*'],
      }),
    );
    expect(ruleViolations(VpcEndpointRestrictivePolicy, stack)).toEqual(['TestStack/Vpc/Open/Resource']);
  });

  it('flags an endpoint without a policy (AWS default: full access)', () => {
    const stack = newStack();
    vpcIn(stack).addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    expect(ruleViolations(VpcEndpointRestrictivePolicy, stack)).toEqual(['TestStack/Vpc/S3/Resource']);
  });

  it('flags an interface endpoint whose policy allows any principal unconditionally', () => {
    const stack = newStack();
    const endpoint = vpcIn(stack).addInterfaceEndpoint('Sts', { service: ec2.InterfaceVpcEndpointAwsService.STS, open: false });
    endpoint.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['sts:*'], resources: ['*'] }));
    expect(ruleViolations(VpcEndpointRestrictivePolicy, stack)).toEqual(['TestStack/Vpc/Sts/Resource']);
  });

  it('flags a policy whose only condition restricts nothing (StringLike aws:PrincipalAccount "*")', () => {
    const stack = newStack();
    const endpoint = vpcIn(stack).addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:*'],
        resources: ['*'],
        conditions: { StringLike: { 'aws:PrincipalAccount': '*' } },
      }),
    );
    expect(ruleViolations(VpcEndpointRestrictivePolicy, stack)).toEqual(['TestStack/Vpc/S3/Resource']);
  });
});
