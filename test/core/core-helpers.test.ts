import { Duration, Token, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { acknowledgeFinding } from '../../lib/core/acknowledge';
import { OPT_OUT_METADATA_TYPE, recordOptOut } from '../../lib/core/opt-out';
import { ALLOWED_RETENTION_DAYS, toRetentionDays } from '../../lib/core/retention';
import { createSecureLogGroup } from '../../lib/core/secure-log-group';
import { wholeDays } from '../../lib/private/validation';
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
    expect(toRetentionDays(scope, 'retention', Duration.days(30))).toBe(30);
    expect(toRetentionDays(scope, 'retention', Duration.hours(24 * 14))).toBe(14);
    expect(() => toRetentionDays(scope, 'retention', Duration.days(0))).toThrow(
      /invalid retention \(received "Duration.days\(0\)"\): must be a whole number of days of at least 1\. Fix: use Duration\.days\(n\) with n one of 1, 3, 5, 7, 14/,
    );
    expect(() => toRetentionDays(scope, 'retention', Duration.days(9999))).toThrow(
      /invalid retention \(received "Duration.days\(9999\)"\): CloudWatch Logs accepts only a fixed set of finite retention periods\. Fix: use Duration\.days\(n\) with n one of 1, 3, 5/,
    );
    expect(() => toRetentionDays(scope, 'retention', Duration.hours(36))).toThrow(
      /invalid retention \(received "Duration.hours\(36\)"\): must be a whole number of days \(1 day 12 hours is 1\.5 days\)\. Fix: use Duration\.days\(n\) with n one of/,
    );
    const token = Token.asNumber({ Ref: 'RetentionDays' });
    expect(toRetentionDays(scope, 'retention', Duration.days(token))).toBe(token);
  });

  it('converts Durations to whole days once, refusing fractions, ranges and unconvertible tokens with the Duration as given', () => {
    const scope = new Construct(newStack(), 'Thing');
    const rule = { min: 7, max: 30 };
    expect(wholeDays(scope, 'pendingWindow', Duration.days(7), rule)).toBe(7);
    expect(wholeDays(scope, 'pendingWindow', Duration.hours(720), rule)).toBe(30);
    expect(wholeDays(scope, 'pendingWindow', Duration.minutes(10_080), rule)).toBe(7);
    expect(() => wholeDays(scope, 'pendingWindow', Duration.days(7.5), rule)).toThrow(
      /Thing: invalid pendingWindow \(received "Duration.days\(7.5\)"\): must be a whole number of days \(7 days 12 hours is 7\.5 days\)\. Fix: use Duration\.days\(n\) with n a whole number from 7 to 30$/,
    );
    expect(() => wholeDays(scope, 'pendingWindow', Duration.days(31), rule)).toThrow(
      /invalid pendingWindow \(received "Duration.days\(31\)"\): must be a whole number of days from 7 to 30\. Fix: use Duration\.days\(n\)/,
    );
    expect(() => wholeDays(scope, 'pendingWindow', Duration.hours(6 * 24), { ...rule, problem: 'KMS waits 7 to 30 days', fix: 'use 30' })).toThrow(
      /invalid pendingWindow \(received "Duration.hours\(144\)"\): KMS waits 7 to 30 days\. Fix: use 30$/,
    );
    const token = Token.asNumber({ Ref: 'Days' });
    expect(wholeDays(scope, 'pendingWindow', Duration.days(token), rule)).toBe(token);
    expect(() => wholeDays(scope, 'pendingWindow', Duration.hours(token), rule)).toThrow(
      /invalid pendingWindow \(received "Duration.hours\(.*\)"\): a token amount converts to days only when given in days\. Fix: use Duration\.days\(<token>\)/,
    );
    expect(() => wholeDays(scope, 'pendingWindow', Duration.days(token), { ...rule, refuseTokens: true })).toThrow(
      /invalid pendingWindow \(received "Duration.days\(.*\)"\): the construct needs the number of days at synth time, not a token/,
    );
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
