import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../examples/pipeline/app';
import { PlatformPipeline, PlatformPipelineProps } from '../../lib/pipeline/platform-pipeline';
import { PlatformStage } from '../../lib/platform/platform-stage';
import { newApp } from '../support/harness';
import { CfnJson } from '../../lib/private/rule-helpers';

type Resource = { Type: string; Properties: CfnJson };
type Action = { Name: string; RunOrder: number; ActionTypeId: { Category: string; Provider: string }; Configuration?: CfnJson };

/** The CodeBuild project (buildspec, environment) an action of the pipeline runs. */
function projectOf(template: Template, action: Action): Resource {
  const ref = action.Configuration?.ProjectName?.Ref as string;
  return template.toJSON().Resources[ref];
}
/** Every command of a project's buildspec, one per line. */
const buildSpec = (project: Resource) =>
  Object.values(JSON.parse(project.Properties.Source.BuildSpec).phases as Record<string, { commands: string[] }>)
    .flatMap((p) => p.commands)
    .join('\n');

describe('PlatformPipeline (examples/pipeline)', () => {
  let pipeline: PlatformPipeline;
  let template: Template;
  let stages: { Name: string; Actions: Action[] }[];
  const stage = (name: string) => stages.find((s) => s.Name === name)!;

  beforeAll(() => {
    pipeline = build(newApp());
    template = Template.fromStack(Stack.of(pipeline));
    stages = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
  });

  it('runs source, synth, self-mutation, then one wave per environment in order (dev before prod)', () => {
    const names = stages.map((s) => s.Name);
    expect(names.slice(0, 3)).toEqual(['Source', 'Build', 'UpdatePipeline']);
    expect(names.filter((n) => n === 'dev' || n === 'prod')).toEqual(['dev', 'prod']);
    expect(names.indexOf('dev')).toBeLessThan(names.indexOf('prod'));
  });

  it('self-mutation installs exactly the CLI version the project synthesizes with; unpinned cdk-assets is a synth warning', () => {
    const cli = (JSON.parse(fs.readFileSync(require.resolve('aws-cdk/package.json'), 'utf8')) as { version: string }).version;
    const selfMutation = projectOf(template, stage('UpdatePipeline').Actions[0]);
    expect(buildSpec(selfMutation)).toContain(`npm install -g aws-cdk@${cli}`);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/npm install -g aws-cdk(@2)?["\\ ]/);
    const warnings = Annotations.fromStack(Stack.of(pipeline)).findWarning('*', Match.stringLikeRegexp('cdk-assets@latest'));
    expect(warnings).toHaveLength(1);
  });

  it('synth runs npm ci, the tests, npm audit (high/critical fail), cdk synth, and publishes the reports', () => {
    const synth = projectOf(template, stage('Build').Actions[0]);
    const spec = buildSpec(synth);
    for (const step of ['npm ci', 'npm test', 'npm audit --omit=dev --json > audit.json', 'npx cdk synth']) expect(spec).toContain(step);
    expect(spec.indexOf('npm test')).toBeLessThan(spec.indexOf('npx cdk synth'));
    expect(spec).toContain('["high","critical"].includes(x.severity)');
    for (const artifact of ['security-report.md', 'validation-report.json', 'api-model.json', 'assembly-*/api-model.json'])
      expect(spec).toContain(artifact);
    expect(spec).toContain('s3://$REPORTS_BUCKET/builds/$CODEBUILD_RESOLVED_SOURCE_VERSION/');
  });

  it('asks for a manual approval before prod, after the security report diff, and records the approved report after', () => {
    const actions = stage('prod').Actions;
    const diff = actions.find((a) => a.Name.includes('SecurityReportDiff'))!;
    const approval = actions.find((a) => a.ActionTypeId.Category === 'Approval')!;
    const deploys = actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
    const record = actions.find((a) => a.Name.includes('RecordApprovedReport'))!;
    expect(deploys.length).toBeGreaterThan(0);
    expect(diff.RunOrder).toBeLessThan(approval.RunOrder);
    for (const d of deploys) expect(approval.RunOrder).toBeLessThan(d.RunOrder);
    expect(record.RunOrder).toBeGreaterThan(Math.max(...deploys.map((d) => d.RunOrder)));
    expect(approval.Configuration?.CustomData).toContain('security report');
    expect(buildSpec(projectOf(template, diff))).toContain('diff -u previous.md security-report.md');
    expect(actions.some((a) => a.Name.includes('Fuzz'))).toBe(false);
  });

  it('fuzzes dev after its deployment with a bounded csm-fuzz run (mTLS certificate, token and key from the platform account), without approval', () => {
    const actions = stage('dev').Actions;
    expect(actions.some((a) => a.ActionTypeId.Category === 'Approval')).toBe(false);
    const fuzz = actions.find((a) => a.Name.includes('Fuzz'))!;
    const deploys = actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
    expect(fuzz.RunOrder).toBeGreaterThan(Math.max(...deploys.map((d) => d.RunOrder)));
    const spec = buildSpec(projectOf(template, fuzz));
    expect(spec).toContain('npx csm-fuzz --model "cdk.out/assembly-Tooling-dev/api-model.json" --base-url "$API_URL"');
    expect(spec).toContain('--requests 300');
    expect(spec).toContain('npx csm-certs issue --ca-arn "$CA_ARN" --common-name "$CLIENT_ID" --client-id "$CLIENT_ID" --validity-days 1');
    expect(spec).toContain('--client-cert "fuzz-cert/$CLIENT_ID.cert.pem"');
    expect(spec).not.toMatch(/csm-fuzz[^\n]*(--token|--api-key)/); // secrets travel in CSM_FUZZ_TOKEN / CSM_FUZZ_API_KEY only
  });

  it('builds unprivileged on a current image, logs to an encrypted log group with retention, encrypts artifacts with a rotated key', () => {
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project')) as Resource[];
    expect(projects.length).toBeGreaterThanOrEqual(5);
    for (const p of projects) {
      expect(p.Properties.Environment.PrivilegedMode).toBe(false);
      expect(p.Properties.Environment.Image).toBe('aws/codebuild/standard:7.0');
      expect(p.Properties.EncryptionKey).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      expect(p.Properties.LogsConfig.CloudWatchLogs.Status).toBe('ENABLED');
    }
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
    template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const store = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.ArtifactStore;
    expect(store.EncryptionKey.Type).toBe('KMS');
    const artifactBucket = template.toJSON().Resources[store.Location.Ref] as Resource;
    expect(artifactBucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(artifactBucket.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: expect.any(String) },
      LogFilePrefix: expect.any(String),
    });
  });

  it('notifies failures and pending approvals through an encrypted topic, scoped to this account', () => {
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: Match.arrayWith(['codepipeline-pipeline-pipeline-execution-failed', 'codepipeline-pipeline-manual-approval-needed']),
      Targets: [{ TargetType: 'SNS', TargetAddress: Match.anyValue() }],
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'codestar-notifications.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'platform-team@example.com',
      RedrivePolicy: Match.anyValue(),
    });
  });

  it('gives the dev platform a fuzz role only the pipeline stack may assume, issuing client certificates with the end-entity client template only', () => {
    const access = pipeline.fuzzAccess.get('dev')!;
    expect([...pipeline.fuzzAccess.keys()]).toEqual(['dev']);
    const dev = Template.fromStack(Stack.of(access));
    const role = Object.values(dev.findResources('AWS::IAM::Role', { Properties: { RoleName: 'csm-fuzz-Tooling' } }))[0] as Resource;
    const trust = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(JSON.stringify(trust[0].Principal)).toContain(':iam::111111111111:root');
    expect(JSON.stringify(trust[0].Condition.ArnLike['aws:PrincipalArn'])).toContain(':iam::111111111111:role/Tooling-*');
    const policies = JSON.stringify(dev.findResources('AWS::IAM::ManagedPolicy'));
    const issue = (
      Object.values(
        dev.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('pipeline fuzzer') } }),
      ) as Resource[]
    )
      .flatMap((p) => p.Properties.PolicyDocument.Statement as CfnJson[])
      .filter((st) => st.Action === 'acm-pca:IssueCertificate');
    expect(issue).toHaveLength(1);
    expect(JSON.stringify(issue[0].Condition.StringEquals['acm-pca:TemplateArn'])).toContain(':acm-pca:::template/EndEntityClientAuthCertificate/V1');
    expect(policies).toContain('cognito-idp:DescribeUserPoolClient');
    dev.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: Match.stringLikeRegexp('pipeline-fuzzer'),
      AllowedOAuthFlows: ['client_credentials'],
    });
  });
});

