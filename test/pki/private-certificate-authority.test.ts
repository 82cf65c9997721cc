import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  CaKeyAlgorithm,
  CaUsageMode,
  PrivateCertificateAuthority,
  PrivateCertificateAuthorityProps,
} from '../../lib/pki/private-certificate-authority';
import { newStack } from '../support/harness';

function caIn(stack: Stack, props: Partial<PrivateCertificateAuthorityProps> = {}): PrivateCertificateAuthority {
  const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  return new PrivateCertificateAuthority(stack, 'Ca', {
    subject: { commonName: 'Platform Root CA', organization: 'Example' },
    encryptionKey,
    ...props,
  });
}

describe('PrivateCertificateAuthority with a subordinate, (template)', () => {
  let template: Template;
  beforeAll(() => {
    const stack = newStack();
    caIn(stack, {
      subordinate: { subject: { commonName: 'Platform Issuing CA' } },
      usageMode: CaUsageMode.SHORT_LIVED_CERTIFICATE,
      ecsServiceConnect: true,
      publishCrl: true,
    });
    template = Template.fromStack(stack);
  });

  test('root is EC P-256 / SHA256WITHECDSA, general purpose; the subordinate is short-lived; both publish a CRL', () => {
    const t = template;
    const crl = {
      CrlConfiguration: Match.objectLike({
        Enabled: true,
        ExpirationInDays: 7,
        S3ObjectAcl: 'BUCKET_OWNER_FULL_CONTROL',
        S3BucketName: Match.anyValue(),
      }),
    };
    t.hasResource('AWS::ACMPCA::CertificateAuthority', {
      Properties: Match.objectLike({
        Type: 'ROOT',
        KeyAlgorithm: 'EC_prime256v1',
        SigningAlgorithm: 'SHA256WITHECDSA',
        UsageMode: 'GENERAL_PURPOSE',
        RevocationConfiguration: crl,
      }),
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('CrlBucketPolicy')]),
      DeletionPolicy: 'RetainExceptOnCreate',
    });
    t.hasResource('AWS::ACMPCA::CertificateAuthority', {
      Properties: Match.objectLike({ Type: 'SUBORDINATE', UsageMode: 'SHORT_LIVED_CERTIFICATE', RevocationConfiguration: crl }),
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('CrlBucketPolicy')]),
      DeletionPolicy: 'RetainExceptOnCreate',
    });
  });

  test('CA lifecycle: kept on update and delete, deleted with a rolled-back create (no CA left billing); certificates and activations alike', () => {
    for (const type of ['AWS::ACMPCA::CertificateAuthority', 'AWS::ACMPCA::Certificate', 'AWS::ACMPCA::CertificateAuthorityActivation']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect([type, resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual([type, 'RetainExceptOnCreate', 'Retain']);
      }
    }
  });

  test('ecsServiceConnect tags the issuing CA AmazonECSManaged=true (the ECS infrastructure policy needs it), not the root', () => {
    template.hasResourceProperties('AWS::ACMPCA::CertificateAuthority', { Type: 'SUBORDINATE', Tags: [{ Key: 'AmazonECSManaged', Value: 'true' }] });
    const root = Object.values(template.findResources('AWS::ACMPCA::CertificateAuthority', { Properties: { Type: 'ROOT' } }))[0];
    expect(root.Properties.Tags).toBeUndefined();
  });

  test('CRL encryption: the key admits acm-pca by the documented encryption-context condition on the CRL bucket (no circular reference)', () => {
    const stackUuidGroup = { 'Fn::Select': [4, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }] };
    const bucketName = { 'Fn::Join': ['-', ['pca-crl', stackUuidGroup, Match.stringLikeRegexp('^[0-9a-f]{10}$')]] };
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: bucketName,
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'crl-bucket/' }),
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'acm-pca.amazonaws.com' },
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Condition: {
              StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
              StringLike: {
                'kms:EncryptionContext:aws:s3:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', Match.anyValue()]] },
              },
            },
          }),
        ]),
      },
    });
  });

  test('root certificate self-signs the CSR with RootCACertificate/V1; the subordinate is activated with the chain', () => {
    const t = template;
    t.hasResourceProperties('AWS::ACMPCA::Certificate', {
      TemplateArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':acm-pca:::template/RootCACertificate/V1']] },
      CertificateSigningRequest: { 'Fn::GetAtt': [Match.stringLikeRegexp('CaRootCa'), 'CertificateSigningRequest'] },
      Validity: { Type: 'YEARS', Value: 10 },
    });
    t.hasResourceProperties('AWS::ACMPCA::Certificate', {
      TemplateArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':acm-pca:::template/SubordinateCACertificate_PathLen0/V1']] },
      CertificateAuthorityArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('CaRootCa'), 'Arn'] },
    });
    t.hasResourceProperties('AWS::ACMPCA::CertificateAuthorityActivation', {
      CertificateAuthorityArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('CaSubordinateCa'), 'Arn'] },
      CertificateChain: { 'Fn::GetAtt': [Match.stringLikeRegexp('CaRootCaActivation'), 'CompleteCertificateChain'] },
      Status: 'ACTIVE',
    });
    t.resourceCountIs('AWS::ACMPCA::CertificateAuthorityActivation', 2);
  });

  test('CRL bucket: private, KMS, TLS only, acm-pca write scoped to this account', () => {
    const t = template;
    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })],
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'crl-bucket/' }),
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'acm-pca.amazonaws.com' },
            Action: ['s3:PutObject', 's3:PutObjectAcl', 's3:GetBucketAcl', 's3:GetBucketLocation'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });
});

