import { CfnElement, Duration, Stack, Token } from 'aws-cdk-lib';
import * as accessanalyzer from 'aws-cdk-lib/aws-accessanalyzer';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as config from 'aws-cdk-lib/aws-config';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../core/acknowledge';
import { createDeadLetterQueue } from '../core/dead-letter-queue';
import { invalidProp } from '../private/errors';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { ORGANIZATION_MANAGED_CONTROLS, OrganizationManagedPart } from '../private/organization-managed';

export type { OrganizationManagedPart };
import { recordOptOut, SecurityOptOut } from '../core/opt-out';
import { toRetentionDays } from '../core/retention';
import { createSecureLogGroup } from '../core/secure-log-group';
import { PlatformKeys } from '../encryption/platform-keys';
import { RegistryScanning } from '../registry/registry-scanning';
import { SecureBucket } from '../storage/secure-bucket';
import { CIS_ALARMS } from './cis-alarms';
import { ENVIRONMENT_NAME_PATTERN, wholeDays } from '../private/validation';

/**
 * Parts of the baseline a delegated administrator of the AWS Organization already runs (e.g. Control Tower's
 * organization trail, GuardDuty and Security Hub), each with the reason. A part listed here is not created; the
 * reason is recorded as an opt-out (synth output and security report).
 */
export interface OrganizationManagedParts {
  /** The trail, its bucket and log group, and the CIS metric-filter alarms on the trail's log group. */
  readonly trail?: SecurityOptOut;
  /**
   * The AWS Config recorder (configuration history of every supported resource; most Security Hub controls evaluate
   * it). It delivers to the trail's bucket, so it is organization-managed whenever the trail is.
   */
  readonly config?: SecurityOptOut;
  readonly guardDuty?: SecurityOptOut;
  readonly securityHub?: SecurityOptOut;
  readonly accessAnalyzer?: SecurityOptOut;
  /** Inspector enhanced (continuous) scanning of the ECR registry. */
  readonly inspector?: SecurityOptOut;
}

/** Data events the trail records, by ARN prefix (the resources may belong to stacks deployed later). */
export interface TrailDataEvents {
  /**
   * Prefixes of S3 object ARNs, e.g. `arn:aws:s3:::dev-platform-` (buckets CloudFormation names after the stack).
   * @default - none
   */
  readonly s3ObjectArnPrefixes?: string[];
  /**
   * Prefixes of DynamoDB table ARNs, e.g. `arn:aws:dynamodb:eu-west-1:111122223333:table/dev-Platform-`.
   * @default - none
   */
  readonly dynamoDbTableArnPrefixes?: string[];
}

export interface AccountSecurityBaselineProps {
  /** Short name (lower-case letters, digits, "-"; at most 16): names the trail, key aliases and analyzer. */
  readonly name: string;
  /**
   * Object Lock mode of the trail bucket: `GOVERNANCE` (privileged users can still delete early) or `COMPLIANCE`
   * (nobody can delete before the retention ends).
   * @default 'COMPLIANCE'
   */
  readonly objectLockMode?: 'GOVERNANCE' | 'COMPLIANCE';
  /**
   * How long every trail log file is locked (whole days, at least 90).
   * @default Duration.days(365)
   */
  readonly trailRetention?: Duration;
  /**
   * Retention of the trail's CloudWatch Logs log group (whole days, a CloudWatch Logs value: ALLOWED_RETENTION_DAYS,
   * at least 90).
   * @default Duration.days(365)
   */
  readonly logRetention?: Duration;
  /**
   * Who receives the CIS alarms and high-severity GuardDuty findings.
   * @default - none (the topic exists; subscribe later)
   */
  readonly alarmEmails?: string[];
  /**
   * Data events the trail records besides all management events.
   * @default - management events only
   */
  readonly dataEvents?: TrailDataEvents;
  /**
   * Parts the organization already runs in this account and region.
   * @default - every part is created here
   */
  readonly organizationManaged?: OrganizationManagedParts;
}

/** Lowest retention of the trail (P9): 90 days of evidence. */
export const MINIMUM_TRAIL_RETENTION_DAYS = 90;
/** The account trail and where it delivers. */
interface AccountTrail {
  readonly bucket: SecureBucket;
  readonly logGroup: logs.LogGroup;
  readonly trail: cloudtrail.CfnTrail;
}

