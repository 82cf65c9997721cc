import { DescribeCertificateAuthorityCommand, GetCertificateAuthorityCertificateCommand } from '@aws-sdk/client-acm-pca';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { syncRevocation } from '../../lib/pki/handlers/revocation-sync.lambda';
import { REVOCATION_SYNC_NEEDS_TRAIL, RevocationSync } from '../../lib/pki/revocation-sync';
import { newStack } from '../support/harness';
import { boundCertificate } from './certificates';
import { CA_ARN, recordedRevokeEvent } from './cloudtrail';

/** A deny-list table and a CA in memory, answering like DynamoDB and AWS Private CA. */
function fakeCloud(ca: { usageMode?: string; certificate?: string; fail?: boolean } = {}) {
  const items = new Map<string, Record<string, { S?: string; N?: string }>>();
  const dynamodb = {
    send: vi.fn(async (cmd: unknown) => {
      if (!(cmd instanceof PutItemCommand)) throw new Error(`unexpected ${String(cmd)}`);
      const serial = cmd.input.Item!.serial.S!;
      if (cmd.input.ConditionExpression === 'attribute_not_exists(serial)' && items.has(serial)) {
        throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
      }
      items.set(serial, cmd.input.Item as never);
      return {};
    }),
  };
  const pca = {
    send: vi.fn(async (cmd: unknown) => {
      if (ca.fail) throw Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
      if (cmd instanceof DescribeCertificateAuthorityCommand)
        return { CertificateAuthority: { Status: 'ACTIVE', UsageMode: ca.usageMode ?? 'GENERAL_PURPOSE' } };
      if (cmd instanceof GetCertificateAuthorityCertificateCommand) return { Certificate: ca.certificate };
      throw new Error(`unexpected ${String(cmd)}`);
    }),
  };
  return { items, deps: { dynamodb, pca, tableName: 'deny-list', certificateAuthorityArns: [CA_ARN] } };
}

describe('revocation sync handler (recorded CloudTrail event shape)', () => {
  test('writes the normalized serial with reason, time, caller and an expiry bounded by the CA certificate', async () => {
    const caCertificate = await boundCertificate([], '01');
    const cloud = fakeCloud({ certificate: caCertificate });
    const result = await syncRevocation(recordedRevokeEvent(), cloud.deps);
    const caExpiry = Math.floor(new Date(new (await import('node:crypto')).X509Certificate(caCertificate).validTo).getTime() / 1000);
    expect(result).toEqual({ serial: '6707447683a9b7f4055627ffd55cebcc', outcome: 'written', expiresAt: caExpiry + 86_400 });
    expect(cloud.items.get('6707447683a9b7f4055627ffd55cebcc')).toEqual({
      serial: { S: '6707447683a9b7f4055627ffd55cebcc' },
      revokedAt: { S: '2018-01-26T22:35:03Z' },
      reason: { S: 'KEY_COMPROMISE' },
      certificateAuthorityArn: { S: CA_ARN },
      source: { S: 'cloudtrail:arn:aws:iam::111122223333:user/name' },
      expiresAt: { N: String(caExpiry + 86_400) },
    });
  });

  test('a short-lived CA bounds the entry at the revocation plus 7 days (and a day); an unreadable CA keeps it for good', async () => {
    const shortLived = fakeCloud({ usageMode: 'SHORT_LIVED_CERTIFICATE' });
    expect((await syncRevocation(recordedRevokeEvent(), shortLived.deps)).expiresAt).toBe(Date.parse('2018-01-26T22:35:03Z') / 1000 + 8 * 86_400);
    const denied = fakeCloud({ fail: true });
    vi.spyOn(console, 'log').mockImplementationOnce(() => undefined);
    expect(await syncRevocation(recordedRevokeEvent(), denied.deps)).toMatchObject({ outcome: 'written', expiresAt: undefined });
    expect(denied.items.get('6707447683a9b7f4055627ffd55cebcc')?.expiresAt).toBeUndefined();
  });

  test('keeps an entry csm-certs wrote first (it knows the exact expiry); a replay is harmless', async () => {
    const cloud = fakeCloud({ usageMode: 'SHORT_LIVED_CERTIFICATE' });
    cloud.items.set('abcd', { serial: { S: 'abcd' }, expiresAt: { N: '42' } });
    expect(await syncRevocation(recordedRevokeEvent({ certificateSerial: '00:AB:CD' }), cloud.deps)).toEqual({
      serial: 'abcd',
      outcome: 'already-listed',
    });
    expect(cloud.items.get('abcd')?.expiresAt).toEqual({ N: '42' });
  });

  test('ignores failed calls, other API calls and other CAs; a RevokeCertificate of our CA without a serial fails loudly', async () => {
    const cloud = fakeCloud();
    expect(await syncRevocation(recordedRevokeEvent({ errorCode: 'ResourceNotFoundException' }), cloud.deps)).toMatchObject({
      outcome: 'ignored',
      why: expect.stringMatching(/call failed/),
    });
    expect(await syncRevocation(recordedRevokeEvent({ eventName: 'IssueCertificate' }), cloud.deps)).toMatchObject({ outcome: 'ignored' });
    expect(await syncRevocation(recordedRevokeEvent({ certificateAuthorityArn: `${CA_ARN.slice(0, -1)}7` }), cloud.deps)).toMatchObject({
      outcome: 'ignored',
      why: expect.stringMatching(/not synced here/),
    });
    expect(cloud.items.size).toBe(0);
    await expect(syncRevocation(recordedRevokeEvent({ certificateSerial: '' }), cloud.deps)).rejects.toThrow(/without certificateSerial/);
    await expect(syncRevocation(recordedRevokeEvent({ certificateSerial: 'not-hex' }), cloud.deps)).rejects.toThrow(/invalid certificate serial/);
  });
});

