import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { beforeAll, describe, expect, test } from 'vitest';
import { PrivateCertificateAuthority } from '../../lib/pki/private-certificate-authority';
import { Truststore, TruststoreProps } from '../../lib/pki/truststore';
import { newStack } from '../support/harness';

function truststoreIn(stack: Stack, props: Partial<TruststoreProps> = {}, id = 'Truststore'): Truststore {
  const key = stack.node.tryFindChild('Key') as kms.Key ?? new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const ca = stack.node.tryFindChild('Ca') as PrivateCertificateAuthority ?? new PrivateCertificateAuthority(stack, 'Ca', { subject: { commonName: 'Root' }, encryptionKey: key });
  return new Truststore(stack, id, { certificateAuthority: ca.certificateAuthority, caChainPem: ca.chainPem, encryptionKey: key, logsKey: key, ...props });
}

describe('Truststore (template)', () => {
  let template: Template;
  beforeAll(() => {
    const stack = newStack();
    truststoreIn(stack);
    template = Template.fromStack(stack);
  });

  test('the bucket is versioned, KMS-encrypted, private; replaced versions expire only through lifecycle', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'truststore-bucket/' }),
      LifecycleConfiguration: { Rules: [Match.objectLike({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 } })] },
    });
    const rules = Object.values(template.findResources('AWS::S3::Bucket', { Properties: { LoggingConfiguration: { LogFilePrefix: 'truststore-bucket/' } } }))
      .flatMap((b) => b.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[]);
    expect(rules.filter((r) => 'ExpirationInDays' in r || 'ExpirationDate' in r)).toEqual([]);
  });

  test('the custom resource passes CA ARN, bucket, key and the chain from the activation (ordering it after activation); the handler may touch only that object', () => {
    const t = template;
    t.hasResourceProperties('Custom::MutualTlsTruststore', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('TruststoreHandler'), 'Arn'] },
      CertificateAuthorityArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('CaRootCa'), 'Arn'] },
      ObjectKey: 'truststore.pem',
      CaChainPem: { 'Fn::GetAtt': [Match.stringLikeRegexp('CaRootCaActivation'), 'CompleteCertificateChain'] },
    });
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: 'acm-pca:GetCertificateAuthorityCertificate', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('CaRootCa'), 'Arn'] } },
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('TruststoreBucket'), 'Arn'] }, '/truststore.pem']] } },
          // So that a missing object answers 404, not 403; listing is limited to the truststore key.
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('TruststoreBucket'), 'Arn'] }, Condition: { StringEquals: { 's3:prefix': 'truststore.pem' } } },
        ]),
      },
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Runtime: Match.stringLikeRegexp('nodejs'), TracingConfig: { Mode: 'Active' }, LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }) });
    t.resourcePropertiesCountIs('AWS::IAM::Policy', {}, 0);
  });
});

describe('Truststore rejects bad input', () => {
  const shared = newStack();
  let n = 0;
  test.each<[string, Partial<TruststoreProps>, RegExp]>([
    ['object key with a leading slash', { objectKey: '/trust.pem' }, /invalid objectKey \(received "\/trust.pem"\).*Fix:/],
    ['object key with spaces', { objectKey: 'a b.pem' }, /invalid objectKey/],
    ['version expiry too short', { noncurrentVersionExpirationDays: 1 }, /invalid noncurrentVersionExpirationDays \(received 1\).*30 to 3650/],
  ])('%s', (_name, props, message) => {
    expect(() => truststoreIn(shared, props, `Bad${n++}`)).toThrow(message);
  });
});
