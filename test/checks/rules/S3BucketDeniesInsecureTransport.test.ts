import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, test } from 'vitest';
import { S3BucketDeniesInsecureTransport } from '../../../lib/checks/rules/storage/S3BucketDeniesInsecureTransport';
import { ruleViolations } from '../../support/checks';
import { newStack } from '../../support/harness';

describe('S3BucketDeniesInsecureTransport', () => {
  test('compliant: the policy denies requests without TLS and with TLS below 1.2', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket', { enforceSSL: true, minimumTLSVersion: 1.2 });
    new s3.Bucket(stack, 'Stricter', { enforceSSL: true, minimumTLSVersion: 1.3 });
    expect(ruleViolations(S3BucketDeniesInsecureTransport, stack)).toEqual([]);
  });

  test('non-compliant: no bucket policy at all', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket');
    expect(ruleViolations(S3BucketDeniesInsecureTransport, stack)).toEqual(['TestStack/Bucket/Resource']);
  });

  test('non-compliant: denies plain HTTP but still accepts TLS 1.0 and 1.1 (cdk-nag passes this one)', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket', { enforceSSL: true });
    expect(ruleViolations(S3BucketDeniesInsecureTransport, stack)).toEqual(['TestStack/Bucket/Policy/Resource', 'TestStack/Bucket/Resource']);
  });

  test('non-compliant: the TLS floor is below 1.2', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket', { enforceSSL: true, minimumTLSVersion: 1.1 });
    expect(ruleViolations(S3BucketDeniesInsecureTransport, stack)).toEqual(['TestStack/Bucket/Policy/Resource', 'TestStack/Bucket/Resource']);
  });

  test('non-compliant: the denials cover the objects only, not the bucket', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    for (const condition of [{ Bool: { 'aws:SecureTransport': 'false' } }, { NumericLessThan: { 's3:TlsVersion': 1.2 } }]) {
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:*'],
          resources: [bucket.arnForObjects('*')],
          conditions: condition,
        }),
      );
    }
    expect(ruleViolations(S3BucketDeniesInsecureTransport, stack)).toEqual(['TestStack/Bucket/Policy/Resource', 'TestStack/Bucket/Resource']);
  });

  test("a bucket is judged by its own policy, not by another bucket's", () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Good', { enforceSSL: true, minimumTLSVersion: 1.2 });
    new s3.Bucket(stack, 'Bad');
    expect(ruleViolations(S3BucketDeniesInsecureTransport, stack)).toEqual(['TestStack/Bad/Resource']);
  });
});