describe('RevocationSync (template)', () => {
  let template: Template;
  let stack: Stack;
  beforeAll(() => {
    stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const table = new dynamodb.Table(stack, 'DenyList', { partitionKey: { name: 'serial', type: dynamodb.AttributeType.STRING } });
    new RevocationSync(stack, 'Sync', {
      certificateAuthority: acmpca.CertificateAuthority.fromCertificateAuthorityArn(stack, 'Ca', CA_ARN),
      denyList: table,
      encryptionKey: key,
      logsKey: key,
    });
    template = Template.fromStack(stack);
  });

  test('an EventBridge rule on successful CloudTrail RevokeCertificate calls of this CA targets the function, with retries and a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.acm-pca'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['acm-pca.amazonaws.com'],
          eventName: ['RevokeCertificate'],
          errorCode: [{ exists: false }],
          requestParameters: { certificateAuthorityArn: [CA_ARN] },
        },
      },
      Targets: [
        Match.objectLike({
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SyncDeadLetterQueue'), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 21600 },
        }),
      ],
    });
  });

  test('the function has its own dead-letter queue and may only put deny-list items and read the CA', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SyncDeadLetterQueue'), 'Arn'] } },
      Environment: { Variables: { DENY_LIST_TABLE: { Ref: Match.stringLikeRegexp('DenyList') }, CERTIFICATE_AUTHORITY_ARNS: CA_ARN } },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('DenyList'), 'Arn'] } },
          { Effect: 'Allow', Action: ['acm-pca:DescribeCertificateAuthority', 'acm-pca:GetCertificateAuthorityCertificate'], Resource: CA_ARN },
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('SyncDeadLetterQueue'), 'Arn'] } },
        ]),
      },
    });
  });

  test('synth states that the sync needs a trail recording management events', () => {
    const sync = stack.node.findChild('Sync');
    expect(sync.node.metadata.filter((m) => m.type === 'aws:cdk:info').map((m) => m.data)).toContain(REVOCATION_SYNC_NEEDS_TRAIL);
  });
});
