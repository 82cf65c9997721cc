import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import { describe, expect, it } from 'vitest';
import { CloudTrailValidatedEncryptedMultiRegion, PLATFORM_RULES } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

const COMPLIANT: cloudtrail.CfnTrailProps = {
  isLogging: true,
  s3BucketName: 'trail-bucket',
  isMultiRegionTrail: true,
  enableLogFileValidation: true,
  kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1',
};

describe('Platform-CloudTrailValidatedEncryptedMultiRegion', () => {
  it('is registered in PlatformChecks', () => {
    expect(PLATFORM_RULES).toContain(CloudTrailValidatedEncryptedMultiRegion);
  });

  it('accepts a multi-region trail with log-file validation and a KMS key', () => {
    const stack = newStack();
    new cloudtrail.CfnTrail(stack, 'Trail', COMPLIANT);
    expect(ruleViolations(CloudTrailValidatedEncryptedMultiRegion, stack)).toEqual([]);
  });

  it.each<[string, Partial<cloudtrail.CfnTrailProps>]>([
    ['a single-region trail', { isMultiRegionTrail: false }],
    ['a trail without log-file validation', { enableLogFileValidation: undefined }],
    ['a trail without a KMS key', { kmsKeyId: undefined }],
  ])('flags %s', (_name, change) => {
    const stack = newStack();
    new cloudtrail.CfnTrail(stack, 'Trail', { ...COMPLIANT, ...change });
    expect(ruleViolations(CloudTrailValidatedEncryptedMultiRegion, stack)).toEqual(['TestStack/Trail']);
  });
});
