import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { invalidProp } from '../private/errors';

export interface PlatformKeysProps {
  /**
   * Prefix of the key aliases (`alias/<prefix>/data`, `alias/<prefix>/logs`).
   * @default 'platform'
   */
  readonly aliasPrefix?: string;
  /**
   * Waiting period before a scheduled key deletion completes, in days (7–30).
   * @default 30
   */
  readonly pendingWindowDays?: number;
  /**
   * Extra AWS services (short names such as `sqs` or `kinesis`) that may use the data key on behalf of
   * principals of this account, on top of the platform's own (s3, dynamodb, ecr, sns, secretsmanager,
   * ssm, backup, ecs, sqs).
   * @default - none
   */
  readonly additionalDataKeyServices?: string[];
}

/** Services that use the data key on behalf of principals of this account (kms:ViaService). */
const DATA_KEY_VIA_SERVICES = ['s3', 'dynamodb', 'ecr', 'sns', 'secretsmanager', 'ssm', 'backup', 'ecs', 'sqs'];

/**
 * Service principals that call KMS themselves for the data key: CloudWatch alarms and EventBridge
 * publish to encrypted SNS topics.
 */
const DATA_KEY_SERVICE_PRINCIPALS = ['cloudwatch.amazonaws.com', 'events.amazonaws.com'];

const ALIAS_PREFIX_PATTERN = /^[a-zA-Z0-9/_-]{1,200}$/;
const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{1,62}$/;

/**
 * The platform's customer managed KMS keys (P8): one for data (buckets, tables, images, topics,
 * secrets, backups) and one for logs. Both rotate yearly, are retained on delete, and their key policies
 * admit AWS services only on behalf of this account and region.
 */
export class PlatformKeys extends Construct {
  /** Encrypts data at rest: S3, DynamoDB, ECR, SNS, Secrets Manager, SSM, AWS Backup. */
  public readonly dataKey: kms.Key;
  /** Encrypts CloudWatch Logs log groups (access logs, flow logs, WAF logs, container logs). */
  public readonly logsKey: kms.Key;

  constructor(scope: Construct, id: string, props: PlatformKeysProps = {}) {
    super(scope, id);
    const aliasPrefix = props.aliasPrefix ?? 'platform';
    if (!ALIAS_PREFIX_PATTERN.test(aliasPrefix) || aliasPrefix.startsWith('aws')) {
      invalidProp(this, 'aliasPrefix', aliasPrefix, 'KMS alias names allow letters, digits, "/", "_" and "-" and must not start with "aws"', 'use a prefix such as "platform" or "payments-dev"');
    }
    const pendingWindowDays = props.pendingWindowDays ?? 30;
    if (!Number.isInteger(pendingWindowDays) || pendingWindowDays < 7 || pendingWindowDays > 30) {
      invalidProp(this, 'pendingWindowDays', pendingWindowDays, 'KMS accepts a deletion waiting period of 7 to 30 days', 'use a whole number between 7 and 30 (30 is safest)');
    }
    for (const service of props.additionalDataKeyServices ?? []) {
      if (!SERVICE_NAME_PATTERN.test(service)) {
        invalidProp(this, 'additionalDataKeyServices', service, 'expected an AWS service short name as used in kms:ViaService (e.g. "sqs")', 'use the lower-case service prefix, without region or domain');
      }
    }

    const stack = Stack.of(this);
    const keyDefaults = {
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(pendingWindowDays),
    };

    this.dataKey = new kms.Key(this, 'DataKey', {
      ...keyDefaults,
      alias: `${aliasPrefix}/data`,
      description: 'cdk-secure-microservices: data at rest (S3, DynamoDB, ECR, SNS, secrets, backups)',
    });
    const viaServices = [...DATA_KEY_VIA_SERVICES, ...(props.additionalDataKeyServices ?? [])];
    this.dataKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowUseThroughPlatformServicesInThisAccountAndRegion',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        StringEquals: {
          'kms:CallerAccount': stack.account,
          'kms:ViaService': viaServices.map((s) => `${s}.${stack.region}.amazonaws.com`),
        },
      },
    }));
    this.dataKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowPlatformServicePrincipalsForThisAccount',
      principals: DATA_KEY_SERVICE_PRINCIPALS.map((p) => new iam.ServicePrincipal(p)),
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }));

    this.logsKey = new kms.Key(this, 'LogsKey', {
      ...keyDefaults,
      alias: `${aliasPrefix}/logs`,
      description: 'cdk-secure-microservices: CloudWatch Logs (access, flow, WAF, container logs)',
    });
    this.logsKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsInThisAccountAndRegion',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*` },
      },
    }));
  }
}