/** Security Hub standards the baseline enables (construct id, standard path of the ARN). */
const SECURITY_HUB_STANDARDS = [
  ['FoundationalBestPractices', 'standards/aws-foundational-security-best-practices/v/1.0.0'],
  ['CisBenchmark', 'standards/cis-aws-foundations-benchmark/v/3.0.0'],
] as const;
/** GuardDuty severities from 7 (high) alert the topic. */
const HIGH_SEVERITY = 7;

/**
 * The account security baseline (P9, P10, P14) for one account and region, in its own stack deployed before the
 * platform: a multi-region CloudTrail trail (log-file validation, customer managed key, management events and the
 * platform's data events) delivered to an Object Lock bucket and a KMS-encrypted log group, with the CIS
 * metric-filter alarms on it; GuardDuty with ECS Fargate runtime monitoring (agent managed by GuardDuty); Security
 * Hub with the AWS Foundational Security Best Practices and CIS standards; an IAM Access Analyzer; and Inspector
 * enhanced continuous scanning of ECR. Alarms and high-severity findings go to an encrypted topic. Each part can be
 * left to the organization (`organizationManaged`) with a reason.
 */
export class AccountSecurityBaseline extends Construct {
  public readonly keys: PlatformKeys;
  /** CIS alarms and high-severity GuardDuty findings. */
  public readonly alarmTopic: sns.Topic;
  /** Absent when the trail is organization-managed. */
  public readonly trail?: cloudtrail.CfnTrail;
  public readonly trailBucket?: SecureBucket;
  public readonly trailLogGroup?: logs.LogGroup;
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** Absent when Config is organization-managed. */
  public readonly configRecorder?: config.CfnConfigurationRecorder;
  public readonly detector?: guardduty.CfnDetector;
  public readonly securityHub?: securityhub.CfnHub;
  public readonly standards: readonly securityhub.CfnStandard[];
  public readonly analyzer?: accessanalyzer.CfnAnalyzer;
  public readonly registryScanning?: RegistryScanning;

  constructor(scope: Construct, id: string, props: AccountSecurityBaselineProps) {
    super(scope, id);
    if (!ENVIRONMENT_NAME_PATTERN.test(props.name)) {
      invalidProp(
        this,
        'name',
        props.name,
        'names are lower-case letters, digits and "-", starting with a letter, at most 16 characters',
        'use e.g. "dev" or "prod"',
      );
    }
    const { trailRetention, logRetention } = validateRetention(this, props);
    const managed = this.recordOrganizationManaged(props.organizationManaged ?? {});

    this.keys = new PlatformKeys(this, 'Keys', { aliasPrefix: `baseline/${props.name}` });
    this.alarmTopic = this.createAlarmTopic(props.alarmEmails ?? []);

    const alarms: cloudwatch.Alarm[] = [];
    if (!managed.trail) {
      const trail = this.createAccountTrail(props, trailRetention, logRetention);
      this.trailBucket = trail.bucket;
      this.trailLogGroup = trail.logGroup;
      this.trail = trail.trail;
      alarms.push(...this.createCisAlarms(trail.logGroup));
      if (!managed.config) this.configRecorder = this.createConfigRecorder(props.name, trail.bucket);
    }
    this.alarms = alarms;

    if (!managed.guardDuty) {
      this.detector = this.createDetector();
      this.alertOnHighSeverityFindings();
    }
    if (!managed.securityHub) this.securityHub = this.createSecurityHub();
    this.standards = this.securityHub ? this.enableStandards(this.securityHub) : [];
    if (!managed.accessAnalyzer) {
      this.analyzer = new accessanalyzer.CfnAnalyzer(this, 'AccessAnalyzer', { type: 'ACCOUNT', analyzerName: `csm-${props.name}-account` });
    }
    if (!managed.inspector) {
      this.registryScanning = new RegistryScanning(this, 'RegistryScanning');
    }
  }

