import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { beforeAll, describe, expect, test } from 'vitest';
import { OPT_OUT_METADATA_TYPE } from '../../lib/core/opt-out';
import { PlatformKeys } from '../../lib/encryption/platform-keys';
import { SecureTable, SecureTableProps } from '../../lib/storage/secure-table';
import { acknowledgeTestGrantee, logicalIdOf } from '../support/checks';
import { expectNoFindings, expectReasonedAcknowledgements, newStack, synthWithGate } from '../support/harness';

const PK = { name: 'pk', type: dynamodb.AttributeType.STRING };
const CACHE_REASON = 'Derived cache, rebuilt from the event store in minutes.';

function tableIn(stack: Stack, props: Partial<SecureTableProps> = {}): SecureTable {
  return new SecureTable(stack, 'Orders', { encryptionKey: new kms.Key(stack, 'Key'), partitionKey: PK, ...props });
}

describe('SecureTable, through the security gate', () => {
  let stack: Stack;
  let keys: PlatformKeys;
  let orders: SecureTable;
  let result: ReturnType<typeof synthWithGate>;
  let template: Template;
  const keyArn = () => ({ 'Fn::GetAtt': [logicalIdOf(keys.dataKey), 'Arn'] });

  beforeAll(() => {
    stack = newStack('TableStack');
    keys = new PlatformKeys(stack, 'Keys');
    orders = new SecureTable(stack, 'Orders', {
      encryptionKey: keys.dataKey,
      partitionKey: PK,
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      globalSecondaryIndexes: [{ indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING } }],
    });
    // A second table opts out of the backup plan: its reason must carry it through the gate.
    new SecureTable(stack, 'Cache', { encryptionKey: keys.dataKey, partitionKey: PK, withoutBackupPlan: { reason: CACHE_REASON } });
    const role = new iam.Role(stack, 'Service', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    orders.grantReadWriteData(role);
    acknowledgeTestGrantee(role);
    result = synthWithGate(stack);
    template = result.template;
  });

  test('passes every pack; the only acknowledgement of its own is the AWS Backup service-role policy', () => {
    expectNoFindings(result);
    expectReasonedAcknowledgements(result);
    const own = result.acknowledged.filter((a) => a.constructPaths.some((p) => p.includes('/Orders/')));
    expect(own.map((a) => [a.acknowledgedId, a.constructPaths])).toEqual([
      [
        'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
        ['TableStack/Orders/BackupRole/Resource'],
      ],
    ]);
  });

  test('an opted-out table passes because the backup-plan rules carry the opt-out reason', () => {
    const cache = result.acknowledged.filter((a) => a.constructPaths.some((p) => p.includes('/Cache/')));
    expect(cache.map((a) => [a.acknowledgedId, a.reason])).toEqual(
      ['NIST.800.53.R5', 'HIPAA.Security'].map((pack) => [
        `${pack}::${pack}-DynamoDBInBackupPlan`,
        `AWS Backup plan for the table turned off with withoutBackupPlan: ${CACHE_REASON}`,
      ]),
    );
    template.resourceCountIs('AWS::Backup::BackupSelection', 1);
  });

  test('encrypts with the customer managed key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn() },
    });
    expect(orders.encryptionKey).toBe(keys.dataKey);
  });

  test('has point-in-time recovery and deletion protection, on-demand billing', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byCustomer' })],
    });
  });

  test('is retained on delete, as are its backups (the vault, whose name is fixed, is deleted when its create rolls back)', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    expect(orders.table.node.id).toBe('Resource');
  });

  test('backs up daily into a vault encrypted with the customer managed key, kept 35 days', () => {
    template.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: keyArn() });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({
            RuleName: 'Daily',
            ScheduleExpression: 'cron(0 5 * * ? *)',
            Lifecycle: { DeleteAfterDays: 35 },
            TargetBackupVault: { 'Fn::GetAtt': [logicalIdOf(orders.backupVault!), 'BackupVaultName'] },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({
        IamRoleArn: { 'Fn::GetAtt': [logicalIdOf(orders.backupRole!), 'Arn'] },
        Resources: [{ 'Fn::GetAtt': [logicalIdOf(orders.table), 'Arn'] }],
      }),
    });
  });

  test('the backup role trusts AWS Backup for this account only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'backup.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup']] },
      ],
    });
  });
});

