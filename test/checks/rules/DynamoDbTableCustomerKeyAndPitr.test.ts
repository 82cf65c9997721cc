import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, test } from 'vitest';
import { DynamoDbTableCustomerKeyAndPitr } from '../../../lib/checks/rules/storage/DynamoDbTableCustomerKeyAndPitr';
import { ruleViolations } from '../../support/checks';
import { newStack } from '../../support/harness';

const ENV = { account: '111111111111', region: 'us-east-1' };
const PK = { name: 'pk', type: dynamodb.AttributeType.STRING };

const compliantTable = (stack: Stack): dynamodb.TableProps => ({
  partitionKey: PK,
  encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
  encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  deletionProtection: true,
});

describe('DynamoDbTableCustomerKeyAndPitr', () => {
  test('compliant: customer managed key, PITR and deletion protection (Table and TableV2)', () => {
    // TableV2 renders replica keys only in a stack with a known region.
    const stack = newStack('TestStack', ENV);
    new dynamodb.Table(stack, 'Table', compliantTable(stack));
    new dynamodb.TableV2(stack, 'Global', {
      partitionKey: PK,
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(new kms.Key(stack, 'GlobalKey', { enableKeyRotation: true })),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
    });
    expect(ruleViolations(DynamoDbTableCustomerKeyAndPitr, stack)).toEqual([]);
  });

  test.each([
    ['the AWS owned key', { encryption: dynamodb.TableEncryption.DEFAULT, encryptionKey: undefined }],
    ['the AWS managed key', { encryption: dynamodb.TableEncryption.AWS_MANAGED, encryptionKey: undefined }],
    ['no point-in-time recovery', { pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false } }],
    ['no deletion protection', { deletionProtection: false }],
  ])('non-compliant: %s', (_, override) => {
    const stack = newStack();
    new dynamodb.Table(stack, 'Table', { ...compliantTable(stack), ...override });
    expect(ruleViolations(DynamoDbTableCustomerKeyAndPitr, stack)).toEqual(['TestStack/Table/Resource']);
  });

  test('non-compliant: a global table (TableV2) on the AWS owned key without PITR', () => {
    const stack = newStack('TestStack', ENV);
    new dynamodb.TableV2(stack, 'Global', { partitionKey: PK, deletionProtection: true });
    expect(ruleViolations(DynamoDbTableCustomerKeyAndPitr, stack)).toEqual(['TestStack/Global/Resource']);
  });
});
