import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlatformKeys } from '../../lib/encryption/platform-keys';
import { RegistryScanning } from '../../lib/registry/registry-scanning';
import { ScanFindingAlerts } from '../../lib/registry/scan-finding-alerts';
import { SecureRepository } from '../../lib/registry/secure-repository';
import { expectCfnLintClean, logicalIdOf } from '../support/checks';
import { expectNoFindings, expectReasonedAcknowledgements, newStack, synthWithGate } from '../support/harness';

function keyOf(stack: Stack): PlatformKeys {
  return new PlatformKeys(stack, 'Keys');
}

describe('SecureRepository', () => {
  // GIVEN a repository granted to one other account, with registry-wide enhanced scanning, through the full gate
  let gate: ReturnType<typeof synthWithGate>;
  let template: Template;
  let keyId: string;

  beforeAll(() => {
    const stack = newStack();
    const keys = keyOf(stack);
    const repo = new SecureRepository(stack, 'Orders', {
      encryptionKey: keys.dataKey,
      repositoryName: 'payments/orders',
      untaggedImageExpiry: Duration.days(7),
      maxImageCount: 30,
    });
    repo.grantPull(new iam.AccountPrincipal('111122223333'));
    new RegistryScanning(stack, 'Scanning', { repositoryFilters: ['payments/*'] });
    gate = synthWithGate(stack);
    template = gate.template;
    keyId = logicalIdOf(keys.dataKey);
  });

  it('passes every security pack; only the DLQ findings are acknowledged, with reasons', () => {
    expectNoFindings(gate);
    expectReasonedAcknowledgements(gate);
    expect(gate.acknowledged.map((a) => a.acknowledgedId).sort()).toEqual([
      'AwsSolutions::AwsSolutions-SQS3',
      'Serverless::Serverless-SQSRedrivePolicy',
    ]);
  });

  it('is clean under cfn-lint', () => {
    expectCfnLintClean(gate.templatePaths);
  });

  it('has immutable tags, scan on push and encryption with the customer key', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'payments/orders',
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    });
    // Kept on update and delete, deleted when its create rolls back: the fixed name would block the retry.
    template.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  });

  it('expires untagged images after N days and keeps the newest N images', () => {
    const repos = template.findResources('AWS::ECR::Repository');
    const policy = JSON.parse(Object.values(repos)[0].Properties.LifecyclePolicy.LifecyclePolicyText);
    expect(policy.rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' },
        action: { type: 'expire' },
      }),
      expect.objectContaining({
        rulePriority: 2,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 },
        action: { type: 'expire' },
      }),
    ]);
  });

  it('admits only the granted account, for pulls only', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] } },
          },
        ],
      },
    });
  });

  it('alerts on CRITICAL or HIGH basic-scan findings of this repository', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr'],
        'detail-type': ['ECR Image Scan'],
        detail: {
          'repository-name': [{ Ref: Match.stringLikeRegexp('^Orders') }],
          'scan-status': ['COMPLETE'],
          $or: [
            { 'finding-severity-counts': { CRITICAL: [{ numeric: ['>', 0] }] } },
            { 'finding-severity-counts': { HIGH: [{ numeric: ['>', 0] }] } },
          ],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('^OrdersFindingsTopic') },
          DeadLetterConfig: Match.anyValue(),
          RoleArn: Match.anyValue(),
        }),
      ],
    });
  });

  it('alerts on active CRITICAL or HIGH Inspector findings of this repository', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.inspector2'],
        'detail-type': ['Inspector2 Finding'],
        detail: {
          severity: ['CRITICAL', 'HIGH'],
          status: ['ACTIVE'],
          resources: { details: { awsEcrContainerImage: { repositoryName: [{ Ref: Match.stringLikeRegexp('^Orders') }] } } },
        },
      },
    });
  });

  it('publishes to a topic encrypted with the customer key, HTTPS only, through a role limited to that topic and key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: Match.stringLikeRegexp('^OrdersFindingsTopic') } },
          { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        ],
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it('turns on continuous enhanced scanning registry-wide when RegistryScanning is added', () => {
    template.hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', {
      ScanType: 'ENHANCED',
      Rules: [{ ScanFrequency: 'CONTINUOUS_SCAN', RepositoryFilters: [{ Filter: 'payments/*', FilterType: 'WILDCARD' }] }],
    });
  });

  it('has no repository policy and no registry scanning unless asked', () => {
    const stack = newStack();
    new SecureRepository(stack, 'Repo', { encryptionKey: keyOf(stack).dataKey });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECR::Repository', { RepositoryPolicyText: Match.absent() });
    t.resourceCountIs('AWS::ECR::RegistryScanningConfiguration', 0);
  });

  it('publishes to a topic the user passes instead of creating one', () => {
    const stack = newStack();
    const key = keyOf(stack).dataKey;
    const topic = new sns.Topic(stack, 'Alerts', { masterKey: key, enforceSSL: true });
    const repo = new SecureRepository(stack, 'Repo', { encryptionKey: key, findingsTopic: topic });
    expect(repo.findingsTopic).toBe(topic);
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
  });

  it.each([
    [
      'untaggedImageExpiry',
      Duration.days(0),
      /invalid untaggedImageExpiry \(received "Duration.days\(0\)"\).*at least one\. Fix: use Duration\.days\(n\) with n a whole number of at least 1/,
    ],
    [
      'untaggedImageExpiry',
      Duration.hours(12),
      /invalid untaggedImageExpiry \(received "Duration.hours\(12\)"\): must be a whole number of days \(12 hours is 0\.5 days\)/,
    ],
  ])('rejects lifecycle %s = %s', (prop, value, message) => {
    const stack = newStack();
    expect(() => new SecureRepository(stack, 'Repo', { encryptionKey: keyOf(stack).dataKey, [prop]: value })).toThrow(message);
  });

  it.each([
    ['maxImageCount', 0],
    ['maxImageCount', 2.5],
  ])('rejects lifecycle %s = %s', (prop, value) => {
    const stack = newStack();
    expect(() => new SecureRepository(stack, 'Repo', { encryptionKey: keyOf(stack).dataKey, [prop]: value })).toThrow(
      new RegExp(`invalid ${prop} \\(received ${value}\\).*Fix: use a whole number of at least 1`),
    );
  });

  it('rejects an invalid repository name', () => {
    const stack = newStack();
    expect(() => new SecureRepository(stack, 'Repo', { encryptionKey: keyOf(stack).dataKey, repositoryName: 'Orders_API/' })).toThrow(
      /invalid repositoryName \(received "Orders_API\/"\).*Fix: use a name such as/,
    );
  });

  it('rejects a second RegistryScanning in the same stack and an empty filter list', () => {
    const stack = newStack();
    new RegistryScanning(stack, 'One');
    expect(() => new RegistryScanning(stack, 'Two')).toThrow(
      /invalid RegistryScanning \(received "TestStack\/One"\).*one setting per account and region.*Fix: create RegistryScanning once/,
    );
    expect(() => new RegistryScanning(newStack(), 'Empty', { repositoryFilters: [] })).toThrow(
      /invalid repositoryFilters \(received \[\]\).*Fix: omit the prop/,
    );
    expect(() => new RegistryScanning(newStack(), 'Bad', { repositoryFilters: ['Bad Name'] })).toThrow(
      /invalid repositoryFilters \(received "Bad Name"\)/,
    );
  });
});

