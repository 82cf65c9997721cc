import { Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { LogRetentionAboveFloor } from '../../../lib/checks/rules';
import { LOG_RETENTION_FLOOR_METADATA_TYPE } from '../../../lib/private/metadata';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

function group(scope: Construct, id: string, days: number): void {
  new logs.CfnLogGroup(scope, id, { retentionInDays: days });
}

describe('Platform-LogRetentionAboveFloor', () => {
  it('accepts 90 days and more by default (and leaves "forever" to LogGroupEncryptedWithRetention)', () => {
    const stack: Stack = newStack();
    group(stack, 'Ninety', 90);
    new logs.CfnLogGroup(stack, 'Forever', {});
    expect(ruleViolations(LogRetentionAboveFloor, stack)).toEqual([]);
  });

  it('flags a 1-day and a 60-day log group', () => {
    const stack = newStack();
    group(stack, 'OneDay', 1);
    group(stack, 'SixtyDays', 60);
    expect(ruleViolations(LogRetentionAboveFloor, stack)).toEqual(['TestStack/OneDay', 'TestStack/SixtyDays']);
  });

  it('applies the floor a platform profile records (prod: 365) below that construct only; a lower recorded floor never lowers 90', () => {
    const stack = newStack();
    const prod = new Construct(stack, 'Prod');
    prod.node.addMetadata(LOG_RETENTION_FLOOR_METADATA_TYPE, 365);
    const lax = new Construct(stack, 'Lax');
    lax.node.addMetadata(LOG_RETENTION_FLOOR_METADATA_TYPE, 1);
    group(prod, 'HalfYear', 180);
    group(prod, 'TwoYears', 731);
    group(lax, 'Week', 7);
    group(stack, 'HalfYearOutside', 180);
    expect(ruleViolations(LogRetentionAboveFloor, stack)).toEqual(['TestStack/Lax/Week', 'TestStack/Prod/HalfYear']);
  });
});
