import * as ecs from 'aws-cdk-lib/aws-ecs';
import { describe, expect, it } from 'vitest';
import { FargateClusterEphemeralStorageEncrypted, PLATFORM_RULES } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

describe('Platform-FargateClusterEphemeralStorageEncrypted', () => {
  it('is registered in PlatformChecks', () => {
    expect(PLATFORM_RULES).toContain(FargateClusterEphemeralStorageEncrypted);
  });

  it('accepts a cluster whose Fargate ephemeral storage uses a customer key', () => {
    const stack = newStack();
    new ecs.CfnCluster(stack, 'Cluster', {
      configuration: { managedStorageConfiguration: { fargateEphemeralStorageKmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1' } },
    });
    expect(ruleViolations(FargateClusterEphemeralStorageEncrypted, stack)).toEqual([]);
  });

  it('flags a cluster without it, and one with only a managed-storage key for EBS', () => {
    const stack = newStack();
    new ecs.CfnCluster(stack, 'Cluster', {});
    new ecs.CfnCluster(stack, 'EbsOnly', {
      configuration: { managedStorageConfiguration: { kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1' } },
    });
    expect(ruleViolations(FargateClusterEphemeralStorageEncrypted, stack)).toEqual(['TestStack/Cluster', 'TestStack/EbsOnly']);
  });
});
