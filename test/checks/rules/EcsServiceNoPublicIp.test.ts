import * as ecs from 'aws-cdk-lib/aws-ecs';
import { describe, expect, it } from 'vitest';
import { EcsServiceNoPublicIp, PLATFORM_RULES } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

function service(stack: ReturnType<typeof newStack>, assignPublicIp?: string): void {
  new ecs.CfnService(stack, 'Service', {
    cluster: 'c',
    taskDefinition: 't',
    launchType: 'FARGATE',
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp } },
  });
}

describe('Platform-EcsServiceNoPublicIp', () => {
  it('is registered in PlatformChecks', () => {
    expect(PLATFORM_RULES).toContain(EcsServiceNoPublicIp);
  });

  it.each([['DISABLED'], [undefined]])('accepts AssignPublicIp %s', (assign) => {
    const stack = newStack();
    service(stack, assign);
    expect(ruleViolations(EcsServiceNoPublicIp, stack)).toEqual([]);
  });

  it('flags AssignPublicIp ENABLED', () => {
    const stack = newStack();
    service(stack, 'ENABLED');
    expect(ruleViolations(EcsServiceNoPublicIp, stack)).toEqual(['TestStack/Service']);
  });
});
