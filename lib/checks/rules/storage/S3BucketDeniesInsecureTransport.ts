import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { allConstructs, asArray, isAnyPrincipal, resolvedProperties } from '../../../private/rule-helpers';
import { CfnJson } from '../../../private/rule-helpers';

/** Lowest TLS version a bucket policy may let through. */
const MINIMUM_TLS_VERSION = 1.2;

/**
 * Every S3 bucket has a bucket policy that denies, to any principal, on the bucket and its objects, both requests
 * without TLS (aws:SecureTransport = false) and requests with TLS below 1.2 (s3:TlsVersion NumericLessThan 1.2).
 * A bucket is checked through the `AWS::S3::BucketPolicy` resources of its stack that name it; each bucket policy
 * is checked on its own.
 */
export const S3BucketDeniesInsecureTransport: PlatformRule = {
  id: 'S3BucketDeniesInsecureTransport',
  info: 'The S3 bucket (policy) does not deny requests without TLS and requests with TLS older than 1.2, on the bucket and its objects.',
  explanation:
    'S3 still accepts plain HTTP and TLS 1.0/1.1 unless a bucket policy denies them. cdk-nag checks only aws:SecureTransport; the platform also requires s3:TlsVersion >= 1.2 (enforceSSL + minimumTLSVersion: 1.2 in CDK).',
  practices: ['P6'],
  check(node: CfnResource) {
    if (node.cfnResourceType === 'AWS::S3::BucketPolicy') {
      return deniesInsecureTransport(resolvedProperties(node)) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    if (node.cfnResourceType !== 'AWS::S3::Bucket') return NagRuleCompliance.NOT_APPLICABLE;
    const stack = Stack.of(node);
    const names = [JSON.stringify(stack.resolve(node.ref)), JSON.stringify(resolvedProperties(node).BucketName ?? null)];
    const compliant = allConstructs(stack).some(
      (c) =>
        CfnResource.isCfnResource(c) &&
        c.cfnResourceType === 'AWS::S3::BucketPolicy' &&
        Stack.of(c) === stack &&
        isPolicyOf(resolvedProperties(c), names) &&
        deniesInsecureTransport(resolvedProperties(c)),
    );
    return compliant ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};

function isPolicyOf(policy: CfnJson, bucketNames: string[]): boolean {
  return bucketNames.includes(JSON.stringify(policy.Bucket));
}

function deniesInsecureTransport(policy: CfnJson): boolean {
  const denials = asArray<CfnJson>(policy.PolicyDocument?.Statement).filter(
    (s) => s.Effect === 'Deny' && isAnyPrincipal(s.Principal) && coversAllS3Actions(s.Action) && coversBucketAndObjects(s.Resource),
  );
  const withoutTls = denials.some((s) =>
    conditionValues(s.Condition, ['bool', 'boolifexists'], 'aws:securetransport').some((v) => String(v) === 'false'),
  );
  const oldTls = denials.some((s) =>
    conditionValues(s.Condition, ['numericlessthan'], 's3:tlsversion').some((v) => Number(v) >= MINIMUM_TLS_VERSION),
  );
  return withoutTls && oldTls;
}

function coversAllS3Actions(action: unknown): boolean {
  return asArray(action).some((a) => a === '*' || a === 's3:*');
}

function coversBucketAndObjects(resource: unknown): boolean {
  const resources = asArray(resource).map((r) => JSON.stringify(r));
  if (resources.includes('"*"')) return true;
  return resources.some((r) => r.includes('/*')) && resources.some((r) => !r.includes('/*'));
}

/** Values of `key` under any of `operators` (IAM condition operators and keys are case-insensitive). */
function conditionValues(condition: unknown, operators: string[], key: string): unknown[] {
  if (!condition || typeof condition !== 'object') return [];
  return Object.entries(condition as Record<string, Record<string, unknown>>)
    .filter(([operator]) => operators.includes(operator.toLowerCase()))
    .flatMap(([, byKey]) =>
      Object.entries(byKey ?? {})
        .filter(([k]) => k.toLowerCase() === key)
        .flatMap(([, v]) => asArray(v)),
    );
}
