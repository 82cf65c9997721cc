import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Template } from 'aws-cdk-lib/assertions';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { beforeAll, describe, expect, it } from 'vitest';
import { SecureMicroservicePlatform } from '../../lib/platform/secure-microservice-platform';
import { ARCHITECTURE_DOT_FILE, SECURITY_REPORT_FILE } from '../../lib/report/security-report';
import { VPC_LATTICE_LINK_LOCAL_CIDR } from '../../lib/compute/service-network';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as vpclattice from 'aws-cdk-lib/aws-vpclattice';
import { ServiceToServiceCallsIdentityChecked, ServiceToServiceRouteHasTimeout } from '../../lib/checks/rules';
import { expectCfnLintClean, ruleViolations } from '../support/checks';
import { expectNoFindings, expectReasonedAcknowledgements, newStack, synthWithGate } from '../support/harness';
import { CfnJson } from '../../lib/private/rule-helpers';

// orders and catalog call; payments is called by orders, shipping by orders and catalog. With 2 services per nested
// stack, shipping (Services2) is called from Services1: the edges cross nested stacks.
const ALLOW_FROM: Record<string, string[]> = { orders: [], payments: ['orders'], catalog: [], shipping: ['orders', 'catalog'] };
const EDGES = Object.entries(ALLOW_FROM)
  .flatMap(([callee, callers]) => callers.map((caller) => `${caller} -> ${callee}`))
  .sort();

