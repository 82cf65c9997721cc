import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { LogGroupEncryptedWithRetention } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

describe('Platform-LogGroupEncryptedWithRetention', () => {
  it('accepts a log group with a customer managed key and a finite retention', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new logs.LogGroup(stack, 'Good', { encryptionKey: key, retention: logs.RetentionDays.ONE_YEAR });
    expect(ruleViolations(LogGroupEncryptedWithRetention, stack)).toEqual([]);
  });

  it('flags a log group without a KMS key', () => {
    const stack = newStack();
    new logs.LogGroup(stack, 'NoKey', { retention: logs.RetentionDays.ONE_YEAR });
    expect(ruleViolations(LogGroupEncryptedWithRetention, stack)).toEqual(['TestStack/NoKey/Resource']);
  });

  it('flags a log group that never expires', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new logs.LogGroup(stack, 'Forever', { encryptionKey: key, retention: logs.RetentionDays.INFINITE });
    expect(ruleViolations(LogGroupEncryptedWithRetention, stack)).toEqual(['TestStack/Forever/Resource']);
  });
});
