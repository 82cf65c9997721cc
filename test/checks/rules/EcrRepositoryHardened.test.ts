import * as ecr from 'aws-cdk-lib/aws-ecr';
import { describe, expect, it } from 'vitest';
import { EcrRepositoryHardened, PLATFORM_RULES } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

const hardened: ecr.CfnRepositoryProps = {
  imageTagMutability: 'IMMUTABLE',
  imageScanningConfiguration: { scanOnPush: true },
  encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:eu-west-1:111122223333:key/abc' },
};

describe('Platform-EcrRepositoryHardened', () => {
  it('is registered in PlatformChecks', () => {
    expect(PLATFORM_RULES).toContain(EcrRepositoryHardened);
  });

  it('accepts an immutable, scanned, KMS-encrypted repository', () => {
    const stack = newStack();
    new ecr.CfnRepository(stack, 'Repo', hardened);
    expect(ruleViolations(EcrRepositoryHardened, stack)).toEqual([]);
  });

  it.each([
    ['mutable tags', { imageTagMutability: 'MUTABLE' }],
    ['no scan on push', { imageScanningConfiguration: { scanOnPush: false } }],
    ['AES-256 encryption', { encryptionConfiguration: { encryptionType: 'AES256' } }],
    ['KMS without a customer key', { encryptionConfiguration: { encryptionType: 'KMS' } }],
  ])('flags %s', (_case, override) => {
    const stack = newStack();
    new ecr.CfnRepository(stack, 'Repo', { ...hardened, ...override });
    expect(ruleViolations(EcrRepositoryHardened, stack)).toEqual(['TestStack/Repo']);
  });
});