  /**
   * Checks the parts left to the organization and records each as an opt-out with its reason. The Config recorder
   * delivers to the trail's bucket, so an organization-managed trail needs an organization-managed Config.
   */
  private recordOrganizationManaged(managed: OrganizationManagedParts): OrganizationManagedParts {
    for (const part of Object.keys(managed) as OrganizationManagedPart[]) {
      if (!(part in ORGANIZATION_MANAGED_CONTROLS)) {
        invalidProp(
          this,
          'organizationManaged',
          part,
          'not a part of the baseline',
          `use one of ${Object.keys(ORGANIZATION_MANAGED_CONTROLS).join(', ')}`,
        );
      }
      recordOptOut(this, `organizationManaged.${part}`, ORGANIZATION_MANAGED_CONTROLS[part], managed[part]!);
    }
    if (managed.trail && !managed.config) {
      invalidProp(
        this,
        'organizationManaged.config',
        undefined,
        "the Config recorder delivers to the trail's bucket, and the trail is organization-managed",
        "record organizationManaged.config too (the organization's Config aggregator usually runs with its trail)",
      );
    }
    return managed;
  }

  /** GuardDuty with ECS Fargate runtime monitoring (agent managed by GuardDuty), S3 data events and Lambda network logs. */
  private createDetector(): guardduty.CfnDetector {
    return new guardduty.CfnDetector(this, 'Detector', {
      enable: true,
      findingPublishingFrequency: 'FIFTEEN_MINUTES',
      features: [
        // GuardDuty injects and updates the runtime agent into every Fargate task (no task definition change).
        { name: 'RUNTIME_MONITORING', status: 'ENABLED', additionalConfiguration: [{ name: 'ECS_FARGATE_AGENT_MANAGEMENT', status: 'ENABLED' }] },
        { name: 'S3_DATA_EVENTS', status: 'ENABLED' },
        { name: 'LAMBDA_NETWORK_LOGS', status: 'ENABLED' },
      ],
    });
  }

  /** Security Hub with consolidated control findings; the standards are enabled explicitly (enableStandards). */
  private createSecurityHub(): securityhub.CfnHub {
    return new securityhub.CfnHub(this, 'SecurityHub', {
      enableDefaultStandards: false,
      controlFindingGenerator: 'SECURITY_CONTROL',
      autoEnableControls: true,
    });
  }

  /** The SECURITY_HUB_STANDARDS in `hub`. */
  private enableStandards(hub: securityhub.CfnHub): securityhub.CfnStandard[] {
    const stack = Stack.of(this);
    return SECURITY_HUB_STANDARDS.map(([standardId, path]) => {
      const standard = new securityhub.CfnStandard(this, standardId, {
        standardsArn: `arn:${stack.partition}:securityhub:${stack.region}::${path}`,
      });
      standard.addResourceDependency(hub);
      return standard;
    });
  }

