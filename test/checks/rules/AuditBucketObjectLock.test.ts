import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { AuditBucketObjectLock, PLATFORM_RULES } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

function trailTo(stack: ReturnType<typeof newStack>, bucket: s3.CfnBucket): void {
  new cloudtrail.CfnTrail(stack, 'Trail', { isLogging: true, s3BucketName: bucket.ref });
}

describe('Platform-AuditBucketObjectLock', () => {
  it('is registered in PlatformChecks', () => {
    expect(PLATFORM_RULES).toContain(AuditBucketObjectLock);
  });

  it('accepts a trail bucket with Object Lock and a default retention, and ignores buckets no trail writes to', () => {
    const stack = newStack();
    const bucket = new s3.CfnBucket(stack, 'TrailBucket', {
      objectLockEnabled: true,
      objectLockConfiguration: { objectLockEnabled: 'Enabled', rule: { defaultRetention: { mode: 'COMPLIANCE', days: 365 } } },
    });
    trailTo(stack, bucket);
    new s3.CfnBucket(stack, 'DataBucket');
    expect(ruleViolations(AuditBucketObjectLock, stack)).toEqual([]);
  });

  it('flags a trail bucket without Object Lock, and one with Object Lock but no default retention', () => {
    const stack = newStack();
    trailTo(stack, new s3.CfnBucket(stack, 'TrailBucket'));
    expect(ruleViolations(AuditBucketObjectLock, stack)).toEqual(['TestStack/TrailBucket']);
    const other = newStack();
    trailTo(other, new s3.CfnBucket(other, 'TrailBucket', { objectLockEnabled: true, objectLockConfiguration: { objectLockEnabled: 'Enabled' } }));
    expect(ruleViolations(AuditBucketObjectLock, other)).toEqual(['TestStack/TrailBucket']);
  });

  it('also finds the trail bucket when the trail names it literally', () => {
    const stack = newStack();
    new s3.CfnBucket(stack, 'TrailBucket', { bucketName: 'acme-trail' });
    new cloudtrail.CfnTrail(stack, 'Trail', { isLogging: true, s3BucketName: 'acme-trail' });
    expect(ruleViolations(AuditBucketObjectLock, stack)).toEqual(['TestStack/TrailBucket']);
  });
});
