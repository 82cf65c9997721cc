import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_LISTENERS_PER_NLB, PrivateIntegrationGateway } from '../../lib/compute/private-integration-gateway';
import { SecureFargateService } from '../../lib/compute/secure-fargate-service';
import { expectCfnLintClean, logicalIdOf } from '../support/checks';
import { expectNoFindings, expectReasonedAcknowledgements, newStack, synthWithGate } from '../support/harness';
import { CERT_ARN, Fixture, fixture } from './fixtures';

const SERVICES = ['orders', 'payments', 'shipping'] as const;
const BASE_PORT = 8443;

function gatewayOf(f: Fixture, id = 'Gateway'): PrivateIntegrationGateway {
  return new PrivateIntegrationGateway(f.stack, id, { name: 'services-1', vpc: f.network.vpc, subnets: f.network.serviceSubnets });
}

function sharedService(f: Fixture, gateway: PrivateIntegrationGateway, name: string, listenerPort: number): SecureFargateService {
  return new SecureFargateService(f.stack, name, {
    ...f.props,
    serviceName: name,
    tlsHostname: `${name}.internal.example.com`,
    privateIntegration: { gateway, listenerPort },
  });
}

describe('PrivateIntegrationGateway shared by three services', () => {
  let f: Fixture;
  let gateway: PrivateIntegrationGateway;
  let services: SecureFargateService[];
  let gate: ReturnType<typeof synthWithGate>;
  let template: Template;
  const sg = (x: ec2.ISecurityGroup) => ({ 'Fn::GetAtt': [logicalIdOf(x), 'GroupId'] });

  beforeAll(() => {
    f = fixture();
    gateway = gatewayOf(f);
    services = SERVICES.map((name, i) => sharedService(f, gateway, name, BASE_PORT + i));
    gate = synthWithGate(f.stack);
    template = gate.template;
  });

  it('passes every security pack with reasoned acknowledgements only', () => {
    expectNoFindings(gate);
    expectReasonedAcknowledgements(gate);
    // The shared NLB carries the access-log acknowledgement once, not once per service.
    const elb2 = gate.acknowledged.filter((a) => a.acknowledgedId === 'AwsSolutions::AwsSolutions-ELB2').map((a) => a.acknowledgedAt);
    expect(elb2).toEqual([expect.stringMatching(/\/Gateway\/LoadBalancer/)]);
  });

  it('is clean under cfn-lint', () => {
    expectCfnLintClean(gate.templatePaths);
  });

  it('creates one hardened internal NLB and one VPC link for all services', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ApiGateway::VpcLink', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internal',
      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'off',
      SecurityGroups: [sg(gateway.securityGroup)],
      Subnets: f.network.vpc.isolatedSubnets.map((s) => ({ Ref: logicalIdOf(s as ec2.Subnet) })),
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }]),
    });
    // No deletion protection while it is created: a rolled-back create could not delete it (ROLLBACK_FAILED).
    expect(JSON.stringify(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))).not.toContain(
      '"deletion_protection.enabled","Value":"true"',
    );
    template.hasResourceProperties('AWS::ApiGateway::VpcLink', { TargetArns: [{ Ref: logicalIdOf(gateway.loadBalancer) }] });
    for (const s of services) {
      expect(s.loadBalancer).toBe(gateway.loadBalancer);
      expect(s.vpcLink).toBe(gateway.vpcLink);
    }
  });

  it('gives each service its own TLS listener on a distinct port of the shared NLB, forwarding to its target group', () => {
    const listeners = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::Listener')).map((r) => r.Properties);
    expect(listeners.map((l) => l.Port).sort()).toEqual([8443, 8444, 8445]);
    services.forEach((s, i) => {
      expect(listeners.find((l) => l.Port === BASE_PORT + i)).toMatchObject({
        LoadBalancerArn: { Ref: logicalIdOf(gateway.loadBalancer) },
        Protocol: 'TLS',
        SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        Certificates: [{ CertificateArn: CERT_ARN }],
        DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalIdOf(s.targetGroup) } }],
      });
    });
    expect(gateway.ports).toEqual([8443, 8444, 8445]);
  });

  it('admits the container port into each task group from the shared NLB group only; nothing enters the NLB group', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    for (const s of services) {
      const into = ingress.filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(sg(s.securityGroup)));
      expect(into).toEqual([expect.objectContaining({ FromPort: 8443, ToPort: 8443, SourceSecurityGroupId: sg(gateway.securityGroup) })]);
    }
    expect(ingress.filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(sg(gateway.securityGroup)))).toEqual([]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^services-1 internal NLB'),
      SecurityGroupIngress: Match.absent(),
    });
  });
});