describe('PlatformPipeline rejects bad input with prop, value and fix', () => {
  const STAGE_PROPS = {
    serviceDomain: 'internal.example.com',
    serviceCertificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    s3PrefixListId: 'pl-6da54004',
  };
  function make(overrides: Partial<PlatformPipelineProps> = {}, options: { toolingEnv?: boolean; stageEnv?: boolean } = {}) {
    const app: App = newApp();
    const stack = new Stack(app, 'Tooling', options.toolingEnv === false ? {} : { env: { account: '111111111111', region: 'eu-west-1' } });
    const dev = new PlatformStage(stack, 'dev', {
      ...STAGE_PROPS,
      profile: 'dev',
      env: options.stageEnv === false ? undefined : { account: '222222222222', region: 'eu-west-1' },
    });
    dev.platform.addService('orders', {
      imageTag: '1.0.0',
      routes: [{ version: 'v1', path: '/orders', method: 'GET', scopes: ['api/orders.read'] }],
    });
    return new PlatformPipeline(stack, 'Delivery', {
      source: {
        connection: {
          connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/12345678-1234-1234-1234-123456789012',
          repository: 'acme/platform',
        },
      },
      environments: [{ stage: dev }],
      ...overrides,
    });
  }

  it.each<[string, Partial<PlatformPipelineProps>, RegExp]>([
    [
      'no environment',
      { environments: [] },
      /invalid environments \(received \[\]\): a pipeline needs at least one environment.*Fix: pass the PlatformStages/,
    ],
    ['two sources', { source: {} }, /invalid source \(received \[\]\): give exactly one source/],
    [
      'connection ARN',
      { source: { connection: { connectionArn: 'arn:aws:iam::111111111111:role/x', repository: 'acme/platform' } } },
      /invalid source\.connection\.connectionArn \(received "arn:aws:iam::111111111111:role\/x"\): not a CodeStar\/CodeConnections connection ARN/,
    ],
    [
      'repository',
      {
        source: {
          connection: {
            connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/12345678-1234-1234-1234-123456789012',
            repository: 'platform',
          },
        },
      },
      /invalid source\.connection\.repository \(received "platform"\): not owner\/name/,
    ],
    [
      'advisory id',
      { auditAllowList: [{ advisory: 'CVE-2024-1234', reason: 'The vulnerable parser is never reached from our build tooling code.' }] },
      /invalid auditAllowList\.advisory \(received "CVE-2024-1234"\): not a GitHub advisory id/,
    ],
    [
      'advisory reason',
      { auditAllowList: [{ advisory: 'GHSA-c2qf-rxjj-qqgw', reason: 'legacy' }] },
      /invalid auditAllowList\.reason \(received "legacy"\)/,
    ],
    [
      'CLI version range',
      { cliVersion: '^2.1148.1' },
      /invalid cliVersion \(received "\^2\.1148\.1"\): not an exact version.*Fix: use major\.minor\.patch/,
    ],
    ['CLI version tag', { cliVersion: 'latest' }, /invalid cliVersion \(received "latest"\): not an exact version/],
    ['cdk-assets version range', { cdkAssetsCliVersion: '4' }, /invalid cdkAssetsCliVersion \(received "4"\): not an exact version/],
  ])('%s', (_name, overrides, message) => {
    expect(() => make(overrides)).toThrow(message);
  });

  it('pins cdk-assets when given (no warning), and needs a CLI version when the project has no aws-cdk package', () => {
    const pinned = make({ cliVersion: '2.1148.1', cdkAssetsCliVersion: '4.7.3' });
    const json = JSON.stringify(Template.fromStack(Stack.of(pinned)).toJSON());
    expect(json).toContain('npm install -g cdk-assets@4.7.3');
    expect(json).not.toContain('cdk-assets@latest');
    expect(json).toContain('npm install -g aws-cdk@2.1148.1');
    expect(Annotations.fromStack(Stack.of(pinned)).findWarning('*', Match.stringLikeRegexp('cdk-assets@latest'))).toHaveLength(0);
    const cwd = process.cwd();
    const empty = fs.mkdtempSync(`${os.tmpdir()}/csm-no-cli-`);
    try {
      process.chdir(empty);
      expect(() => make()).toThrow(
        /invalid cliVersion \(received undefined\): no aws-cdk package is installed in .*Fix: install the CLI in the project .* or pass cliVersion/,
      );
      expect(() => make({ cliVersion: '2.1148.1' })).not.toThrow();
    } finally {
      process.chdir(cwd);
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a pipeline stack and environments without explicit account and region', () => {
    expect(() => make({}, { toolingEnv: false })).toThrow(
      /invalid stack\.env .*a pipeline deploys across accounts, so its stack needs an explicit account and region/,
    );
    expect(() => make({}, { stageEnv: false })).toThrow(/invalid environments\[dev\]\.stage\.env .*Fix: create the PlatformStage with env/);
  });

  it('unbounded fuzzing', () => {
    const app: App = newApp();
    const stack = new Stack(app, 'Tooling', { env: { account: '111111111111', region: 'eu-west-1' } });
    const dev = new PlatformStage(stack, 'dev', { ...STAGE_PROPS, profile: 'dev', env: { account: '222222222222', region: 'eu-west-1' } });
    dev.platform.addService('orders', {
      imageTag: '1.0.0',
      routes: [{ version: 'v1', path: '/orders', method: 'GET', scopes: ['api/orders.read'] }],
    });
    expect(
      () =>
        new PlatformPipeline(stack, 'Delivery', {
          source: { codeCommit: { repository: { repositoryName: 'x' } as never } },
          environments: [{ stage: dev, fuzz: { requests: 0 } }],
        }),
    ).toThrow(/invalid environments\[dev\]\.fuzz\.requests \(received 0\): a fuzz run is bounded/);
  });
});
