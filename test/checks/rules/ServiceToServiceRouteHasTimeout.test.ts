import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as vpclattice from 'aws-cdk-lib/aws-vpclattice';
import { describe, expect, it } from 'vitest';
import { PLATFORM_RULES, ServiceToServiceRouteHasTimeout } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

function serviceConnect(stack: ReturnType<typeof newStack>, id: string, timeout?: ecs.CfnService.TimeoutConfigurationProperty): void {
  new ecs.CfnService(stack, id, {
    cluster: 'c',
    taskDefinition: 't',
    launchType: 'FARGATE',
    serviceConnectConfiguration: { enabled: true, namespace: 'ns', services: [{ portName: 'app', clientAliases: [{ port: 8443 }], timeout }] },
  });
}

function targetGroup(stack: ReturnType<typeof newStack>, id: string, enabled?: boolean): void {
  new vpclattice.CfnTargetGroup(stack, id, {
    type: 'IP',
    config: { port: 8443, protocol: 'HTTPS', vpcIdentifier: 'vpc-1', healthCheck: enabled === undefined ? undefined : { enabled } },
  });
}

describe('Platform-ServiceToServiceRouteHasTimeout', () => {
  it('is registered in PlatformChecks', () => {
    expect(PLATFORM_RULES).toContain(ServiceToServiceRouteHasTimeout);
  });

  it('accepts Service Connect with an idle timeout, Lattice services with their default or a set idle timeout, health-checked target groups', () => {
    const stack = newStack();
    serviceConnect(stack, 'Timed', { idleTimeoutSeconds: 60 });
    serviceConnect(stack, 'TimedPerRequest', { idleTimeoutSeconds: 60, perRequestTimeoutSeconds: 15 });
    new ecs.CfnService(stack, 'NoServiceConnect', { cluster: 'c', taskDefinition: 't' });
    new vpclattice.CfnService(stack, 'DefaultIdle', { authType: 'AWS_IAM' });
    new vpclattice.CfnService(stack, 'SetIdle', { authType: 'AWS_IAM', idleTimeoutSeconds: 120 });
    targetGroup(stack, 'DefaultHealth');
    targetGroup(stack, 'Health', true);
    expect(ruleViolations(ServiceToServiceRouteHasTimeout, stack)).toEqual([]);
  });

  it('flags Service Connect without a timeout or with 0, a Lattice idle timeout of 0, and target groups without health checks', () => {
    const stack = newStack();
    serviceConnect(stack, 'Untimed');
    serviceConnect(stack, 'ZeroIdle', { idleTimeoutSeconds: 0 });
    serviceConnect(stack, 'ZeroPerRequest', { idleTimeoutSeconds: 60, perRequestTimeoutSeconds: 0 });
    new vpclattice.CfnService(stack, 'ZeroLattice', { authType: 'AWS_IAM', idleTimeoutSeconds: 0 });
    targetGroup(stack, 'NoHealth', false);
    expect(ruleViolations(ServiceToServiceRouteHasTimeout, stack)).toEqual([
      'TestStack/NoHealth',
      'TestStack/Untimed',
      'TestStack/ZeroIdle',
      'TestStack/ZeroLattice',
      'TestStack/ZeroPerRequest',
    ]);
  });
});