  private createAlarmTopic(alarmEmails: readonly string[]): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      masterKey: this.keys.dataKey,
      enforceSSL: true,
      displayName: 'Account security baseline alarms',
    });
    const account = Stack.of(this).account;
    // The topic policy replaces SNS's default one: CloudWatch alarms of this account must be named.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    if (alarmEmails.length > 0) {
      const undelivered = createDeadLetterQueue(this, 'AlarmDeliveryDeadLetterQueue', this.keys.dataKey, 'the baseline alarm e-mail subscriptions');
      for (const email of alarmEmails) {
        if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
          invalidProp(this, 'alarmEmails', email, 'not an e-mail address', 'use an address such as "security-oncall@example.com"');
        }
        topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue: undelivered }));
      }
    }
    return topic;
  }

  /**
   * The multi-region trail `csm-<name>-account-trail`, delivered to an Object Lock bucket (locked `trailRetention`) and
   * to an encrypted log group (kept `logRetention`).
   */
  private createAccountTrail(props: AccountSecurityBaselineProps, trailRetention: Duration, logRetention: Duration): AccountTrail {
    const bucket = new SecureBucket(this, 'TrailBucket', {
      encryptionKey: this.keys.dataKey,
      objectLock: { mode: props.objectLockMode ?? 'COMPLIANCE', retention: trailRetention },
      withoutReplication: {
        reason:
          'The account trail is multi-region: this one bucket already holds the events of every region, locked by Object Lock; a copy in a second account belongs to an organization log archive.',
      },
    });
    const logGroup = createSecureLogGroup(this, 'TrailLogGroup', {
      encryptionKey: this.keys.logsKey,
      retention: logRetention,
      retentionPropName: 'logRetention',
    });
    const trail = this.createTrail(`csm-${props.name}-account-trail`, bucket, logGroup, props.dataEvents ?? {});
    return { bucket, logGroup, trail };
  }

  private createTrail(trailName: string, bucket: SecureBucket, logGroup: logs.LogGroup, dataEvents: TrailDataEvents): cloudtrail.CfnTrail {
    const stack = Stack.of(this);
    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName });
    const fromThisTrail = { StringEquals: { 'aws:SourceArn': trailArn } };
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');

    // Key policy (AWS's CloudTrail key policy, limited to this trail): encrypt log files and describe the key.
    // Reading the logs is granted by IAM policies of the account (the key policy's account statement).
    this.keys.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTrailToEncryptLogFiles',
        principals: [cloudTrail],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ...fromThisTrail,
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*` },
        },
      }),
    );
    this.keys.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTrailToDescribeKey',
        principals: [cloudTrail],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: fromThisTrail,
      }),
    );

    bucket.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTrailAclCheck',
        principals: [cloudTrail],
        actions: ['s3:GetBucketAcl'],
        resources: [bucket.bucket.bucketArn],
        conditions: fromThisTrail,
      }),
    );
    bucket.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTrailWrite',
        principals: [cloudTrail],
        actions: ['s3:PutObject'],
        resources: [bucket.bucket.arnForObjects(`AWSLogs/${stack.account}/*`)],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn, 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }),
    );

    const logsRole = new ManagedPolicyRole(this, 'TrailLogsRole', {
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com', { conditions: fromThisTrail }),
      description: 'CloudTrail delivers the account trail to its CloudWatch Logs log group',
    });
    logsRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );

    const trail = new cloudtrail.CfnTrail(this, 'Trail', {
      trailName,
      isLogging: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: this.keys.dataKey.keyArn,
      s3BucketName: bucket.bucket.bucketName,
      cloudWatchLogsLogGroupArn: logGroup.logGroupArn,
      cloudWatchLogsRoleArn: logsRole.roleArn,
      advancedEventSelectors: trailEventSelectors(dataEvents),
    });
    // CloudTrail checks bucket, key and role permissions when the trail is created.
    trail.node.addDependency(bucket.bucket.policy!, logsRole.policy!);
    return trail;
  }

  /** AWS Config records every supported resource type and delivers snapshots to the trail bucket under `config/`. */
  private createConfigRecorder(name: string, bucket: SecureBucket): config.CfnConfigurationRecorder {
    const stack = Stack.of(this);
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
    const configService = new iam.ServicePrincipal('config.amazonaws.com');
    const objects = bucket.bucket.arnForObjects(`config/AWSLogs/${stack.account}/Config/*`);
    bucket.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowConfigAclCheck',
        principals: [configService],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [bucket.bucket.bucketArn],
        conditions: fromThisAccount,
      }),
    );
    bucket.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowConfigDelivery',
        principals: [configService],
        actions: ['s3:PutObject'],
        resources: [objects],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }),
    );
    this.keys.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowConfigToEncryptSnapshots',
        principals: [configService],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: fromThisAccount,
      }),
    );
    const role = new ManagedPolicyRole(this, 'ConfigRole', {
      assumedBy: new iam.ServicePrincipal('config.amazonaws.com', { conditions: fromThisAccount }),
      description: 'AWS Config: read resource configurations, deliver snapshots to the trail bucket',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole')],
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketAcl'], resources: [bucket.bucket.bucketArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.keys.dataKey.keyArn] }));
    const bucketId = stack.getLogicalId(bucket.bucket.node.defaultChild as CfnElement);
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    acknowledgeFinding(
      role,
      `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/config/AWSLogs/${account}/Config/*]`,
      'AWS Config names its snapshot and history objects at delivery time; the wildcard covers the Config prefix of this account in the trail bucket only.',
    );
    acknowledgeFinding(
      role,
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]',
      'AWS_ConfigRole is the AWS-maintained read-only policy AWS Config needs to describe every supported resource type; AWS adds permissions as Config supports new types.',
    );
    const recorder = new config.CfnConfigurationRecorder(this, 'ConfigRecorder', {
      name: `csm-${name}-recorder`,
      roleArn: role.roleArn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
    });
    const channel = new config.CfnDeliveryChannel(this, 'ConfigDeliveryChannel', {
      name: `csm-${name}-delivery`,
      s3BucketName: bucket.bucket.bucketName,
      s3KeyPrefix: 'config',
      s3KmsKeyArn: this.keys.dataKey.keyArn,
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
    });
    channel.addResourceDependency(recorder);
    channel.node.addDependency(bucket.bucket.policy!);
    return recorder;
  }

  private createCisAlarms(logGroup: logs.LogGroup): cloudwatch.Alarm[] {
    return CIS_ALARMS.map((cis) => {
      const filter = new logs.MetricFilter(this, `${cis.id}Filter`, {
        logGroup,
        filterPattern: logs.FilterPattern.literal(cis.pattern),
        metricNamespace: 'CISBenchmark',
        metricName: cis.id,
        metricValue: '1',
      });
      const alarm = new cloudwatch.Alarm(this, `${cis.id}Alarm`, {
        alarmDescription: `CIS ${cis.control}: ${cis.description}`,
        metric: filter.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
      return alarm;
    });
  }

  /** GuardDuty findings of high severity (7+) reach the alarm topic through EventBridge. */
  private alertOnHighSeverityFindings(): void {
    const undelivered = createDeadLetterQueue(
      this,
      'FindingsDeadLetterQueue',
      this.keys.dataKey,
      'the GuardDuty findings rule (an EventBridge target DLQ, which cdk-nag does not recognise as a DLQ)',
    );
    const role = new ManagedPolicyRole(this, 'FindingsRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'EventBridge: publish high-severity GuardDuty findings to the baseline alarm topic',
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.alarmTopic.topicArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.keys.dataKey.keyArn] }));
    new events.Rule(this, 'HighSeverityFindingsRule', {
      description: 'GuardDuty findings of severity 7 or more to the baseline alarm topic',
      eventPattern: { source: ['aws.guardduty'], detailType: ['GuardDuty Finding'], detail: { severity: [{ numeric: ['>=', HIGH_SEVERITY] }] } },
      targets: [
        new targets.SnsTopic(this.alarmTopic, {
          role: role.withoutPolicyUpdates(),
          deadLetterQueue: undelivered,
          retryAttempts: 10,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
}

/**
 * How long the trail's files are locked and its log group kept: whole days, at least MINIMUM_TRAIL_RETENTION_DAYS
 * (the log group's must also be a retention CloudWatch Logs offers).
 */
function validateRetention(scope: Construct, props: AccountSecurityBaselineProps): { trailRetention: Duration; logRetention: Duration } {
  const trailRetention = props.trailRetention ?? Duration.days(365);
  wholeDays(scope, 'trailRetention', trailRetention, {
    min: MINIMUM_TRAIL_RETENTION_DAYS,
    problem: `an audit trail is kept at least ${MINIMUM_TRAIL_RETENTION_DAYS} days`,
    fix: `use Duration.days(n) with n a whole number of at least ${MINIMUM_TRAIL_RETENTION_DAYS} (365 for production)`,
  });
  const logRetention = props.logRetention ?? Duration.days(365);
  const logRetentionDays = toRetentionDays(scope, 'logRetention', logRetention);
  if (!Token.isUnresolved(logRetentionDays) && logRetentionDays < MINIMUM_TRAIL_RETENTION_DAYS) {
    invalidProp(
      scope,
      'logRetention',
      logRetention.toString(),
      `the trail's log group is kept at least ${MINIMUM_TRAIL_RETENTION_DAYS} days`,
      'use Duration.days(n) with n 90, 180, 365 or longer',
    );
  }
  return { trailRetention, logRetention };
}

/** Management events of every service, plus the data events of the given S3 objects and DynamoDB tables. */
function trailEventSelectors(dataEvents: TrailDataEvents): cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] {
  const selectors: cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] = [
    { name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] },
  ];
  for (const [name, type, prefixes] of [
    ['S3 objects of the platform', 'AWS::S3::Object', dataEvents.s3ObjectArnPrefixes ?? []],
    ['DynamoDB tables of the platform', 'AWS::DynamoDB::Table', dataEvents.dynamoDbTableArnPrefixes ?? []],
  ] as const) {
    if (prefixes.length === 0) continue;
    selectors.push({
      name,
      fieldSelectors: [
        { field: 'eventCategory', equalTo: ['Data'] },
        { field: 'resources.type', equalTo: [type] },
        { field: 'resources.ARN', startsWith: [...prefixes] },
      ],
    });
  }
  return selectors;
}
