import * as fs from 'node:fs';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AccountSecurityBaseline, AccountSecurityBaselineProps } from '../../lib/baseline/account-security-baseline';
import { CIS_ALARMS } from '../../lib/baseline/cis-alarms';
import { ORGANIZATION_MANAGED_CONTROLS } from '../../lib/private/organization-managed';
import { collectOptOuts } from '../../lib/private/security-report-render';
import { SecureBucket } from '../../lib/storage/secure-bucket';
import { SecuritySynthResult } from '../../lib/testing/synth-with-checks';
import { expectCfnLintClean, logicalIdOf } from '../support/checks';
import { expectNoFindings, expectReasonedAcknowledgements, newStack, synthWithGate } from '../support/harness';
import * as kms from 'aws-cdk-lib/aws-kms';

const ENV = { account: '111122223333', region: 'eu-west-1' };
const REASON = 'Control Tower account: the delegated administrator runs this for the whole organization.';

function baseline(props: Partial<AccountSecurityBaselineProps> = {}) {
  const stack = newStack('Baseline', ENV);
  const b = new AccountSecurityBaseline(stack, 'Baseline', { name: 'dev', ...props });
  return { stack, baseline: b };
}

describe('AccountSecurityBaseline (every part, through the gate)', () => {
  let result: SecuritySynthResult & { template: Template };
  let b: AccountSecurityBaseline;
  let stack: Stack;

  beforeAll(() => {
    ({ stack, baseline: b } = baseline({
      objectLockMode: 'GOVERNANCE',
      trailRetention: Duration.days(90),
      logRetention: Duration.days(90),
      alarmEmails: ['security@example.com'],
      dataEvents: {
        s3ObjectArnPrefixes: ['arn:aws:s3:::dev-platform-'],
        dynamoDbTableArnPrefixes: ['arn:aws:dynamodb:eu-west-1:111122223333:table/dev-Platform-'],
      },
    }));
    result = synthWithGate(stack);
  });

  it('passes every pack with reasoned acknowledgements and cfn-lint', () => {
    expectNoFindings(result);
    expectReasonedAcknowledgements(result);
    expectCfnLintClean(result.templatePaths);
  });

  it('has a multi-region trail with log-file validation, the customer key, management and platform data events, and a log group', () => {
    result.template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'csm-dev-account-trail',
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': [logicalIdOf(b.keys.dataKey), 'Arn'] },
      S3BucketName: { Ref: logicalIdOf(b.trailBucket!.bucket) },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [logicalIdOf(b.trailLogGroup!), 'Arn'] },
      AdvancedEventSelectors: [
        { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::dev-platform-'] },
          ],
        },
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::DynamoDB::Table'] },
            { Field: 'resources.ARN', StartsWith: ['arn:aws:dynamodb:eu-west-1:111122223333:table/dev-Platform-'] },
          ],
        },
      ],
    });
    // CloudTrail checks the bucket policy and the logs role when the trail is created.
    const trail = Object.values(result.template.findResources('AWS::CloudTrail::Trail'))[0];
    expect(trail.DependsOn).toEqual(expect.arrayContaining([logicalIdOf(b.trailBucket!.bucket.policy!)]));
    result.template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 90,
      KmsKeyId: { 'Fn::GetAtt': [logicalIdOf(b.keys.logsKey), 'Arn'] },
    });
  });

  it('delivers to a KMS-encrypted Object Lock bucket that admits only this trail', () => {
    result.template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 90 } } },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } }),
        ],
      },
    });
    const trailArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:eu-west-1:111122223333:trail/csm-dev-account-trail']] };
    result.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf(b.trailBucket!.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowTrailAclCheck',
            Action: 's3:GetBucketAcl',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
          }),
          Match.objectLike({
            Sid: 'AllowTrailWrite',
            Action: 's3:PutObject',
            Condition: { StringEquals: { 'aws:SourceArn': trailArn, 's3:x-amz-acl': 'bucket-owner-full-control' } },
          }),
        ]),
      },
    });
    result.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowTrailToEncryptLogFiles',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 'kms:GenerateDataKey*',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceArn': trailArn } }),
          }),
        ]),
      },
    });
  });

  it('has a CIS metric filter and alarm per control, routed to the encrypted alarm topic with e-mail and a dead-letter queue', () => {
    expect(CIS_ALARMS.map((c) => c.id)).toEqual([
      'UnauthorizedApiCalls',
      'ConsoleSignInWithoutMfa',
      'RootAccountUse',
      'IamPolicyChanges',
      'CloudTrailChanges',
      'KmsKeyDisabledOrScheduledForDeletion',
      'SecurityGroupChanges',
      'NetworkAclChanges',
    ]);
    result.template.resourceCountIs('AWS::Logs::MetricFilter', CIS_ALARMS.length);
    result.template.resourceCountIs('AWS::CloudWatch::Alarm', CIS_ALARMS.length);
    for (const cis of CIS_ALARMS) {
      result.template.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: cis.pattern,
        MetricTransformations: [Match.objectLike({ MetricName: cis.id, MetricValue: '1' })],
      });
      result.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: cis.id,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: logicalIdOf(b.alarmTopic) }],
      });
    }
    expect(CIS_ALARMS.find((c) => c.id === 'ConsoleSignInWithoutMfa')!.pattern).toContain('$.additionalEventData.MFAUsed != "Yes"');
    expect(CIS_ALARMS.find((c) => c.id === 'RootAccountUse')!.pattern).toContain('$.userIdentity.type = "Root"');
    result.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    result.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'security@example.com',
      RedrivePolicy: Match.anyValue(),
    });
    result.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
          }),
        ]),
      },
    });
  });

  it('records every supported resource type with AWS Config, delivered encrypted to the trail bucket', () => {
    result.template.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      Name: 'csm-dev-recorder',
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
    });
    result.template.hasResource('AWS::Config::DeliveryChannel', {
      Properties: {
        S3BucketName: { Ref: logicalIdOf(b.trailBucket!.bucket) },
        S3KeyPrefix: 'config',
        S3KmsKeyArn: { 'Fn::GetAtt': [logicalIdOf(b.keys.dataKey), 'Arn'] },
        ConfigSnapshotDeliveryProperties: { DeliveryFrequency: 'TwentyFour_Hours' },
      },
      DependsOn: Match.arrayWith([logicalIdOf({ node: { defaultChild: b.configRecorder } })]),
    });
    result.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowConfigDelivery',
            Principal: { Service: 'config.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333', 's3:x-amz-acl': 'bucket-owner-full-control' } },
          }),
        ]),
      },
    });
  });

  it('runs GuardDuty with ECS Fargate runtime monitoring (agent managed by GuardDuty) and alerts on high-severity findings', () => {
    result.template.hasResourceProperties('AWS::GuardDuty::Detector', {
      Enable: true,
      Features: Match.arrayWith([
        { Name: 'RUNTIME_MONITORING', Status: 'ENABLED', AdditionalConfiguration: [{ Name: 'ECS_FARGATE_AGENT_MANAGEMENT', Status: 'ENABLED' }] },
      ]),
    });
    result.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'], detail: { severity: [{ numeric: ['>=', 7] }] } },
      Targets: [Match.objectLike({ Arn: { Ref: logicalIdOf(b.alarmTopic) }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  it('enables Security Hub with the FSBP and CIS standards, an account Access Analyzer and continuous Inspector ECR scanning', () => {
    result.template.hasResourceProperties('AWS::SecurityHub::Hub', { EnableDefaultStandards: false, ControlFindingGenerator: 'SECURITY_CONTROL' });
    for (const path of ['standards/aws-foundational-security-best-practices/v/1.0.0', 'standards/cis-aws-foundations-benchmark/v/3.0.0']) {
      result.template.hasResource('AWS::SecurityHub::Standard', {
        Properties: { StandardsArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:securityhub:eu-west-1::${path}`]] } },
        DependsOn: [logicalIdOf({ node: { defaultChild: b.securityHub } })],
      });
    }
    result.template.hasResourceProperties('AWS::AccessAnalyzer::Analyzer', { Type: 'ACCOUNT', AnalyzerName: 'csm-dev-account' });
    result.template.hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', {
      ScanType: 'ENHANCED',
      Rules: [{ ScanFrequency: 'CONTINUOUS_SCAN', RepositoryFilters: [{ Filter: '*', FilterType: 'WILDCARD' }] }],
    });
  });

  it('shows the trail, detectors and standards under P9 and P10 of the security report', () => {
    const report = fs.readFileSync(`${result.assemblyDir}/security-report.md`, 'utf8');
    const section = (id: string) => report.split(`### ${id} `)[1].split('\n### ')[0];
    expect(section('P9')).toMatch(
      /AWS::CloudTrail::Trail\): CloudTrail trail, multi-region, log-file validation, KMS-encrypted, to CloudWatch Logs, data events/,
    );
    expect(section('P9')).toMatch(/Object Lock GOVERNANCE 90 days/);
    expect(section('P9')).toContain('AWS Config recorder (all supported resource types)');
    expect(section('P10')).toMatch(/GuardDuty detector \(RUNTIME_MONITORING \+ ECS_FARGATE_AGENT_MANAGEMENT/);
    expect(section('P10')).toContain('Security Hub standard aws-foundational-security-best-practices/v/1.0.0');
    expect(section('P10')).toContain('Security Hub standard cis-aws-foundations-benchmark/v/3.0.0');
    expect(section('P10')).toContain('IAM Access Analyzer (ACCOUNT)');
    expect(section('P10')).toContain('CIS metric filter RootAccountUse');
  });
});

describe('AccountSecurityBaseline with every part managed by the organization', () => {
  let result: SecuritySynthResult & { template: Template };
  let b: AccountSecurityBaseline;

  beforeAll(() => {
    const made = baseline({
      organizationManaged: {
        trail: { reason: REASON },
        config: { reason: REASON },
        guardDuty: { reason: REASON },
        securityHub: { reason: REASON },
        accessAnalyzer: { reason: REASON },
        inspector: { reason: REASON },
      },
    });
    b = made.baseline;
    result = synthWithGate(made.stack);
  });

  it('synthesizes without the parts, through every pack', () => {
    expectNoFindings(result);
    for (const type of [
      'AWS::CloudTrail::Trail',
      'AWS::Config::ConfigurationRecorder',
      'AWS::Config::DeliveryChannel',
      'AWS::S3::Bucket',
      'AWS::Logs::MetricFilter',
      'AWS::CloudWatch::Alarm',
      'AWS::GuardDuty::Detector',
      'AWS::Events::Rule',
      'AWS::SecurityHub::Hub',
      'AWS::SecurityHub::Standard',
      'AWS::AccessAnalyzer::Analyzer',
      'AWS::ECR::RegistryScanningConfiguration',
    ]) {
      result.template.resourceCountIs(type, 0);
    }
    expect([b.trail, b.configRecorder, b.detector, b.securityHub, b.analyzer, b.registryScanning]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('records each part with its reason and the report shows it under its practice', () => {
    expect(
      collectOptOuts(b)
        .map((o) => o.control)
        .sort(),
    ).toEqual(Object.values(ORGANIZATION_MANAGED_CONTROLS).sort());
    const report = fs.readFileSync(`${result.assemblyDir}/security-report.md`, 'utf8');
    for (const control of Object.values(ORGANIZATION_MANAGED_CONTROLS))
      expect(report).toContain(`| ${control} | \`Baseline/Baseline\` | ${REASON} |`);
    const section = (id: string) => report.split(`### ${id} `)[1].split('\n### ')[0];
    expect(section('P9')).toContain(
      `managed by the organization: CloudTrail trail and CIS alarms of this account (\`Baseline/Baseline\`): ${REASON}`,
    );
    expect(section('P10')).toContain(`managed by the organization: GuardDuty with ECS runtime monitoring (\`Baseline/Baseline\`): ${REASON}`);
    expect(section('P14')).toContain('managed by the organization: Inspector enhanced ECR scanning');
  });
});

describe('AccountSecurityBaseline defaults and bad input', () => {
  it('defaults to COMPLIANCE mode and 365 days', () => {
    const { stack } = baseline();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    // Without data events the trail records management events only.
    t.hasResourceProperties('AWS::CloudTrail::Trail', {
      AdvancedEventSelectors: [{ Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }],
    });
  });

  it.each<[string, Partial<AccountSecurityBaselineProps>, RegExp]>([
    ['name', { name: 'Dev_1' }, /invalid name \(received "Dev_1"\).*Fix: use e\.g\. "dev"/],
    [
      'trail retention under 90 days',
      { trailRetention: Duration.days(30) },
      /invalid trailRetention \(received "Duration.days\(30\)"\): an audit trail is kept at least 90 days\. Fix: use Duration\.days\(n\) with n a whole number of at least 90/,
    ],
    [
      'trail retention in part days',
      { trailRetention: Duration.hours(100 * 24 + 1) },
      /invalid trailRetention \(received "Duration.hours\(2401\)"\): must be a whole number of days \(100 days 1 hour is 100\.042 days\)/,
    ],
    [
      'log retention under 90 days',
      { logRetention: Duration.days(30) },
      /invalid logRetention \(received "Duration.days\(30\)"\): the trail's log group is kept at least 90 days/,
    ],
    [
      'log retention CloudWatch does not offer',
      { logRetention: Duration.days(100) },
      /invalid logRetention \(received "Duration.days\(100\)"\).*finite retention periods/,
    ],
    ['bad e-mail', { alarmEmails: ['security'] }, /invalid alarmEmails \(received "security"\): not an e-mail address/],
    [
      'unknown organization-managed part',
      { organizationManaged: { cloudWatch: { reason: REASON } } as never },
      /invalid organizationManaged \(received "cloudWatch"\): not a part of the baseline\. Fix: use one of trail, config, guardDuty, securityHub, accessAnalyzer, inspector/,
    ],
    [
      'an organization-managed trail with a Config recorder of its own',
      { organizationManaged: { trail: { reason: REASON } } },
      /invalid organizationManaged\.config \(received undefined\).*the trail is organization-managed\. Fix: record organizationManaged\.config too/,
    ],
    [
      'organization-managed without a reason',
      { organizationManaged: { guardDuty: { reason: '' } } },
      /invalid organizationManaged\.guardDuty\.reason/,
    ],
  ])('rejects %s', (_name, props, message) => {
    expect(() => baseline(props)).toThrow(message);
  });
});

describe('SecureBucket objectLock', () => {
  it('rejects an unknown mode and a retention S3 does not accept', () => {
    const stack = newStack();
    const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const props = { encryptionKey, withoutReplication: { reason: 'test bucket without replication' } };
    expect(() => new SecureBucket(stack, 'A', { ...props, objectLock: { mode: 'LEGAL' as never, retention: Duration.days(90) } })).toThrow(
      /invalid objectLock\.mode \(received "LEGAL"\).*Fix: use "GOVERNANCE" or "COMPLIANCE"/,
    );
    expect(() => new SecureBucket(stack, 'B', { ...props, objectLock: { mode: 'COMPLIANCE', retention: Duration.days(0) } })).toThrow(
      /invalid objectLock\.retention \(received "Duration.days\(0\)"\): S3 Object Lock retains for a whole number of days from 1 to 36,500/,
    );
    expect(() => new SecureBucket(stack, 'C', { ...props, objectLock: { mode: 'COMPLIANCE', retention: Duration.hours(36) } })).toThrow(
      /invalid objectLock\.retention \(received "Duration.hours\(36\)"\): must be a whole number of days/,
    );
  });

  it('never puts Object Lock on its access-log bucket (S3 cannot deliver access logs to an Object Lock bucket)', () => {
    const stack = newStack();
    const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const bucket = new SecureBucket(stack, 'Audit', {
      encryptionKey,
      objectLock: { mode: 'GOVERNANCE', retention: Duration.days(90) },
      withoutReplication: { reason: 'test bucket without replication' },
    });
    const t = Template.fromStack(stack);
    expect(t.toJSON().Resources[logicalIdOf(bucket.bucket)].Properties.ObjectLockEnabled).toBe(true);
    expect(t.toJSON().Resources[logicalIdOf(bucket.logBucket as never)].Properties.ObjectLockEnabled).toBeUndefined();
  });
});
