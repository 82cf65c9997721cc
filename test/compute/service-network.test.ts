import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SecureFargateService } from '../../lib/compute/secure-fargate-service';
import { LATTICE_DEFAULT_IDLE_TIMEOUT_SECONDS, ServiceNetwork, VPC_LATTICE_LINK_LOCAL_CIDR } from '../../lib/compute/service-network';
import { newStack } from '../support/harness';
import { fixture } from './fixtures';
import { CfnJson } from '../../lib/private/rule-helpers';

// The gate and cfn-lint run over the platform's service network in test/platform/service-calls.test.ts; this file
// checks the construct's own options on a cheap template (a non-default idle timeout is a property cfn-lint's
// schema does not know yet, so it is not linted).
describe('ServiceNetwork and SecureFargateService callers', () => {
  let template: Template;
  let network: ServiceNetwork;
  let orders: SecureFargateService;
  let payments: SecureFargateService;

  beforeAll(() => {
    const { stack, keys, network: vpcNetwork, props } = fixture();
    network = new ServiceNetwork(stack, 'Calls', { vpc: vpcNetwork.vpc, logsKey: keys.logsKey, latticePrefixListId: 'pl-0123456789abcdef0' });
    orders = new SecureFargateService(stack, 'Orders', props);
    payments = new SecureFargateService(stack, 'Payments', {
      ...props,
      serviceName: 'payments',
      tlsHostname: 'payments.internal.example.com',
      cluster: orders.cluster,
      namespace: orders.namespace,
      callers: { entry: network.addService('payments', { idleTimeout: Duration.minutes(2) }), services: [orders] },
      serviceConnectIdleTimeout: Duration.seconds(30),
    });
    template = Template.fromStack(stack);
  });

  it("writes a non-default idle timeout and leaves Lattice's 60 s default implicit", () => {
    template.hasResourceProperties('AWS::VpcLattice::Service', { AuthType: 'AWS_IAM', IdleTimeoutSeconds: 120 });
    expect(network.services.get('payments')!.idleTimeout.toSeconds()).toBe(120);
    expect(LATTICE_DEFAULT_IDLE_TIMEOUT_SECONDS).toBe(60);
  });

  it('uses the given Lattice prefix list for the callee ingress and the caller egress, and admits the caller at the association', () => {
    const egress = [
      ...Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties),
      ...Object.values(template.findResources('AWS::EC2::SecurityGroup')).flatMap((g) => g.Properties.SecurityGroupEgress ?? []),
    ];
    const toLattice = egress.filter((e: CfnJson) => e.DestinationPrefixListId === 'pl-0123456789abcdef0');
    expect(toLattice).toEqual([
      expect.objectContaining({ FromPort: 443, ToPort: 443, GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^OrdersSecurityGroup/), 'GroupId'] } }),
    ]);
    expect(JSON.stringify(template.toJSON())).not.toContain(VPC_LATTICE_LINK_LOCAL_CIDR);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(ingress.some((r) => r.SourcePrefixListId === 'pl-0123456789abcdef0' && r.FromPort === 8443)).toBe(true);
    expect(
      ingress.some((r) => r.FromPort === 443 && /Calls/.test(JSON.stringify(r.GroupId)) && /Orders/.test(JSON.stringify(r.SourceSecurityGroupId))),
    ).toBe(true);
  });

  it('sets the Service Connect idle timeout on every service (default 60 s)', () => {
    const timeouts = Object.values(template.findResources('AWS::ECS::Service')).map(
      (s) => s.Properties.ServiceConnectConfiguration.Services[0].Timeout,
    );
    expect(timeouts).toEqual([{ IdleTimeoutSeconds: 60 }, { IdleTimeoutSeconds: 30 }]);
    expect(payments.callerAccess?.callers).toEqual([orders]);
  });

  describe('rejects bad input with prop, value and fix', () => {
    it('service names, prefix lists, idle timeouts and duplicate services', () => {
      const { stack, keys, network: vpcNetwork } = fixture(newStack());
      expect(() => new ServiceNetwork(stack, 'Bad', { vpc: vpcNetwork.vpc, logsKey: keys.logsKey, latticePrefixListId: 'vpc-lattice' })).toThrow(
        /invalid latticePrefixListId \(received "vpc-lattice"\).*Fix:/,
      );
      const n = new ServiceNetwork(stack, 'Calls', { vpc: vpcNetwork.vpc, logsKey: keys.logsKey });
      expect(() => n.addService('Payments')).toThrow(/invalid addService\.name \(received "Payments"\)/);
      expect(() => n.addService('payments', { idleTimeout: Duration.seconds(0) })).toThrow(/idleTimeout \(received "0 s"\)/);
      n.addService('payments');
      expect(() => n.addService('payments')).toThrow(/already on the network/);
    });

    it('callers that are empty, the service itself, or an entry of another service; a Service Connect idle timeout of 0', () => {
      const { stack, keys, network: vpcNetwork, props } = fixture(newStack());
      const n = new ServiceNetwork(stack, 'Calls', { vpc: vpcNetwork.vpc, logsKey: keys.logsKey });
      const caller = new SecureFargateService(stack, 'Orders', props);
      const other = { ...props, serviceName: 'payments', cluster: caller.cluster, namespace: caller.namespace };
      expect(() => new SecureFargateService(stack, 'P1', { ...other, callers: { entry: n.addService('shipping'), services: [caller] } })).toThrow(
        /invalid callers.entry \(received "shipping"\).*Fix: use serviceNetwork.addService\("payments"\)/,
      );
      expect(() => new SecureFargateService(stack, 'P2', { ...other, callers: { entry: n.addService('payments'), services: [] } })).toThrow(
        /admits nobody/,
      );
      expect(() => new SecureFargateService(stack, 'P3', { ...other, serviceConnectIdleTimeout: Duration.seconds(0) })).toThrow(
        /invalid serviceConnectIdleTimeout \(received "0 s"\)/,
      );
    });
  });
});
