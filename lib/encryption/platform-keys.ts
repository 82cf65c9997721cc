import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { recordOptOut } from '../core/opt-out';
import { invalidProp } from '../private/errors';
import { wholeDays } from '../private/validation';

export interface PlatformKeysProps {
  /**
   * Prefix of the key aliases (`alias/<prefix>/data`, `alias/<prefix>/logs`).
   * @default 'platform'
   */
  readonly aliasPrefix?: string;
  /**
   * Waiting period before a scheduled key deletion completes (whole days, 7–30).
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
  /**
   * AWS services (short names such as `sqs` or `kinesis`) through which EVERY principal of this account may use the
   * data key (a `kms:ViaService` statement for `*` of this account). The platform needs none: its constructs grant
   * the key to the roles that use it. Each listed service is recorded and shown in the security report.
   * @default - none
   */
  readonly additionalDataKeyServices?: string[];
}

/**
 * Service principals that call KMS themselves for the data key: CloudWatch alarms and EventBridge publish to
 * encrypted SNS topics (and EventBridge to its encrypted dead-letter queues); SNS delivers undeliverable
 * messages to encrypted dead-letter queues.
 */
const DATA_KEY_SERVICE_PRINCIPALS = ['cloudwatch.amazonaws.com', 'events.amazonaws.com', 'sns.amazonaws.com'];

/** The platform's keys: construct id and description by purpose (the purpose is also the alias suffix). */
const KEY_PURPOSES = {
  data: { id: 'DataKey', description: 'cdk-secure-microservices: data at rest (S3, DynamoDB, ECR, SNS, secrets, backups)' },
  logs: { id: 'LogsKey', description: 'cdk-secure-microservices: CloudWatch Logs (access, flow, WAF, container logs)' },
} as const;

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
      invalidProp(
        this,
        'aliasPrefix',
        aliasPrefix,
        'KMS alias names allow letters, digits, "/", "_" and "-" and must not start with "aws"',
        'use a prefix such as "platform" or "payments-dev"',
      );
    }
    const pendingWindowDays = wholeDays(this, 'pendingWindow', props.pendingWindow ?? Duration.days(30), {
      min: 7,
      max: 30,
      refuseTokens: true,
      problem: 'KMS accepts a deletion waiting period of 7 to 30 days',
      fix: 'use Duration.days(n) with n a whole number between 7 and 30 (30 is safest)',
    });
    for (const service of props.additionalDataKeyServices ?? []) {
      if (!SERVICE_NAME_PATTERN.test(service)) {
        invalidProp(
          this,
          'additionalDataKeyServices',
          service,
          'expected an AWS service short name as used in kms:ViaService (e.g. "sqs")',
          'use the lower-case service prefix, without region or domain',
        );
      }
    }

    const viaServices = props.additionalDataKeyServices ?? [];
    this.dataKey = this.createKey('data', aliasPrefix, pendingWindowDays, this.dataKeyStatements(viaServices));
    this.recordViaServiceOptOuts(viaServices);
    this.logsKey = this.createKey('logs', aliasPrefix, pendingWindowDays, this.logsKeyStatements());
  }

  /** A key of `purpose` (KEY_PURPOSES): rotated yearly, retained on delete, with `statements` in its key policy. */
  private createKey(purpose: keyof typeof KEY_PURPOSES, aliasPrefix: string, pendingWindowDays: number, statements: iam.PolicyStatement[]): kms.Key {
    const { id, description } = KEY_PURPOSES[purpose];
    const key = new kms.Key(this, id, {
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(pendingWindowDays),
      alias: `${aliasPrefix}/${purpose}`,
      description,
    });
    for (const statement of statements) key.addToResourcePolicy(statement);
    return key;
  }

  /**
   * The data key's policy: grants only for AWS resources, use through `viaServices` by this account, and the service
   * principals that call KMS themselves, for this account.
   */
  private dataKeyStatements(viaServices: readonly string[]): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    const statements = [
      // Grants (ECR repositories, AWS Backup, Fargate ephemeral storage) only through AWS services: nobody, not even an
      // administrator, can hand out a grant on the data key directly.
      new iam.PolicyStatement({
        sid: 'DenyGrantsNotForAwsResources',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }),
    ];
    if (viaServices.length > 0) {
      const throughListedServices = {
        'kms:CallerAccount': stack.account,
        'kms:ViaService': viaServices.map((service) => `${service}.${stack.region}.amazonaws.com`),
      };
      statements.push(
        new iam.PolicyStatement({
          sid: 'AllowUseThroughListedServicesInThisAccountAndRegion',
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: { StringEquals: throughListedServices },
        }),
        new iam.PolicyStatement({
          sid: 'AllowGrantsForAwsResourcesThroughListedServices',
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:CreateGrant'],
          resources: ['*'],
          conditions: { StringEquals: throughListedServices, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        }),
      );
    }
    statements.push(
      new iam.PolicyStatement({
        sid: 'AllowPlatformServicePrincipalsForThisAccount',
        principals: DATA_KEY_SERVICE_PRINCIPALS.map((p) => new iam.ServicePrincipal(p)),
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    return statements;
  }

  /** Each service of `additionalDataKeyServices` widens who may use the data key: recorded and shown in the report. */
  private recordViaServiceOptOuts(viaServices: readonly string[]): void {
    for (const service of viaServices) {
      recordOptOut(
        this,
        'additionalDataKeyServices',
        `data key limited to granted roles (every principal of this account may use it through ${service})`,
        {
          reason: `additionalDataKeyServices lists "${service}": principals of this account call ${service} with the data key without a grant of their own`,
        },
      );
    }
  }

  /** The logs key's policy: CloudWatch Logs of this region, for log groups of this account only. */
  private logsKeyStatements(): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    return [
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsInThisAccountAndRegion',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*` },
        },
      }),
    ];
  }
}