describe('PrivateCertificateAuthority without a subordinate', () => {
  test('RSA by prop; the root issues and the chain comes from its activation; grantIssue is scoped to it; certificateAuthorityArn names it', () => {
    const stack = newStack();
    const ca = caIn(stack, { keyAlgorithm: CaKeyAlgorithm.RSA_2048 });
    ca.grantIssue(new iam.Role(stack, 'Issuer', { assumedBy: new iam.AccountRootPrincipal() }));
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ACMPCA::CertificateAuthority', 1);
    t.hasResourceProperties('AWS::ACMPCA::CertificateAuthority', {
      KeyAlgorithm: 'RSA_2048',
      SigningAlgorithm: 'SHA256WITHRSA',
      UsageMode: 'GENERAL_PURPOSE',
    });
    t.hasResourceProperties('AWS::ACMPCA::CertificateAuthorityActivation', Match.not(Match.objectLike({ CertificateChain: Match.anyValue() })));
    expect(stack.resolve(ca.chainPem)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CaRootCaActivation/), 'CompleteCertificateChain'] });
    expect(stack.resolve(ca.certificatePem)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CaRootCaCertificate/), 'Certificate'] });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          // Client certificates only: the issuing root cannot be made to sign a subordinate CA.
          {
            Effect: 'Allow',
            Action: 'acm-pca:IssueCertificate',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('CaRootCa'), 'Arn'] },
            Condition: {
              StringEquals: {
                'acm-pca:TemplateArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':acm-pca:::template/EndEntityClientAuthCertificate/V1']],
                },
              },
            },
          },
          {
            Effect: 'Allow',
            Action: ['acm-pca:GetCertificate', 'acm-pca:DescribeCertificateAuthority'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('CaRootCa'), 'Arn'] },
          },
        ],
      },
    });
    expect(stack.resolve(ca.certificateAuthorityArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/CaRootCa/), 'Arn'] });
    expect(stack.resolve(ca.certificateAuthority.certificateAuthorityArn)).toEqual(stack.resolve(ca.certificateAuthorityArn));
  });
});

describe('PrivateCertificateAuthority without publishCrl (the default)', () => {
  test('publishes no CRL (no bucket, no revocation configuration) and says why in an acknowledgement of its own rule', () => {
    const stack = newStack();
    const ca = caIn(stack);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::S3::Bucket', 0);
    t.hasResourceProperties('AWS::ACMPCA::CertificateAuthority', { RevocationConfiguration: Match.absent() });
    expect(ca.crlBucket).toBeUndefined();
    const acks = Object.assign(
      {},
      ...ca.rootCa.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data),
    );
    expect(acks['PlatformChecks::Platform-PrivateCaRevocationEnabled']).toMatch(
      /API Gateway mutual TLS and ECS Service Connect never check revocation; the mTLS authorizer refuses revoked certificates through its deny-list/,
    );
  });
});

describe('PrivateCertificateAuthority rejects bad input with prop, value and fix', () => {
  test.each<[string, Partial<PrivateCertificateAuthorityProps>, RegExp]>([
    [
      'unknown key algorithm',
      { keyAlgorithm: 'DSA_1024' as CaKeyAlgorithm },
      /invalid keyAlgorithm \(received "DSA_1024"\).*Fix: use one of EC_prime256v1/,
    ],
    ['missing common name', { subject: { commonName: '' } }, /invalid subject.commonName \(received ""\).*Fix:/],
    ['common name too long', { subject: { commonName: 'x'.repeat(65) } }, /invalid subject.commonName.*limited to 64 characters.*Fix: shorten/],
    ['organization too long', { subject: { commonName: 'ok', organization: 'o'.repeat(65) } }, /invalid subject.organization/],
    ['bad country', { subject: { commonName: 'ok', country: 'Germany' } }, /invalid subject.country \(received "Germany"\)/],
    ['validity too long', { validityYears: 31 }, /invalid validityYears \(received 31\).*from 1 to 30/],
    ['validity zero', { validityYears: 0 }, /invalid validityYears \(received 0\)/],
    [
      'subordinate outliving the root',
      { validityYears: 5, subordinate: { subject: { commonName: 'Sub' }, validityYears: 5 } },
      /invalid subordinate.validityYears \(received 5\).*from 1 to 4/,
    ],
    ['subordinate subject missing', { subordinate: { subject: { commonName: ' ' } } }, /invalid subordinate.subject.commonName/],
    [
      'CRL expiry out of range',
      { crlExpiration: Duration.days(6000), publishCrl: true },
      /invalid crlExpiration \(received "Duration.days\(6000\)"\): must be a whole number of days from 1 to 5000\. Fix: use Duration\.days\(n\)/,
    ],
    [
      'CRL expiry in part days',
      { crlExpiration: Duration.hours(30), publishCrl: true },
      /invalid crlExpiration \(received "Duration.hours\(30\)"\): must be a whole number of days \(1 day 6 hours is 1\.25 days\)/,
    ],
    [
      'CRL expiry without a CRL',
      { crlExpiration: Duration.days(3) },
      /invalid crlExpiration \(received "Duration.days\(3\)"\): it configures the CRL, which is published only with publishCrl\. Fix: set publishCrl: true/,
    ],
    ['unknown usage mode', { usageMode: 'FOREVER' as CaUsageMode }, /invalid usageMode \(received "FOREVER"\)/],
  ])('%s', (_name, props, message) => {
    expect(() => caIn(newStack(), props)).toThrow(message);
  });
});
