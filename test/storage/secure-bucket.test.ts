import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, test } from 'vitest';
import { complianceFindingIds } from '../../lib/core/acknowledge';
import { PlatformKeys } from '../../lib/encryption/platform-keys';
import { SecureBucket, SecureBucketProps } from '../../lib/storage/secure-bucket';
import { acknowledgeTestGrantee, expectCfnLintClean, logicalIdOf } from '../support/checks';
import { expectNoFindings, expectReasonedAcknowledgements, newStack, synthWithGate } from '../support/harness';

/** These tests are about other controls; the replication decision is stated once, here. */
const ONE_REGION = { withoutReplication: { reason: 'test bucket: replication is covered by its own tests' } };

const ENV = { account: '111111111111', region: 'us-east-1' };
const REPLICA_REGION = 'eu-west-1';

function replicaTarget(stack: Stack, keyRegion = REPLICA_REGION): SecureBucketProps['replication'] {
  return {
    destinationBucket: s3.Bucket.fromBucketAttributes(stack, `Replica${keyRegion}`, {
      bucketArn: 'arn:aws:s3:::data-replica',
      region: REPLICA_REGION,
    }),
    destinationKey: kms.Key.fromKeyArn(
      stack,
      `ReplicaKey${keyRegion}`,
      `arn:aws:kms:${keyRegion}:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    ),
  };
}

describe('SecureBucket, through the security gate', () => {
  let stack: Stack;
  let keys: PlatformKeys;
  let data: SecureBucket;
  let replicated: SecureBucket;
  let result: ReturnType<typeof synthWithGate>;
  let template: Template;

  beforeAll(() => {
    stack = newStack('BucketStack', ENV);
    keys = new PlatformKeys(stack, 'Keys');
    data = new SecureBucket(stack, 'Data', { encryptionKey: keys.dataKey, ...ONE_REGION });
    // A second bucket logs into the first one's log bucket and replicates to another region.
    replicated = new SecureBucket(stack, 'Replicated', {
      encryptionKey: keys.dataKey,
      accessLogsBucket: data.logBucket,
      accessLogsPrefix: 'replicated/',
      replication: replicaTarget(stack),
    });
    const role = new iam.Role(stack, 'Service', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    data.grantReadWrite(role);
    acknowledgeTestGrantee(role, [`AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalIdOf(data.bucket)}.Arn>/*]`]);
    result = synthWithGate(stack);
    template = result.template;
  });

  test('passes every pack, and acknowledges only what S3 cannot do, with reasons', () => {
    expectNoFindings(result);
    expectReasonedAcknowledgements(result);
    const byPath = (suffix: string) =>
      result.acknowledged
        .filter((a) => a.constructPaths.some((p) => p.endsWith(suffix)))
        .map((a) => a.acknowledgedId)
        .sort();
    expect(byPath('/Data/AccessLogs/Resource')).toEqual(
      [...complianceFindingIds('S3BucketReplicationEnabled'), ...complianceFindingIds('S3DefaultEncryptionKMS')].sort(),
    );
    expect(byPath('/Data/Resource/Resource')).toEqual(complianceFindingIds('S3BucketReplicationEnabled').sort());
    expect(byPath('/Replicated/Resource/Resource')).toEqual([]);
  });

  test('a bucket kept in one region says why: the opt-out is recorded and is the reason of its replication acknowledgements', () => {
    const reasons = result.acknowledged.filter((a) => a.constructPaths.some((p) => p.endsWith('/Data/Resource/Resource'))).map((a) => a.reason);
    expect(new Set(reasons)).toEqual(new Set(['withoutReplication opt-out: test bucket: replication is covered by its own tests']));
    expect(data.node.metadata.find((m) => m.type === 'cdk-secure-microservices:opt-out')?.data).toEqual({
      control: 'cross-region replication',
      reason: 'test bucket: replication is covered by its own tests',
    });
  });

  // The one cfn-lint run of the storage tests (~3 s): this template has every SecureBucket variant. The default
  // SecureTable is linted with the reference app.
  test('is clean under cfn-lint', () => {
    expectCfnLintClean(result.templatePaths);
  });

  test('exposes the bucket, the log bucket and the key', () => {
    expect(data.encryptionKey).toBe(keys.dataKey);
    expect(replicated.logBucket).toBe(data.logBucket);
    expect(data.bucket.node.id).toBe('Resource');
    // Data, its log bucket, and Replicated (which logs into Data's log bucket instead of creating one).
    template.resourceCountIs('AWS::S3::Bucket', 3);
    expect(data.replicationRole).toBeUndefined();
  });

  test('encrypts with the customer managed key and bucket keys', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [logicalIdOf(keys.dataKey), 'Arn'] } },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
  });

  test('blocks all public access and disables ACLs on data and log buckets', () => {
    for (const bucket of [data.bucket, data.logBucket as s3.Bucket]) {
      expect(template.toJSON().Resources[logicalIdOf(bucket)].Properties).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
      });
    }
  });

  test('denies requests without TLS and with TLS below 1.2, on bucket and objects, for data and log buckets', () => {
    for (const bucket of [data.bucket, data.logBucket, replicated.bucket]) {
      const bucketId = logicalIdOf(bucket);
      const resources = [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] }];
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: resources },
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:*',
              Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
              Resource: resources,
            },
          ]),
        },
      });
    }
  });

  test('logs server access to the dedicated SSE-S3 log bucket, which admits only S3 log delivery for this bucket', () => {
    const logId = logicalIdOf(data.logBucket);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ Status: 'Enabled', ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 90 } })],
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: logId }, LogFilePrefix: 'access-logs/' },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: logId }, LogFilePrefix: 'replicated/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalIdOf(data.bucket), 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': ENV.account },
            },
          }),
        ]),
      },
    });
  });

  test('expires noncurrent versions and stale multipart uploads', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.anyValue(),
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'ExpireNoncurrentVersions',
            Status: 'Enabled',
            NoncurrentVersionExpiration: { NoncurrentDays: 90 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          },
        ],
      },
    });
  });

  test('retains every bucket on delete', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.values(buckets).map((b) => [b.DeletionPolicy, b.UpdateReplacePolicy])).toEqual([
      ['Retain', 'Retain'],
      ['Retain', 'Retain'],
      ['Retain', 'Retain'],
    ]);
  });

  test('replicates SSE-KMS objects to the other region with the destination key', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Role: { 'Fn::GetAtt': [logicalIdOf(replicated.replicationRole!), 'Arn'] },
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            Destination: {
              Bucket: 'arn:aws:s3:::data-replica',
              EncryptionConfiguration: { ReplicaKmsKeyID: `arn:aws:kms:${REPLICA_REGION}:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
            },
            SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
            DeleteMarkerReplication: { Status: 'Enabled' },
          }),
        ],
      },
    });
  });

  test('replicates with its own role: trusted for this account only, exact actions, no wildcard actions', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 's3.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': ENV.account } },
          },
        ],
      },
    });
    const source = logicalIdOf(replicated.bucket);
    const sourceArn = { 'Fn::GetAtt': [source, 'Arn'] };
    const policies = template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Roles: [{ Ref: logicalIdOf(replicated.replicationRole!) }] },
    });
    expect(Object.values(policies).map((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      [
        { Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: sourceArn },
        {
          Effect: 'Allow',
          Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
          Resource: { 'Fn::Join': ['', [sourceArn, '/*']] },
        },
        { Effect: 'Allow', Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], Resource: 'arn:aws:s3:::data-replica/*' },
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: { 'Fn::GetAtt': [logicalIdOf(keys.dataKey), 'Arn'] },
          Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
        },
        {
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
          Resource: `arn:aws:kms:${REPLICA_REGION}:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
          Condition: { StringEquals: { 'kms:ViaService': `s3.${REPLICA_REGION}.amazonaws.com` } },
        },
      ],
    ]);
    expect(
      result.acknowledged
        .filter((a) => a.constructPaths.some((p) => p.includes('/Replicated/ReplicationPolicy')))
        .map((a) => a.acknowledgedId)
        .sort(),
    ).toEqual([
      `AwsSolutions::AwsSolutions-IAM5[Resource::<${source}.Arn>/*]`,
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:s3:::data-replica/*]',
    ]);
  });
});

describe('SecureBucket options', () => {
  test('noncurrent-version and access-log expiry are configurable', () => {
    const stack = newStack();
    new SecureBucket(stack, 'Data', {
      encryptionKey: new kms.Key(stack, 'Key'),
      noncurrentVersionExpiration: Duration.days(30),
      accessLogRetention: Duration.hours(730 * 24),
      ...ONE_REGION,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'ExpireNoncurrentVersions', NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ Id: 'ExpireAccessLogs', ExpirationInDays: 730, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })],
      },
    });
  });

  test('uses a bucket-policy log delivery even when the app has the ACL-based default', () => {
    const stack = newStack();
    stack.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', false);
    const bucket = new SecureBucket(stack, 'Data', { encryptionKey: new kms.Key(stack, 'Key'), ...ONE_REGION });
    const logBucket = Template.fromStack(stack).toJSON().Resources[logicalIdOf(bucket.logBucket)];
    expect(logBucket.Properties.AccessControl).toBeUndefined();
  });
});

describe('SecureBucket grants', () => {
  let stack: Stack;
  let bucket: SecureBucket;
  beforeAll(() => {
    stack = newStack('GrantStack');
    bucket = new SecureBucket(stack, 'Data', { encryptionKey: new kms.Key(stack, 'Key'), ...ONE_REGION });
  });

  function statementsOf(grant: (role: iam.Role) => unknown): unknown[] {
    const role = new iam.Role(stack, `Role${stack.node.children.length}`, { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    grant(role);
    const policy = role.node.findChild('DefaultPolicy') as iam.Policy;
    return stack.resolve(policy.document.toJSON()).Statement;
  }

  const key = () => stack.resolve(bucket.encryptionKey.keyArn);
  const objects = (pattern = '*') => stack.resolve(bucket.bucket.arnForObjects(pattern));
  const viaS3 = { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } };
  const decrypt = () => ({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: key(), Condition: viaS3 });
  const encrypt = () => ({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: key(), Condition: viaS3 });
  const put = (pattern?: string) => ({ Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: objects(pattern) });
  const del = () => ({ Effect: 'Allow', Action: 's3:DeleteObject', Resource: objects() });

  test('grantRead: s3:GetObject on the objects and kms:Decrypt through S3', () => {
    expect(statementsOf((r) => bucket.grantRead(r))).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: objects() }, decrypt()]);
  });

  test('grantRead honours a key pattern', () => {
    expect(statementsOf((r) => bucket.grantRead(r, 'reports/*'))).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects('reports/*') },
      decrypt(),
    ]);
  });

  test('grantList: s3:ListBucket on the bucket only, no key use', () => {
    expect(statementsOf((r) => bucket.grantList(r))).toEqual([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: stack.resolve(bucket.bucket.bucketArn) },
    ]);
  });

  test('grantPut: put and abort-multipart on the objects, data keys through S3', () => {
    expect(statementsOf((r) => bucket.grantPut(r, 'in/*'))).toEqual([put('in/*'), encrypt()]);
  });

  test('grantDelete: s3:DeleteObject only, no key use', () => {
    expect(statementsOf((r) => bucket.grantDelete(r))).toEqual([del()]);
  });

  test('grantWrite: put + delete', () => {
    expect(statementsOf((r) => bucket.grantWrite(r))).toEqual([put(), encrypt(), del()]);
  });

  test('grantReadWrite: read + put + delete, never a wildcard resource', () => {
    const statements = statementsOf((r) => bucket.grantReadWrite(r));
    expect(statements).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: objects() }, decrypt(), put(), encrypt(), del()]);
    expect(JSON.stringify(statements)).not.toContain('"Resource":"*"');
  });
});

describe('SecureBucket rejects bad input', () => {
  const key = (stack: Stack) => new kms.Key(stack, 'Key');

  test.each([
    ['noncurrentVersionExpiration', Duration.days(0), 'S3 lifecycle rules count whole days greater than zero'],
    ['accessLogRetention', Duration.days(0), 'S3 lifecycle rules count whole days greater than zero'],
    ['noncurrentVersionExpiration', Duration.hours(36), 'must be a whole number of days \\(1 day 12 hours is 1\\.5 days\\)'],
    ['accessLogRetention', Duration.hours(60), 'must be a whole number of days \\(2 days 12 hours is 2\\.5 days\\)'],
  ])('%s = %s', (prop, value, problem) => {
    const stack = newStack();
    const given = value.toString().replace(/[().]/g, '\\$&');
    expect(() => new SecureBucket(stack, 'Data', { encryptionKey: key(stack), [prop]: value, ...ONE_REGION })).toThrow(
      new RegExp(`invalid ${prop} \\(received "${given}"\\): ${problem}\\. Fix: use Duration\\.days\\(n\\) with n a whole number of days`),
    );
  });

  test('no replication decision', () => {
    const stack = newStack();
    expect(() => new SecureBucket(stack, 'Data', { encryptionKey: key(stack) })).toThrow(
      /invalid replication \(received undefined\): cross-region replication is a NIST\/PCI\/HIPAA control.*Fix: pass replication: \{ destinationBucket, destinationKey \}, or withoutReplication: \{ reason \}/,
    );
  });

  test('both replication and withoutReplication', () => {
    const stack = newStack('S', ENV);
    expect(
      () =>
        new SecureBucket(stack, 'Data', {
          encryptionKey: key(stack),
          replication: replicaTarget(stack),
          withoutReplication: { reason: 'cannot have it both ways' },
        }),
    ).toThrow(/invalid withoutReplication .*both given\. Fix: keep one of them/);
  });

  test('withoutReplication without a real reason', () => {
    const stack = newStack();
    expect(() => new SecureBucket(stack, 'Data', { encryptionKey: key(stack), withoutReplication: { reason: 'no' } })).toThrow(
      /invalid withoutReplication\.reason \(received "no"\)/,
    );
  });

  test('replication to the same region', () => {
    const stack = newStack('S', ENV);
    const destinationBucket = s3.Bucket.fromBucketAttributes(stack, 'Dest', { bucketArn: 'arn:aws:s3:::same-region', region: ENV.region });
    const destinationKey = kms.Key.fromKeyArn(stack, 'DestKey', 'arn:aws:kms:us-east-1:111111111111:key/abc');
    expect(() => new SecureBucket(stack, 'Data', { encryptionKey: key(stack), replication: { destinationBucket, destinationKey } })).toThrow(
      /invalid replication\.destinationBucket \(received "us-east-1"\): the destination is in the same region.*Fix: use a destination bucket in another region/,
    );
  });

  test('replication key in the source region instead of the destination region', () => {
    const stack = newStack('S', ENV);
    expect(() => new SecureBucket(stack, 'Data', { encryptionKey: key(stack), replication: replicaTarget(stack, ENV.region) })).toThrow(
      /invalid replication\.destinationKey \(received "us-east-1"\): S3 encrypts replicas with a key of the destination region \(eu-west-1\)\. Fix: pass a customer managed key that lives in eu-west-1/,
    );
  });

  test('replication from an env-agnostic stack (source region unknown)', () => {
    const stack = newStack();
    expect(() => new SecureBucket(stack, 'Data', { encryptionKey: key(stack), replication: replicaTarget(stack) })).toThrow(
      /invalid replication .*needs the source region to be known.*Fix: give the stack an explicit env/,
    );
  });

  test('an encryption key from another region', () => {
    const stack = newStack('S', ENV);
    const foreignKey = kms.Key.fromKeyArn(stack, 'Foreign', 'arn:aws:kms:eu-west-1:111111111111:key/abc');
    expect(() => new SecureBucket(stack, 'Data', { encryptionKey: foreignKey, ...ONE_REGION })).toThrow(
      /invalid encryptionKey \(received "eu-west-1"\): the bucket is in us-east-1, but this key is in eu-west-1.*Fix: pass a key that lives in us-east-1/,
    );
  });

  test('an SSE-KMS access-log bucket', () => {
    const stack = newStack();
    const kmsLogs = new s3.Bucket(stack, 'KmsLogs', { encryptionKey: key(stack) });
    expect(() => new SecureBucket(stack, 'Data', { encryptionKey: kmsLogs.encryptionKey!, accessLogsBucket: kmsLogs, ...ONE_REGION })).toThrow(
      /invalid accessLogsBucket .*cannot deliver server access logs to a bucket encrypted with SSE-KMS.*Fix: pass a log bucket encrypted with SSE-S3/,
    );
  });

  test('access-log retention together with an external log bucket', () => {
    const stack = newStack();
    const logs = new s3.Bucket(stack, 'Logs');
    expect(
      () =>
        new SecureBucket(stack, 'Data', { encryptionKey: key(stack), accessLogsBucket: logs, accessLogRetention: Duration.days(30), ...ONE_REGION }),
    ).toThrow(
      /invalid accessLogRetention \(received "Duration.days\(30\)"\): it only applies to the log bucket SecureBucket creates.*Fix: set the expiry on the log bucket you pass in/,
    );
  });
});