describe('service-to-service calls: allowFrom is an identity check at the callee (VPC Lattice, IAM auth)', () => {
  let gate: ReturnType<typeof synthWithGate>;
  let platform: SecureMicroservicePlatform;
  let parent: Template;
  let nested: Template[];
  let report: string;
  let dot: string;

  /** Every resource of one type across the parent and nested templates, with the stack it is in. */
  const all = (type: string): { id: string; Properties: CfnJson }[] =>
    [parent, ...nested].flatMap((t) => Object.entries(t.findResources(type)).map(([id, r]) => ({ id, Properties: r.Properties })));
  /** The service a logical id or a cross-stack parameter name belongs to (they carry the construct path). */
  const serviceOf = (ref: unknown) => Object.keys(ALLOW_FROM).filter((s) => new RegExp(`${s}Service|Service${s}`).test(JSON.stringify(ref)));

  beforeAll(() => {
    const stack = newStack('CallsTest');
    platform = new SecureMicroservicePlatform(stack, 'Platform', {
      environmentName: 'test',
      serviceDomain: 'internal.example.com',
      serviceCertificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      s3PrefixListId: 'pl-6da54004',
      servicesPerStack: 2,
    });
    for (const [name, allowFrom] of Object.entries(ALLOW_FROM)) {
      platform.addService(name, {
        imageTag: '1.0.0',
        allowFrom,
        callRequestTimeout: name === 'shipping' ? Duration.seconds(3) : undefined,
        routes: [{ version: 'v1', path: `/${name}`, method: 'GET', scopes: [`${name}/read`] }],
      });
    }
    // The account baseline's detector (PlatformChecks GuardDutyRuntimeMonitoringForEcs); the baseline itself is tested in test/baseline.
    new guardduty.CfnDetector(stack, 'Detector', {
      enable: true,
      features: [
        { name: 'RUNTIME_MONITORING', status: 'ENABLED', additionalConfiguration: [{ name: 'ECS_FARGATE_AGENT_MANAGEMENT', status: 'ENABLED' }] },
      ],
    });
    gate = synthWithGate(stack);
    parent = gate.template;
    const stacks = [...new Set([...platform.services.values()].map((s) => s.stack))];
    nested = stacks.map((s) => Template.fromJSON(JSON.parse(fs.readFileSync(path.join(gate.assemblyDir, (s as Stack).templateFile), 'utf8'))));
    report = fs.readFileSync(path.join(gate.assemblyDir, SECURITY_REPORT_FILE), 'utf8');
    dot = fs.readFileSync(path.join(gate.assemblyDir, ARCHITECTURE_DOT_FILE), 'utf8');
  });

  it('passes every pack (reasoned acknowledgements only) and cfn-lint', () => {
    expectNoFindings(gate);
    expectReasonedAcknowledgements(gate);
    expectCfnLintClean(gate.templatePaths);
  });

  it('one service network with IAM auth, associated with the VPC, admitting this account only, access-logged', () => {
    parent.resourceCountIs('AWS::VpcLattice::ServiceNetwork', 1);
    parent.hasResourceProperties('AWS::VpcLattice::ServiceNetwork', { AuthType: 'AWS_IAM' });
    parent.resourceCountIs('AWS::VpcLattice::ServiceNetworkVpcAssociation', 1);
    parent.resourceCountIs('AWS::VpcLattice::AccessLogSubscription', 1);
    const [networkPolicy] = all('AWS::VpcLattice::AuthPolicy').filter((p) => p.Properties.Policy.Statement[0].Principal === '*');
    expect(networkPolicy.Properties.Policy.Statement[0].Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } });
  });

  it('every allowFrom edge is an identity-based allow on both sides: the callee auth policy and the caller role policy', () => {
    const services = all('AWS::VpcLattice::Service');
    expect(services).toHaveLength(2);
    for (const s of services) expect(s.Properties.AuthType).toBe('AWS_IAM');
    const calleePolicies = all('AWS::VpcLattice::AuthPolicy').filter((p) => p.Properties.Policy.Statement[0].Principal !== '*');
    const authEdges = calleePolicies.flatMap((p) => {
      const [callee] = serviceOf(p.Properties.ResourceIdentifier);
      const statement = p.Properties.Policy.Statement[0];
      expect(statement).toMatchObject({ Effect: 'Allow', Action: 'vpc-lattice-svcs:Invoke' });
      return statement.Principal.AWS.map((principal: unknown) => `${serviceOf(principal)[0]} -> ${callee}`);
    });
    expect(authEdges.sort()).toEqual(EDGES);
    const identityEdges = all('AWS::IAM::ManagedPolicy')
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('vpc-lattice-svcs:Invoke'))
      .map((p) => `${serviceOf(p.Properties.Roles)[0]} -> ${serviceOf(p.Properties.PolicyDocument.Statement[0].Resource)[0]}`);
    expect(identityEdges.sort()).toEqual(EDGES);
  });

  it('an edge absent from allowFrom has no allow: services without callers have no Lattice service, target group or listener', () => {
    const withLattice = all('AWS::ECS::Service')
      .filter((s) => s.Properties.VpcLatticeConfigurations)
      .map((s) => serviceOf(s.id)[0]);
    expect(withLattice.sort()).toEqual(['payments', 'shipping']);
    expect(all('AWS::VpcLattice::TargetGroup')).toHaveLength(2);
    expect(all('AWS::VpcLattice::Listener').map((l) => l.Properties.Protocol)).toEqual(['HTTPS', 'HTTPS']);
    // Only callers may reach VPC Lattice at all (egress), and no peer may reach the Service Connect port directly.
    const latticeEgress = [
      ...all('AWS::EC2::SecurityGroup')
        .filter((g) => (g.Properties.SecurityGroupEgress ?? []).some((e: CfnJson) => e.CidrIp === VPC_LATTICE_LINK_LOCAL_CIDR))
        .map((g) => serviceOf(g.id)[0]),
    ];
    expect(latticeEgress.sort()).toEqual(['catalog', 'orders']);
    expect(all('AWS::EC2::SecurityGroupIngress').filter((r) => r.Properties.FromPort === 15443)).toEqual([]);
  });

  it('registers the callee tasks through ECS (portName app, an infrastructure role) and health-checks them over HTTPS', () => {
    const [payments] = all('AWS::ECS::Service').filter((s) => serviceOf(s.id)[0] === 'payments');
    expect(payments.Properties.VpcLatticeConfigurations).toEqual([expect.objectContaining({ PortName: 'app' })]);
    for (const tg of all('AWS::VpcLattice::TargetGroup')) {
      expect(tg.Properties).toMatchObject({
        Type: 'IP',
        Config: { Protocol: 'HTTPS', Port: 8443, HealthCheck: { Enabled: true, Protocol: 'HTTPS', Path: '/health' } },
      });
    }
  });

  it('every service-to-service route has a timeout: Lattice idle timeout (its 60 s default), callers get a deadline, Service Connect idle timeout', () => {
    expect([...platform.serviceNetwork!.services.values()].map((e) => [e.name, e.idleTimeout.toSeconds()])).toEqual([
      ['payments', 60],
      ['shipping', 60],
    ]);
    for (const s of all('AWS::ECS::Service')) {
      expect(s.Properties.ServiceConnectConfiguration.Services[0].Timeout).toEqual({ IdleTimeoutSeconds: 60 });
    }
    const env = (service: string) => {
      const [td] = all('AWS::ECS::TaskDefinition').filter((t) => serviceOf(t.id)[0] === service);
      return Object.fromEntries((td.Properties.ContainerDefinitions[0].Environment ?? []).map((e: CfnJson) => [e.Name, e.Value]));
    };
    expect(env('orders')).toMatchObject({
      PAYMENTS_REQUEST_TIMEOUT_MS: '10000',
      SHIPPING_REQUEST_TIMEOUT_MS: '3000',
      PAYMENTS_URL: expect.anything(),
      SHIPPING_URL: expect.anything(),
    });
    expect(env('catalog')).toMatchObject({ SHIPPING_REQUEST_TIMEOUT_MS: '3000' });
    expect(env('catalog')).not.toHaveProperty('PAYMENTS_URL');
  });

  it('the security report lists exactly the allowFrom call graph, with timeouts per service, and the diagram draws it', () => {
    const rows = report.split('\n').filter((l) => /^\| (orders|payments|catalog|shipping) \|/.test(l));
    expect(rows).toHaveLength(4);
    const reported = rows.flatMap((r) => {
      const [, service, callers] = r.split('|').map((c) => c.trim());
      return callers === 'nobody' ? [] : callers.split(', ').map((caller) => `${caller} -> ${service}`);
    });
    expect(reported.sort()).toEqual(EDGES);
    expect(rows.find((r) => r.startsWith('| shipping |'))).toMatch(/\| 60 s \| 3000 ms \| 60 s \|/);
    expect(rows.find((r) => r.startsWith('| orders |'))).toMatch(/\| nobody \| none: no service may call it \|/);
    const drawn = [...report.matchAll(/svc__?(\w+?) -->\|IAM auth\| svc__?(\w+)/g)].map(
      ([, a, b]) => `${a.split('_').pop()} -> ${b.split('_').pop()}`,
    );
    expect(drawn.sort()).toEqual(EDGES);
    const dotEdges = [...dot.matchAll(/svc_\w*?_(\w+) -> svc_\w*?_(\w+) \[label="IAM auth"\]/g)].map(([, a, b]) => `${a} -> ${b}`);
    expect(dotEdges.sort()).toEqual(EDGES);
  });

  it('rejects bad timeouts with prop, value and fix', () => {
    const stack = newStack('BadCalls');
    const p = new SecureMicroservicePlatform(stack, 'Platform', {
      environmentName: 'test',
      serviceDomain: 'internal.example.com',
      s3PrefixListId: 'pl-6da54004',
      serviceCertificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    });
    p.addService('orders', { imageTag: '1.0.0' });
    expect(() => p.addService('payments', { imageTag: '1.0.0', allowFrom: ['orders'], callIdleTimeout: Duration.minutes(11) })).toThrow(
      /invalid addService\("payments"\)\.idleTimeout \(received "660 s"\).*1 s to 600 s.*Fix:/,
    );
    expect(() => p.addService('billing', { imageTag: '1.0.0', allowFrom: ['orders'], callRequestTimeout: Duration.millis(10) })).toThrow(
      /invalid callers.requestTimeout \(received "10 ms"\).*Fix:/,
    );
  });

  // Last: it changes the synthesized platform's constructs (the rules read them without synthesizing again).
  it('the PlatformChecks rules pass this platform and fail it without identity checks or timeouts', () => {
    const stacks = [...new Set([...platform.services.values()].map((s) => s.stack))];
    for (const rule of [ServiceToServiceCallsIdentityChecked, ServiceToServiceRouteHasTimeout]) {
      expect(stacks.length).toBe(2);
      expect(ruleViolations(rule, Stack.of(platform))).toEqual([]);
    }
    const payments = platform.services.get('payments')!.service;
    const orders = platform.services.get('orders')!.service;
    payments.connections.allowFrom(orders, ec2.Port.tcp(15443), 'a network-only path');
    (payments.service.node.defaultChild as ecs.CfnService).addPropertyOverride(
      'ServiceConnectConfiguration.Services.0.Timeout.IdleTimeoutSeconds',
      0,
    );
    (platform.serviceNetwork!.services.get('shipping')!.service as vpclattice.CfnService).authType = 'NONE';
    expect(ruleViolations(ServiceToServiceCallsIdentityChecked, Stack.of(payments))).toEqual([
      expect.stringMatching(/payments\/Service\/SecurityGroup\/from \w*ordersServiceSecurityGroup\w*:15443$/),
    ]);
    // The platform stack's scope takes in its nested stacks: both findings.
    expect(ruleViolations(ServiceToServiceCallsIdentityChecked, Stack.of(platform))).toEqual([
      expect.stringMatching(/ServiceNetwork\/Service-shipping$/),
      expect.stringMatching(/payments\/Service\/SecurityGroup\/from /),
    ]);
    expect(ruleViolations(ServiceToServiceRouteHasTimeout, Stack.of(payments))).toEqual([
      expect.stringMatching(/payments\/Service\/Service\/Service$/),
    ]);
  });
});
