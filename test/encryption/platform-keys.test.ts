import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlatformKeys } from '../../lib/encryption/platform-keys';
import { expectNoFindings, newStack, synthWithGate } from '../support/harness';

describe('PlatformKeys', () => {
  let template: Template;

  beforeAll(() => {
    const stack = newStack('Keys');
    new PlatformKeys(stack, 'Keys', { aliasPrefix: 'payments' });
    const result = synthWithGate(stack);
    expectNoFindings(result);
    template = result.template;
  });

  it('creates a data key and a logs key, both rotating and retained', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
    for (const key of Object.values(template.findResources('AWS::KMS::Key'))) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.Properties.PendingWindowInDays).toBe(30);
      expect(key.DeletionPolicy).toBe('Retain');
      expect(key.UpdateReplacePolicy).toBe('Retain');
    }
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/payments/data' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/payments/logs' });
  });

  it('lets CloudWatch Logs use the logs key only for log groups of this account and region', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('CloudWatch Logs'),
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsInThisAccountAndRegion',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*']],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('lets no principal of the account use the data key through a service without its own grant, and allows grants only for AWS resources', () => {
    const dataKey = Object.values(
      template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('data at rest') } }),
    )[0];
    const statements = dataKey.Properties.KeyPolicy.Statement as {
      Sid?: string;
      Effect: string;
      Principal: unknown;
      Action: unknown;
      Condition?: unknown;
    }[];
    // Besides the account statement CDK puts on every key (IAM policies decide), no Allow admits "*".
    expect(statements.filter((st) => st.Effect === 'Allow' && JSON.stringify(st.Principal).includes('"*"'))).toEqual([]);
    expect(statements.filter((st) => JSON.stringify(st.Condition ?? {}).includes('kms:ViaService'))).toEqual([]);
    expect(statements).toContainEqual({
      Sid: 'DenyGrantsNotForAwsResources',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    });
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'AllowPlatformServicePrincipalsForThisAccount',
        Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com', 'sns.amazonaws.com'] },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    );
  });

  it('admits every principal of the account through a service only when listed in additionalDataKeyServices, recorded for the report', () => {
    const stack = newStack('Listed');
    const keys = new PlatformKeys(stack, 'Keys', { additionalDataKeyServices: ['kinesis'] });
    const statements =
      Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(keys.dataKey.node.defaultChild as never)].Properties.KeyPolicy.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'AllowUseThroughListedServicesInThisAccountAndRegion',
        Principal: { AWS: '*' },
        Condition: {
          StringEquals: {
            'kms:CallerAccount': { Ref: 'AWS::AccountId' },
            'kms:ViaService': [{ 'Fn::Join': ['', ['kinesis.', { Ref: 'AWS::Region' }, '.amazonaws.com']] }],
          },
        },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'AllowGrantsForAwsResourcesThroughListedServices',
        Action: 'kms:CreateGrant',
        Condition: expect.objectContaining({ Bool: { 'kms:GrantIsForAWSResource': 'true' } }),
      }),
    );
    expect(
      keys.node.metadata.filter((m) => m.type === 'cdk-secure-microservices:opt-out').map((m) => (m.data as { control: string }).control),
    ).toEqual(['data key limited to granted roles (every principal of this account may use it through kinesis)']);
  });

  describe('rejects bad input with prop, value and fix', () => {
    it('alias prefix with invalid characters', () => {
      expect(() => new PlatformKeys(newStack(), 'K', { aliasPrefix: 'bad prefix!' })).toThrow(
        /invalid aliasPrefix \(received "bad prefix!"\).*Fix: use a prefix/,
      );
    });
    it('alias prefix starting with aws', () => {
      expect(() => new PlatformKeys(newStack(), 'K', { aliasPrefix: 'aws-keys' })).toThrow(/invalid aliasPrefix \(received "aws-keys"\)/);
    });
    it('pending window out of range', () => {
      expect(() => new PlatformKeys(newStack(), 'K', { pendingWindow: Duration.days(3) })).toThrow(
        /invalid pendingWindow \(received "Duration.days\(3\)"\): KMS accepts a deletion waiting period of 7 to 30 days\. Fix: use Duration\.days\(n\)/,
      );
    });
    it('pending window in part days', () => {
      expect(() => new PlatformKeys(newStack(), 'K', { pendingWindow: Duration.hours(200) })).toThrow(
        /invalid pendingWindow \(received "Duration.hours\(200\)"\): must be a whole number of days \(8 days 8 hours is 8\.333 days\)/,
      );
    });
    it('pending window given in another unit is converted to whole days', () => {
      const stack = newStack();
      new PlatformKeys(stack, 'K', { pendingWindow: Duration.hours(7 * 24) });
      Template.fromStack(stack).allResourcesProperties('AWS::KMS::Key', { PendingWindowInDays: 7 });
    });
    it('unknown service name format', () => {
      expect(() => new PlatformKeys(newStack(), 'K', { additionalDataKeyServices: ['SQS.amazonaws.com'] })).toThrow(
        /invalid additionalDataKeyServices \(received "SQS.amazonaws.com"\)/,
      );
    });
  });
});