describe("ScanFindingAlerts (one rule for a platform's repositories)", () => {
  it('matches every repository under the prefix with one rule, role and DLQ; repositories create none of their own', () => {
    const stack = newStack();
    const keys = keyOf(stack);
    const topic = new sns.Topic(stack, 'Findings', { masterKey: keys.dataKey, enforceSSL: true });
    const alerts = new ScanFindingAlerts(stack, 'Alerts', { topic, encryptionKey: keys.dataKey, repositoryPrefix: 'dev/' });
    const repos = ['orders', 'billing', 'shipping'].map(
      (name) => new SecureRepository(stack, name, { encryptionKey: keys.dataKey, repositoryName: `dev/${name}`, findingAlerts: alerts }),
    );
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Events::Rule', 1);
    t.resourceCountIs('AWS::SQS::Queue', 1);
    t.resourceCountIs('AWS::IAM::Role', 1);
    const [rule] = Object.values(t.findResources('AWS::Events::Rule'));
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.ecr', 'aws.inspector2'],
      'detail-type': ['ECR Image Scan', 'Inspector2 Finding'],
      detail: {
        $or: [
          { 'repository-name': [{ prefix: 'dev/' }], 'scan-status': ['COMPLETE'], 'finding-severity-counts': { CRITICAL: [{ numeric: ['>', 0] }] } },
          { 'repository-name': [{ prefix: 'dev/' }], 'scan-status': ['COMPLETE'], 'finding-severity-counts': { HIGH: [{ numeric: ['>', 0] }] } },
          {
            severity: ['CRITICAL', 'HIGH'],
            status: ['ACTIVE'],
            resources: { details: { awsEcrContainerImage: { repositoryName: [{ prefix: 'dev/' }] } } },
          },
        ],
      },
    });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { Ref: logicalIdOf(topic) },
        RoleArn: { 'Fn::GetAtt': [logicalIdOf(alerts.role), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(alerts.deadLetterQueue), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 86400 },
      }),
    ]);
    // The role may publish to the topic and use its key, nothing else.
    const [policy] = Object.values(t.findResources('AWS::IAM::ManagedPolicy'));
    expect(policy.Properties.PolicyDocument.Statement.map((s: { Action: unknown }) => s.Action)).toEqual([
      'sns:Publish',
      ['kms:GenerateDataKey', 'kms:Decrypt'],
    ]);
    for (const repo of repos) {
      expect([repo.scanFindingsRule, repo.inspectorFindingsRule, repo.alertRole, repo.alertDeadLetterQueue, repo.findingsTopic]).toEqual([
        alerts.rule,
        alerts.rule,
        alerts.role,
        alerts.deadLetterQueue,
        topic,
      ]);
    }
  });

  it('rejects a repository outside the prefix, a second topic, and a prefix that would match every repository', () => {
    const stack = newStack();
    const keys = keyOf(stack);
    const topic = new sns.Topic(stack, 'Findings', { masterKey: keys.dataKey, enforceSSL: true });
    const alerts = new ScanFindingAlerts(stack, 'Alerts', { topic, encryptionKey: keys.dataKey, repositoryPrefix: 'dev/' });
    expect(() => new SecureRepository(stack, 'Prod', { encryptionKey: keys.dataKey, repositoryName: 'prod/orders', findingAlerts: alerts })).toThrow(
      /invalid repositoryName \(received "prod\/orders"\): the shared alerts TestStack\/Alerts match repositories whose names start with "dev\/" only\. Fix: name the repository "dev\/<name>"/,
    );
    expect(() => new SecureRepository(stack, 'Unnamed', { encryptionKey: keys.dataKey, findingAlerts: alerts })).toThrow(
      /invalid repositoryName \(received undefined\)/,
    );
    expect(
      () =>
        new SecureRepository(stack, 'Both', { encryptionKey: keys.dataKey, repositoryName: 'dev/both', findingAlerts: alerts, findingsTopic: topic }),
    ).toThrow(/invalid findingsTopic .*Fix: set the topic on the ScanFindingAlerts/);
    expect(() => new ScanFindingAlerts(stack, 'All', { topic, encryptionKey: keys.dataKey, repositoryPrefix: '' })).toThrow(
      /invalid repositoryPrefix \(received ""\).*Fix: use the platform's namespace/,
    );
  });
});

describe('SecureRepository.referenceIn', () => {
  it('from another top-level stack, references a named repository by name (no export) and orders that stack after it', () => {
    const owner = newStack('Registry');
    const consumer = new Stack(owner.node.root, 'Platform');
    const keys = keyOf(owner);
    const named = new SecureRepository(owner, 'Orders', { encryptionKey: keys.dataKey, repositoryName: 'dev/orders' });
    const ref = named.referenceIn(consumer);
    expect(ref).not.toBe(named.repository);
    expect(named.referenceIn(consumer)).toBe(ref);
    expect(consumer.resolve(ref.repositoryName)).toBe('dev/orders');
    expect(JSON.stringify(consumer.resolve(ref.repositoryArn))).toContain(':repository/dev/orders');
    expect(consumer.dependencies).toContain(owner);
    // In its own stack, and for a generated name (no name to reference), the repository itself.
    expect(named.referenceIn(owner)).toBe(named.repository);
    const generated = new SecureRepository(owner, 'Unnamed', { encryptionKey: keys.dataKey });
    expect(generated.referenceIn(consumer)).toBe(generated.repository);
  });
});