describe('PrivateIntegrationGateway validation', () => {
  it.each([0, 65536, 8443.5])('rejects listener port %s', (port) => {
    const f = fixture();
    const gateway = gatewayOf(f);
    expect(() => sharedService(f, gateway, 'orders', port)).toThrow(
      new RegExp(
        `invalid privateIntegration\\.listenerPort \\(received ${port}\\): listener ports are whole numbers from 1 to 65535\\. Fix: use a free port`,
      ),
    );
  });

  it('rejects a listener port already used on the gateway, naming the service that has it', () => {
    const f = fixture();
    const gateway = gatewayOf(f);
    sharedService(f, gateway, 'orders', 8443);
    expect(() => sharedService(f, gateway, 'payments', 8443)).toThrow(
      /payments: invalid privateIntegration\.listenerPort \(received 8443\): port 8443 of gateway .*\/Gateway is already the listener of .*\/orders\. Fix: use a port the gateway does not use yet \(taken: 8443\)/,
    );
  });

  it(`rejects listener ${MAX_LISTENERS_PER_NLB + 1} (the NLB listener quota)`, () => {
    const f = fixture();
    const gateway = gatewayOf(f);
    for (let i = 0; i < MAX_LISTENERS_PER_NLB; i++) gateway.reserveListenerPort(new Construct(f.stack, `Owner${i}`), 'listenerPort', 9000 + i);
    expect(gateway.ports).toHaveLength(MAX_LISTENERS_PER_NLB);
    expect(() => sharedService(f, gateway, 'orders', 8443)).toThrow(
      /invalid privateIntegration\.listenerPort \(received 8443\): gateway .* already has 50 listeners.*Fix: create another PrivateIntegrationGateway/,
    );
  });

  it('rejects accessLogsBucket on a service behind a gateway (the gateway logs)', () => {
    const f = fixture();
    const gateway = gatewayOf(f);
    const accessLogsBucket = s3.Bucket.fromBucketName(f.stack, 'Logs', 'access-logs');
    expect(
      () => new SecureFargateService(f.stack, 'Svc', { ...f.props, accessLogsBucket, privateIntegration: { gateway, listenerPort: 8443 } }),
    ).toThrow(/invalid accessLogsBucket .*no load balancer of its own.*Fix: pass accessLogsBucket to the PrivateIntegrationGateway/);
  });

  it('calls each service at https://<host>:<listenerPort><path> over the shared VPC link (no gate: a bare RestApi)', () => {
    const v = fixture();
    const shared = gatewayOf(v);
    const behind = SERVICES.map((name, i) => sharedService(v, shared, name, BASE_PORT + i));
    const api = new apigw.RestApi(v.stack, 'Api', { deploy: false });
    for (const s of behind) api.root.addResource(s.node.id).addMethod('GET', s.integration(`/${s.node.id}/{id}`));
    const t = Template.fromStack(v.stack);
    behind.forEach((s, i) => {
      expect(s.listenerPort).toBe(BASE_PORT + i);
      t.hasResourceProperties('AWS::ApiGateway::Method', {
        Integration: Match.objectLike({
          Uri: `https://${s.node.id}.internal.example.com:${BASE_PORT + i}/${s.node.id}/{id}`,
          ConnectionType: 'VPC_LINK',
          ConnectionId: { Ref: logicalIdOf(shared.vpcLink) },
        }),
      });
    });
  });

  it('rejects a name that is not a log prefix', () => {
    const f = fixture();
    expect(() => new PrivateIntegrationGateway(f.stack, 'Gateway', { name: 'Services 1', vpc: f.network.vpc })).toThrow(
      /invalid name \(received "Services 1"\).*Fix: use lower-case letters/,
    );
  });

  it('writes access logs to a bucket when given one, and needs a region for it', () => {
    const f = fixture(newStack('TestStack', { account: '111122223333', region: 'eu-west-1' }));
    const accessLogsBucket = s3.Bucket.fromBucketName(f.stack, 'Logs', 'access-logs');
    new PrivateIntegrationGateway(f.stack, 'Gateway', { name: 'services-1', vpc: f.network.vpc, accessLogsBucket });
    Template.fromStack(f.stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: 'access-logs' },
        { Key: 'access_logs.s3.prefix', Value: 'services-1' },
      ]),
    });
    const agnostic = fixture();
    const bucket = s3.Bucket.fromBucketName(agnostic.stack, 'Logs', 'access-logs');
    expect(
      () => new PrivateIntegrationGateway(agnostic.stack, 'Gateway', { name: 'services-1', vpc: agnostic.network.vpc, accessLogsBucket: bucket }),
    ).toThrow(/invalid accessLogsBucket .*this stack is env-agnostic.*Fix: give the stack an env/);
  });
});
