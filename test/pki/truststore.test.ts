import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { beforeAll, describe, expect, test } from 'vitest';
import { PrivateCertificateAuthority } from '../../lib/pki/private-certificate-authority';
import { Truststore, TruststoreProps } from '../../lib/pki/truststore';
import { newStack } from '../support/harness';

function truststoreIn(stack: Stack, props: Partial<TruststoreProps> = {}, id = 'Truststore'): Truststore {
  const key = (stack.node.tryFindChild('Key') as kms.Key) ?? new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const ca =
    (stack.node.tryFindChild('Ca') as PrivateCertificateAuthority) ??
    new PrivateCertificateAuthority(stack, 'Ca', { subject: { commonName: 'Root' }, encryptionKey: key });
  return new Truststore(stack, id, {
    certificateAuthority: ca.certificateAuthority,
    caChainPem: ca.chainPem,
    encryptionKey: key,
    logsKey: key,
    ...props,
  });
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
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'truststore-bucket/' }),
      LifecycleConfiguration: { Rules: [Match.objectLike({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 } })] },
    });
    const rules = Object.values(
      template.findResources('AWS::S3::Bucket', { Properties: { LoggingConfiguration: { LogFilePrefix: 'truststore-bucket/' } } }),
    ).flatMap((b) => b.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[]);
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
          {
            Effect: 'Allow',
            Action: 'acm-pca:GetCertificateAuthorityCertificate',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('CaRootCa'), 'Arn'] },
          },
          {
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:PutObject'],
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('TruststoreBucket'), 'Arn'] }, '/truststore.pem']] },
          },
          // S3 answers a missing key with 403 (not 404) to a caller without s3:ListBucket.
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('TruststoreBucket'), 'Arn'] } },
        ]),
      },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: Match.stringLikeRegexp('nodejs'),
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
    });
    t.resourcePropertiesCountIs('AWS::IAM::Policy', {}, 0);
  });

  test('CloudFormation waits at most 5 minutes for an answer; no reserved concurrency (new accounts have a quota of 10)', () => {
    template.hasResourceProperties('Custom::MutualTlsTruststore', { ServiceTimeout: '300' });
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')))
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });
});

describe('Truststore rejects bad input', () => {
  const shared = newStack();
  let n = 0;
  test.each<[string, Partial<TruststoreProps>, RegExp]>([
    ['object key with a leading slash', { objectKey: '/trust.pem' }, /invalid objectKey \(received "\/trust.pem"\).*Fix:/],
    ['object key with spaces', { objectKey: 'a b.pem' }, /invalid objectKey/],
    [
      'version expiry too short',
      { noncurrentVersionExpiration: Duration.days(1) },
      /invalid noncurrentVersionExpiration \(received "Duration.days\(1\)"\).*Fix: use Duration\.days\(n\) with n a whole number from 30 to 3650/,
    ],
    [
      'version expiry in part days',
      { noncurrentVersionExpiration: Duration.hours(24 * 90 + 12) },
      /invalid noncurrentVersionExpiration \(received "Duration.hours\(2172\)"\): must be a whole number of days/,
    ],
    [
      'a VPC with isolated subnets only (PrivateNetwork)',
      {
        vpc: new ec2.Vpc(shared, 'IsolatedVpc', {
          natGateways: 0,
          subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
        }),
      },
      /invalid vpc \(received "TestStack\/IsolatedVpc"\): the VPC has no private subnets with NAT egress.*CloudFormation response URL.*Fix: omit vpc/,
    ],
    [
      'a VPC with public subnets only (a Lambda function gets no public IP there)',
      {
        vpc: new ec2.Vpc(shared, 'PublicVpc', {
          natGateways: 0,
          subnetConfiguration: [{ name: 'pub', subnetType: ec2.SubnetType.PUBLIC }],
        }),
      },
      /invalid vpc \(received "TestStack\/PublicVpc"\): the VPC has no private subnets with NAT egress \(a Lambda function gets no public IP/,
    ],
  ])('%s', (_name, props, message) => {
    expect(() => truststoreIn(shared, props, `Bad${n++}`)).toThrow(message);
  });
});
