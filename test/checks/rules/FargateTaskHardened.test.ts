import * as ecs from 'aws-cdk-lib/aws-ecs';
import { describe, expect, it } from 'vitest';
import { FargateTaskHardened, PLATFORM_RULES } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

const hardened: ecs.CfnTaskDefinition.ContainerDefinitionProperty = {
  name: 'app',
  image: 'repo:1.0.0',
  user: '1000:1000',
  readonlyRootFilesystem: true,
  privileged: false,
};

function taskDefinition(
  stack: ReturnType<typeof newStack>,
  id: string,
  container: ecs.CfnTaskDefinition.ContainerDefinitionProperty,
  compatibility = 'FARGATE',
): void {
  new ecs.CfnTaskDefinition(stack, id, {
    requiresCompatibilities: [compatibility],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [container],
  });
}

describe('Platform-FargateTaskHardened', () => {
  it('is registered in PlatformChecks', () => {
    expect(PLATFORM_RULES).toContain(FargateTaskHardened);
  });

  it('accepts a non-root, read-only, unprivileged container and ignores EC2-only task definitions', () => {
    const stack = newStack();
    taskDefinition(stack, 'Task', hardened);
    taskDefinition(stack, 'Ec2Task', { name: 'app', image: 'repo:1.0.0' }, 'EC2');
    expect(ruleViolations(FargateTaskHardened, stack)).toEqual([]);
  });

  it.each([
    ['no user', { user: undefined }],
    ['root', { user: 'root' }],
    ['uid 0', { user: '0:0' }],
    ['uid 0 written 00', { user: '00' }],
    ['uid 0 written +0 with a group', { user: '+0:1000' }],
    ['ROOT in capitals', { user: 'ROOT' }],
    ['a writable root filesystem', { readonlyRootFilesystem: false }],
    ['a privileged container', { privileged: true }],
  ])('flags %s', (_case, override) => {
    const stack = newStack();
    taskDefinition(stack, 'Task', { ...hardened, ...override });
    expect(ruleViolations(FargateTaskHardened, stack)).toEqual(['TestStack/Task']);
  });
});