describe('SecureTable options', () => {
  test('withoutBackupPlan drops plan and vault and records the reason', () => {
    const stack = newStack();
    const table = tableIn(stack, { withoutBackupPlan: { reason: CACHE_REASON } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Backup::BackupPlan', 0);
    template.resourceCountIs('AWS::Backup::BackupVault', 0);
    template.hasResourceProperties('AWS::DynamoDB::Table', { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    expect(table.backupPlan).toBeUndefined();
    expect(table.node.metadata.filter((m) => m.type === OPT_OUT_METADATA_TYPE).map((m) => m.data)).toEqual([
      { control: 'AWS Backup plan for the table', reason: CACHE_REASON },
    ]);
  });

  test('backup retention and schedule are configurable', () => {
    const stack = newStack();
    tableIn(stack, { backupRetention: Duration.hours(90 * 24), backupSchedule: events.Schedule.cron({ minute: '30', hour: '1' }) });
    Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(30 1 * * ? *)', Lifecycle: { DeleteAfterDays: 90 } })] },
    });
  });

  test('provisioned billing when asked', () => {
    const stack = newStack();
    tableIn(stack, { billingMode: dynamodb.BillingMode.PROVISIONED, readCapacity: 5, writeCapacity: 2 });
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: Match.absent(),
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 2 },
      DeletionProtectionEnabled: true,
    });
  });
});

describe('SecureTable grants', () => {
  let stack: Stack;
  let table: SecureTable;
  beforeAll(() => {
    stack = newStack('GrantStack');
    table = tableIn(stack, {
      globalSecondaryIndexes: [
        { indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING } },
        { indexName: 'byStatus', partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING } },
      ],
    });
  });

  function statementsOf(grant: (role: iam.Role) => unknown): unknown[] {
    const role = new iam.Role(stack, `Role${stack.node.children.length}`, { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    grant(role);
    return stack.resolve((role.node.findChild('DefaultPolicy') as iam.Policy).document.toJSON()).Statement;
  }

  const tableArn = () => stack.resolve(table.table.tableArn);
  const indexArn = (name: string) => ({ 'Fn::Join': ['', [tableArn(), `/index/${name}`]] });
  const viaDynamoDb = { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } };
  const read = () => [
    {
      Effect: 'Allow',
      Action: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
      Resource: [tableArn(), indexArn('byCustomer'), indexArn('byStatus')],
    },
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: stack.resolve(table.encryptionKey.keyArn), Condition: viaDynamoDb },
  ];
  const write = () => [
    { Effect: 'Allow', Action: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: tableArn() },
    { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: stack.resolve(table.encryptionKey.keyArn), Condition: viaDynamoDb },
  ];

  test('grantReadData: exact read actions on the table and each index, kms:Decrypt through DynamoDB', () => {
    expect(statementsOf((r) => table.grantReadData(r))).toEqual(read());
  });

  test('grantWriteData: exact write actions on the table only', () => {
    expect(statementsOf((r) => table.grantWriteData(r))).toEqual(write());
  });

  test('grantReadWriteData: both, never a wildcard resource', () => {
    const statements = statementsOf((r) => table.grantReadWriteData(r));
    expect(statements).toEqual([...read(), ...write()]);
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"|index\/\*/);
  });
});

describe('SecureTable rejects bad input', () => {
  test.each([6, 3651, 0])('backupRetention = Duration.days(%s)', (days) => {
    expect(() => tableIn(newStack(), { backupRetention: Duration.days(days) })).toThrow(
      new RegExp(
        `invalid backupRetention \\(received "Duration.days\\(${days}\\)"\\): backups are kept between 7 and 3650 whole days\\. Fix: use Duration\\.days\\(n\\) with n a whole number from 7 to 3650`,
      ),
    );
  });

  test('backupRetention in part days', () => {
    expect(() => tableIn(newStack(), { backupRetention: Duration.hours(35 * 24 + 12) })).toThrow(
      /invalid backupRetention \(received "Duration.hours\(852\)"\): must be a whole number of days \(35 days 12 hours is 35\.5 days\)\. Fix: use Duration\.days\(n\) with n a whole number from 7 to 3650/,
    );
  });

  test('opt-out without a reason', () => {
    expect(() => tableIn(newStack(), { withoutBackupPlan: { reason: ' ' } })).toThrow(
      /invalid withoutBackupPlan\.reason \(received " "\): turning off "AWS Backup plan for the table" needs a reason.*Fix: write at least 4 different words/,
    );
  });

  test('opt-out together with backup settings', () => {
    expect(() =>
      tableIn(newStack(), { withoutBackupPlan: { reason: 'Derived cache, rebuilt on demand.' }, backupRetention: Duration.days(30) }),
    ).toThrow(/invalid withoutBackupPlan .*backupRetention or backupSchedule configure a backup plan.*Fix: drop withoutBackupPlan to keep backups/);
  });

  test('a key from another region', () => {
    const stack = newStack('S', { account: '111111111111', region: 'us-east-1' });
    const foreignKey = kms.Key.fromKeyArn(stack, 'Foreign', 'arn:aws:kms:eu-west-1:111111111111:key/abc');
    expect(() => new SecureTable(stack, 'Orders', { encryptionKey: foreignKey, partitionKey: PK })).toThrow(
      /invalid encryptionKey \(received "eu-west-1"\): the table is in us-east-1, but this key is in eu-west-1.*Fix: pass a key that lives in us-east-1/,
    );
  });
});
