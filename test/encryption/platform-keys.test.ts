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
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'AllowCloudWatchLogsInThisAccountAndRegion',
        Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*']] } } },
      })]) },
    });
  });

  it('lets platform services use the data key only via those services, for callers of this account', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('data at rest'),
      KeyPolicy: { Statement: Match.arrayWith([
        Match.objectLike({
          Sid: 'AllowUseThroughPlatformServicesInThisAccountAndRegion',
          Principal: { AWS: '*' },
          Condition: { StringEquals: {
            'kms:CallerAccount': { Ref: 'AWS::AccountId' },
            'kms:ViaService': Match.arrayWith([{ 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] }]),
          } },
        }),
        Match.objectLike({
          Sid: 'AllowPlatformServicePrincipalsForThisAccount',
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        }),
      ]) },
    });
  });

  describe('rejects bad input with prop, value and fix', () => {
    it('alias prefix with invalid characters', () => {
      expect(() => new PlatformKeys(newStack(), 'K', { aliasPrefix: 'bad prefix!' })).toThrow(/invalid aliasPrefix \(received "bad prefix!"\).*Fix: use a prefix/);
    });
    it('alias prefix starting with aws', () => {
      expect(() => new PlatformKeys(newStack(), 'K', { aliasPrefix: 'aws-keys' })).toThrow(/invalid aliasPrefix \(received "aws-keys"\)/);
    });
    it('pending window out of range', () => {
      expect(() => new PlatformKeys(newStack(), 'K', { pendingWindowDays: 3 })).toThrow(/invalid pendingWindowDays \(received 3\).*7 to 30 days/);
    });
    it('unknown service name format', () => {
      expect(() => new PlatformKeys(newStack(), 'K', { additionalDataKeyServices: ['SQS.amazonaws.com'] })).toThrow(/invalid additionalDataKeyServices \(received "SQS.amazonaws.com"\)/);
    });
  });
});
