import { Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { acknowledgeFinding } from '../../lib/core/acknowledge';
import { OPT_OUT_METADATA_TYPE, recordOptOut } from '../../lib/core/opt-out';
import { ALLOWED_RETENTION_DAYS, toRetentionDays } from '../../lib/core/retention';
import { createSecureLogGroup } from '../../lib/core/secure-log-group';
import { newStack } from '../support/harness';

describe('recordOptOut', () => {
  it('records control and reason as metadata and an info annotation', () => {
    const scope = new Construct(newStack(), 'Thing');
    recordOptOut(scope, 'publicRoute', 'Cognito authorization', { reason: 'health check for the load balancer' });
    expect(scope.node.metadata.find((m) => m.type === OPT_OUT_METADATA_TYPE)?.data).toEqual({
      control: 'Cognito authorization',
      reason: 'health check for the load balancer',
    });
    expect(scope.node.metadata.find((m) => m.type === 'aws:cdk:info')?.data).toBe(
      '[security opt-out] Cognito authorization: health check for the load balancer',
    );
  });

  it('rejects a missing or trivial reason', () => {
    const scope = new Construct(newStack(), 'Thing');
    expect(() => recordOptOut(scope, 'publicRoute', 'auth', { reason: 'n/a' })).toThrow(
      /invalid publicRoute.reason \(received "n\/a"\).*placeholder.*Fix: write at least 4 different words \(20\+ characters\)/,
    );
    expect(() => recordOptOut(scope, 'publicRoute', 'auth', { reason: 'xxxxxxxxxxxxxxxxxxxxxxxx' })).toThrow(/repeats one character/);
    expect(() => recordOptOut(scope, 'publicRoute', 'auth', { reason: 'debugging in production' })).toThrow(/3 distinct word\(s\), fewer than 4/);
  });
});

describe('acknowledgeFinding', () => {
  it('requires the namespaced id and a real reason', () => {
    const scope = new Construct(newStack(), 'Thing');
    expect(() => acknowledgeFinding(scope, 'AwsSolutions-IAM5', 'a reason that is long enough')).toThrow(/not namespaced/);
    expect(() => acknowledgeFinding(scope, 'AwsSolutions::AwsSolutions-IAM5', 'short')).toThrow(
      /invalid acknowledgement AwsSolutions::AwsSolutions-IAM5 \(received "short"\).*5 characters, fewer than 20/,
    );
    expect(() => acknowledgeFinding(scope.node.scope!, 'AwsSolutions::AwsSolutions-IAM5', 'a reason that is long enough')).toThrow(
      /covers every resource below it.*acknowledgeStackWide/,
    );
    acknowledgeFinding(scope, 'AwsSolutions::AwsSolutions-IAM5', 'a reason that is long enough');
    expect(scope.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)).toBe(true);
  });
});

describe('retention and log groups', () => {
  it('accepts only finite CloudWatch Logs retention values', () => {
    const scope = new Construct(newStack(), 'Thing');
    expect(ALLOWED_RETENTION_DAYS).toContain(365);
    expect(ALLOWED_RETENTION_DAYS).not.toContain(9999);
    expect(toRetentionDays(scope, 'retentionDays', 30)).toBe(30);
    expect(() => toRetentionDays(scope, 'retentionDays', 0)).toThrow(/invalid retentionDays \(received 0\)/);
    expect(() => toRetentionDays(scope, 'retentionDays', 9999)).toThrow(/invalid retentionDays \(received 9999\)/);
  });

  it('creates encrypted, retained log groups with one year retention by default', () => {
    const stack = newStack();
    createSecureLogGroup(stack, 'Logs', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
  });
});
