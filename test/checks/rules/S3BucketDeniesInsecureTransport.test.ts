import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, test } from 'vitest';
import { PlatformChecks } from '../../../lib/checks/platform-checks';
import { S3BucketDeniesInsecureTransport } from '../../../lib/checks/rules/storage/S3BucketDeniesInsecureTransport';
import { newStack } from '../../support/harness';

const RULE = 'Platform-S3BucketDeniesInsecureTransport';

/** Paths of the constructs the rule flags. */
function violations(stack: Stack): string[] {
  const report = new PlatformChecks(undefined, { rules: [S3BucketDeniesInsecureTransport] }).validateScope(stack);
  return report.violations
    .filter((v) => v.ruleName === RULE)
    .flatMap((v) => v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId ?? ''))
    .sort();
}

describe('S3BucketDeniesInsecureTransport', () => {
  test('compliant: the policy denies requests without TLS and with TLS below 1.2', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket', { enforceSSL: true, minimumTLSVersion: 1.2 });
    new s3.Bucket(stack, 'Stricter', { enforceSSL: true, minimumTLSVersion: 1.3 });
    expect(violations(stack)).toEqual([]);
  });

  test('non-compliant: no bucket policy at all', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket');
    expect(violations(stack)).toEqual(['TestStack/Bucket/Resource']);
  });

  test('non-compliant: denies plain HTTP but still accepts TLS 1.0 and 1.1 (cdk-nag passes this one)', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket', { enforceSSL: true });
    expect(violations(stack)).toEqual(['TestStack/Bucket/Policy/Resource', 'TestStack/Bucket/Resource']);
  });

  test('non-compliant: the TLS floor is below 1.2', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket', { enforceSSL: true, minimumTLSVersion: 1.1 });
    expect(violations(stack)).toEqual(['TestStack/Bucket/Policy/Resource', 'TestStack/Bucket/Resource']);
  });

  test('non-compliant: the denials cover the objects only, not the bucket', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    for (const condition of [{ Bool: { 'aws:SecureTransport': 'false' } }, { NumericLessThan: { 's3:TlsVersion': 1.2 } }]) {
      bucket.addToResourcePolicy(new iam.PolicyStatement({
        effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['s3:*'], resources: [bucket.arnForObjects('*')], conditions: condition,
      }));
    }
    expect(violations(stack)).toEqual(['TestStack/Bucket/Policy/Resource', 'TestStack/Bucket/Resource']);
  });

  test('a bucket is judged by its own policy, not by another bucket\'s', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Good', { enforceSSL: true, minimumTLSVersion: 1.2 });
    new s3.Bucket(stack, 'Bad');
    expect(violations(stack)).toEqual(['TestStack/Bad/Resource']);
  });
});
