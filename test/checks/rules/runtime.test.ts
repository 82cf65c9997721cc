import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { describe, expect, it } from 'vitest';
import { PlatformChecks } from '../../../lib/checks/platform-checks';
import { PlatformRule } from '../../../lib/checks/rule';
import { EcrRepositoryHardened, EcsServiceNoPublicIp, FargateTaskHardened, PLATFORM_RULES } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';

/** Rule names the rule reports for the stack's resources (empty when everything complies). */
function violations(rule: PlatformRule, stack: Stack): string[] {
  const report = new PlatformChecks(undefined, { rules: [rule] }).validateScope(stack);
  return report.violations.map((v) => v.ruleName);
}

const hardenedRepository: ecr.CfnRepositoryProps = {
  imageTagMutability: 'IMMUTABLE',
  imageScanningConfiguration: { scanOnPush: true },
  encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:eu-west-1:111122223333:key/abc' },
};

const hardenedContainer: ecs.CfnTaskDefinition.ContainerDefinitionProperty = {
  name: 'app', image: 'repo:1.0.0', user: '1000:1000', readonlyRootFilesystem: true, privileged: false,
};

function taskDefinition(stack: Stack, id: string, container: ecs.CfnTaskDefinition.ContainerDefinitionProperty, compatibility = 'FARGATE'): void {
  new ecs.CfnTaskDefinition(stack, id, { requiresCompatibilities: [compatibility], networkMode: 'awsvpc', cpu: '256', memory: '512', containerDefinitions: [container] });
}

describe('runtime rules', () => {
  it('are registered in PlatformChecks', () => {
    expect(PLATFORM_RULES).toEqual(expect.arrayContaining([EcrRepositoryHardened, FargateTaskHardened, EcsServiceNoPublicIp]));
  });

  describe('EcrRepositoryHardened', () => {
    it('passes an immutable, scanned, KMS-encrypted repository', () => {
      const stack = newStack();
      new ecr.CfnRepository(stack, 'Repo', hardenedRepository);
      expect(violations(EcrRepositoryHardened, stack)).toEqual([]);
    });

    it.each([
      ['mutable tags', { imageTagMutability: 'MUTABLE' }],
      ['no scan on push', { imageScanningConfiguration: { scanOnPush: false } }],
      ['AES-256 encryption', { encryptionConfiguration: { encryptionType: 'AES256' } }],
      ['KMS without a customer key', { encryptionConfiguration: { encryptionType: 'KMS' } }],
    ])('flags %s', (_case, override) => {
      const stack = newStack();
      new ecr.CfnRepository(stack, 'Repo', { ...hardenedRepository, ...override });
      expect(violations(EcrRepositoryHardened, stack)).toEqual(['Platform-EcrRepositoryHardened']);
    });
  });

  describe('FargateTaskHardened', () => {
    it('passes a non-root, read-only, unprivileged container and ignores EC2-only task definitions', () => {
      const stack = newStack();
      taskDefinition(stack, 'Task', hardenedContainer);
      taskDefinition(stack, 'Ec2Task', { name: 'app', image: 'repo:1.0.0' }, 'EC2');
      expect(violations(FargateTaskHardened, stack)).toEqual([]);
    });

    it.each([
      ['no user', { user: undefined }],
      ['root', { user: 'root' }],
      ['uid 0', { user: '0:0' }],
      ['a writable root filesystem', { readonlyRootFilesystem: false }],
      ['a privileged container', { privileged: true }],
    ])('flags %s', (_case, override) => {
      const stack = newStack();
      taskDefinition(stack, 'Task', { ...hardenedContainer, ...override });
      expect(violations(FargateTaskHardened, stack)).toEqual(['Platform-FargateTaskHardened']);
    });
  });

  describe('EcsServiceNoPublicIp', () => {
    const service = (stack: Stack, assignPublicIp?: string) => new ecs.CfnService(stack, 'Service', {
      cluster: 'c', taskDefinition: 't', launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp } },
    });

    it.each([['DISABLED'], [undefined]])('passes AssignPublicIp %s', (assign) => {
      const stack = newStack();
      service(stack, assign);
      expect(violations(EcsServiceNoPublicIp, stack)).toEqual([]);
    });

    it('flags AssignPublicIp ENABLED', () => {
      const stack = newStack();
      service(stack, 'ENABLED');
      expect(violations(EcsServiceNoPublicIp, stack)).toEqual(['Platform-EcsServiceNoPublicIp']);
    });
  });
});
