import { Annotations, CfnElement, Duration, Stack, Token } from 'aws-cdk-lib';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as notifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { acknowledgeFinding, acknowledgeFindings, complianceFindingIds } from '../core/acknowledge';
import { SecurityPack } from '../private/packs';
import { subscribeEmails } from '../core/dead-letter-queue';
import { API_MODEL_FILE } from '../api/api-model';
import { createSecureLogGroup } from '../core/secure-log-group';
import { PlatformKeys } from '../encryption/platform-keys';
import { PlatformStage } from '../platform/platform-stage';
import { invalidProp } from '../private/errors';
import { assertReason } from '../private/reason';
import { SecureBucket } from '../storage/secure-bucket';
import { PipelineFuzzAccess } from './fuzz-access';
import { CfnJson } from '../private/rule-helpers';
import { wholeNumber } from '../private/validation';

/** A GitHub/GitLab/Bitbucket repository reached through a CodeStar (CodeConnections) connection. */
export interface ConnectionSourceOptions {
  /** ARN of the connection (`arn:aws:codeconnections:…` or `arn:aws:codestar-connections:…`). */
  readonly connectionArn: string;
  /** `owner/name`. */
  readonly repository: string;
  /** @default 'main' */
  readonly branch?: string;
}

/** A CodeCommit repository. */
export interface CodeCommitSourceOptions {
  readonly repository: codecommit.IRepository;
  /** @default 'main' */
  readonly branch?: string;
}

/** Where the pipeline takes the app's source from: exactly one of the two. */
export interface PlatformPipelineSourceOptions {
  readonly connection?: ConnectionSourceOptions;
  readonly codeCommit?: CodeCommitSourceOptions;
}

/** Fuzzing after an environment's deployment. */
export interface PipelineFuzzOptions {
  /**
   * Requests per run (csm-fuzz `--requests`): bounded so a deploy is not held up.
   * @default 300
   */
  readonly requests?: number;
  /**
   * The usage tier whose API key the fuzzer presents.
   * @default - the platform's first usage tier
   */
  readonly usageTier?: string;
}

/** One environment of the pipeline, deployed in the order given, each in its own wave. */
export interface PlatformPipelineEnvironment {
  /** The environment, created in the pipeline stack's scope with an explicit account and region. */
  readonly stage: PlatformStage;
  /**
   * A manual approval, after the security report's diff against the last approved one, before the deployment.
   * @default - on for the `prod` profile, off otherwise
   */
  readonly approval?: boolean;
  /**
   * Fuzz the deployed API (csm-fuzz) after the deployment; findings fail the wave. `false` turns it off.
   * @default - on (300 requests) for every profile but `prod`; never on prod, whose data is real
   */
  readonly fuzz?: PipelineFuzzOptions | false;
}

/** An `npm audit` advisory the synth step tolerates, with why. */
export interface AuditAllowance {
  /** The advisory id (`GHSA-xxxx-xxxx-xxxx`) as `npm audit --json` reports it. */
  readonly advisory: string;
  /** Why it does not affect this app (e.g. the vulnerable code path is not reachable). */
  readonly reason: string;
}

export interface PlatformPipelineProps {
  readonly source: PlatformPipelineSourceOptions;
  /** The environments, in deployment order (e.g. dev → staging → prod). */
  readonly environments: readonly PlatformPipelineEnvironment[];
  /**
   * Receive failed executions and pending approvals (through an encrypted SNS topic with a dead-letter queue).
   * @default - none (the topic exists, subscribe later)
   */
  readonly notificationEmails?: string[];
  /**
   * High/critical advisories `npm audit --omit=dev` may report without failing the synth step.
   * @default - none: any high or critical advisory fails the build
   */
  readonly auditAllowList?: readonly AuditAllowance[];
  /**
   * The project's test command (gate + snapshot tests).
   * @default 'npm test'
   */
  readonly testCommand?: string;
  /**
   * Retention of build logs (whole days, a finite CloudWatch Logs value: ALLOWED_RETENTION_DAYS).
   * @default Duration.days(365)
   */
  readonly logRetention?: Duration;
  /**
   * Exact version of the AWS CDK CLI (`aws-cdk` on npm) the self-mutation step installs globally. That step may change
   * the pipeline itself, so what it installs is pinned: an exact `major.minor.patch`, never a range or a tag.
   * @default - the version of the `aws-cdk` package installed in the project that synthesizes (the CLI `npx cdk` runs);
   * synth fails when there is none
   */
  readonly cliVersion?: string;
  /**
   * Exact version of `cdk-assets` the asset-publishing steps install globally (they assume the roles that write the
   * assets bucket and the container registry).
   * @default - aws-cdk-lib's default, the latest `cdk-assets` when the step runs; synth warns that the publishing steps
   * install an unpinned tool
   */
  readonly cdkAssetsCliVersion?: string;
}

const ACCOUNT = /^\d{12}$/;
/** An exact npm version (no range, tag or `latest`). */
const EXACT_VERSION = /^\d+\.\d+\.\d+$/;
const ADVISORY = /^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/;
const DEFAULT_FUZZ_REQUESTS = 300;

/** Where synth writes the API model of one stage (csm-fuzz --model), relative to cdk.out: in the stage's assembly. */
export function apiModelPathOf(stage: PlatformStage): string {
  return `${stage.artifactId}/${API_MODEL_FILE}`;
}

/**
 * Delivery of the platform at organisation scale on CDK Pipelines (CodePipeline + CodeBuild), in its own stack in
 * a tooling account: source → synth (npm ci, the project's tests with the security gate, `npm audit --omit=dev`
 * failing on high/critical advisories outside a reasoned allow list, `cdk synth`, the security report, validation
 * report and API models published to an encrypted reports bucket) → one wave per environment in order, a manual
 * approval with the security report's diff before every prod environment, and a bounded `csm-fuzz` run against
 * every non-prod environment after its deployment that fails the wave on findings.
 *
 * Secure defaults: artifact bucket with a rotated cross-account KMS key, CodeBuild unprivileged on a current
 * standard image, build logs KMS-encrypted with retention, deployments through the target accounts' bootstrapped
 * deploy roles (no admin in the pipeline), failures and approvals notified through an encrypted topic.
 */
export class PlatformPipeline extends Construct {
  public readonly pipeline: pipelines.CodePipeline;
  public readonly keys: PlatformKeys;
  /** Security reports, validation reports and API models of every build; approved prod reports. */
  public readonly reportsBucket: SecureBucket;
  /** Pipeline artifacts (cloud assembly, assets) exchanged with the target accounts. */
  public readonly artifactBucket: SecureBucket;
  public readonly buildLogGroup: logs.LogGroup;
  public readonly notificationTopic: sns.Topic;
  /** The fuzz access created in each fuzzed environment's platform, by stage name. */
  public readonly fuzzAccess: ReadonlyMap<string, PipelineFuzzAccess>;

  constructor(scope: Construct, id: string, props: PlatformPipelineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.validate(props);

    this.keys = new PlatformKeys(this, 'Keys', { aliasPrefix: `pipeline/${stack.stackName}`.slice(0, 200) });
    this.buildLogGroup = createSecureLogGroup(this, 'BuildLogs', {
      encryptionKey: this.keys.logsKey,
      retention: props.logRetention,
      retentionPropName: 'logRetention',
    });
    this.reportsBucket = new SecureBucket(this, 'Reports', {
      encryptionKey: this.keys.dataKey,
      withoutReplication: {
        reason: 'Build reports are regenerated by every pipeline run from the source repository; a second copy adds cost, not recovery.',
      },
    });

    this.artifactBucket = new SecureBucket(this, 'Artifacts', {
      encryptionKey: this.keys.dataKey,
      accessLogsBucket: this.reportsBucket.logBucket,
      withoutReplication: { reason: 'Pipeline artifacts are rebuilt from the source repository by the next run; a replica adds cost, not recovery.' },
    });
    const source = this.source(props.source);
    const synth = this.synthStep(props, source);
    this.pipeline = this.createPipeline(synth, this.toolVersions(props));

    const fuzzAccess = new Map<string, PipelineFuzzAccess>();
    for (const env of props.environments) this.addEnvironment(env, source, synth, fuzzAccess);
    this.fuzzAccess = fuzzAccess;
    this.pipeline.buildPipeline();

    this.notificationTopic = this.createNotifications();
    this.acknowledgePipelineFindings();
    this.useSubForRoleArns();
    subscribeEmails(this, this.notificationTopic, props.notificationEmails ?? [], {
      queueId: 'NotificationDeadLetterQueue',
      encryptionKey: this.keys.dataKey,
      catches: 'the pipeline notification e-mails (messages SNS could not deliver)',
    });
  }

  /** Checks the pipeline stack's environment, the environments and the audit allow list (invalidProp: prop, value, problem, fix). */
  private validate(props: PlatformPipelineProps): void {
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      invalidProp(
        this,
        'stack.env',
        stack.account,
        'a pipeline deploys across accounts, so its stack needs an explicit account and region',
        "create the pipeline's stack with env: { account: '<tooling account>', region: '<region>' }",
      );
    }
    this.validateEnvironments(props.environments);
    for (const allowance of props.auditAllowList ?? []) {
      if (!ADVISORY.test(allowance.advisory)) {
        invalidProp(
          this,
          'auditAllowList.advisory',
          allowance.advisory,
          'not a GitHub advisory id',
          'use the id npm audit --json reports, e.g. GHSA-c2qf-rxjj-qqgw',
        );
      }
      assertReason(this, 'auditAllowList.reason', allowance.reason, `allowing advisory ${allowance.advisory} needs a reason a reviewer can check`);
    }
  }

  /** npm ci, the project's tests, npm audit, cdk synth, and this build's reports copied to the reports bucket. */
  private synthStep(props: PlatformPipelineProps, source: pipelines.CodePipelineSource): pipelines.CodeBuildStep {
    return new pipelines.CodeBuildStep('Synth', {
      input: source,
      installCommands: ['npm ci'],
      commands: [
        props.testCommand ?? 'npm test',
        ...auditCommands(props.auditAllowList ?? []),
        'npx cdk synth',
        // The reports of this build, by commit: security report, validation report, one API model per stage.
        `for f in security-report.md validation-report.json ${API_MODEL_FILE} assembly-*/${API_MODEL_FILE}; do if [ -f "cdk.out/$f" ]; then aws s3 cp "cdk.out/$f" "s3://$REPORTS_BUCKET/builds/$CODEBUILD_RESOLVED_SOURCE_VERSION/$f"; fi; done`,
      ],
      env: { REPORTS_BUCKET: this.reportsBucket.bucket.bucketName },
      rolePolicyStatements: [this.putReports('builds/*')],
      primaryOutputDirectory: 'cdk.out',
    });
  }

  /**
   * The exact versions the self-mutation and asset-publishing steps install: the CLI from `cliVersion` or the
   * project's `aws-cdk` package; `cdk-assets` from `cdkAssetsCliVersion` (unpinned otherwise, with a synth warning).
   */
  private toolVersions(props: PlatformPipelineProps): { cliVersion: string; cdkAssetsCliVersion?: string } {
    const cliVersion = props.cliVersion ?? installedCliVersion();
    if (cliVersion === undefined) {
      invalidProp(
        this,
        'cliVersion',
        cliVersion,
        `no aws-cdk package is installed in ${process.cwd()}, so the self-mutation step would install whatever aws-cdk@2 is newest when it runs (it can change the pipeline itself)`,
        'install the CLI in the project (npm install --save-dev --save-exact aws-cdk) or pass cliVersion, e.g. "2.1148.1"',
      );
    }
    for (const [prop, version] of [
      ['cliVersion', cliVersion],
      ['cdkAssetsCliVersion', props.cdkAssetsCliVersion],
    ] as const) {
      if (version !== undefined && !EXACT_VERSION.test(version)) {
        invalidProp(
          this,
          prop,
          version,
          'not an exact version: a range or tag installs whatever npm resolves when the step runs',
          'use major.minor.patch, e.g. "2.1148.1"',
        );
      }
    }
    if (props.cdkAssetsCliVersion === undefined) {
      Annotations.of(this).addWarningV2(
        'cdk-secure-microservices:pipeline-unpinned-cdk-assets',
        "The asset-publishing steps install cdk-assets@latest (aws-cdk-lib's default) with the roles that write the assets bucket and registry. Pin it with cdkAssetsCliVersion (a version that reads this cloud assembly's schema).",
      );
    }
    return { cliVersion, cdkAssetsCliVersion: props.cdkAssetsCliVersion };
  }

  private createPipeline(synth: pipelines.CodeBuildStep, versions: { cliVersion: string; cdkAssetsCliVersion?: string }): pipelines.CodePipeline {
    return new pipelines.CodePipeline(this, 'Pipeline', {
      synth,
      cliVersion: versions.cliVersion,
      cdkAssetsCliVersion: versions.cdkAssetsCliVersion,
      // Our bucket (KMS data key with rotation, TLS 1.2+, versioned, access-logged); CDK grants the target accounts'
      // deploy roles read access to it and to its key.
      artifactBucket: this.artifactBucket.bucket,
      dockerEnabledForSynth: false,
      dockerEnabledForSelfMutation: false,
      useChangeSets: true,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL, privileged: false },
        logging: { cloudWatch: { logGroup: this.buildLogGroup } },
        timeout: Duration.minutes(60),
      },
    });
  }

  /**
   * One environment's wave: the report diff and manual approval before the deployment (prod by default) and the
   * approved report recorded after it; the fuzz run after it (not prod by default), its access kept in `fuzzAccess`.
   */
  private addEnvironment(
    env: PlatformPipelineEnvironment,
    source: pipelines.IFileSetProducer,
    synth: pipelines.IFileSetProducer,
    fuzzAccess: Map<string, PipelineFuzzAccess>,
  ): void {
    const stack = Stack.of(this);
    const stage = env.stage;
    const prod = stage.profileName === 'prod';
    const approval = env.approval ?? prod;
    const fuzz = env.fuzz === false || (env.fuzz === undefined && prod) ? undefined : (env.fuzz ?? {});
    const pre: pipelines.Step[] = [];
    const post: pipelines.Step[] = [];
    if (approval) {
      const diff = this.reportDiffStep(stage, synth);
      const approve = new pipelines.ManualApprovalStep(`Approve-${stage.stageName}`, {
        comment: `Deploy ${stage.stageName} (profile ${stage.profileName})? Review the security report's changes since the last approved deployment: the ${stage.stageName}-SecurityReportDiff step's log, or reports bucket key pending/${stage.stageName}/security-report.diff.`,
      });
      approve.addStepDependency(diff);
      pre.push(diff, approve);
      post.push(this.recordApprovedReportStep(stage, synth));
    }
    if (fuzz) {
      const access = new PipelineFuzzAccess(stage.platform, 'PipelineFuzz', {
        platform: stage.platform,
        toolingAccount: stack.account,
        pipelineStackName: stack.stackName,
        usageTier: fuzz.usageTier,
      });
      fuzzAccess.set(stage.stageName, access);
      post.push(this.fuzzStep(stage, access, source, synth, fuzz.requests ?? DEFAULT_FUZZ_REQUESTS));
    }
    this.pipeline.addStage(stage, { pre, post });
  }

  /**
   * The encrypted notification topic and the rule that sends it failed executions and pending approvals. CodeStar
   * Notifications publishes to the encrypted topic; both grants are scoped to this account's rules (the stock
   * SnsTopic target grants the service principal the key without a condition).
   */
  private createNotifications(): sns.Topic {
    const topic = new sns.Topic(this, 'Notifications', {
      masterKey: this.keys.dataKey,
      enforceSSL: true,
      displayName: 'Platform pipeline',
    });
    const codestar = new iam.ServicePrincipal('codestar-notifications.amazonaws.com');
    const thisAccount = { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } };
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CodeStarNotificationsPublish',
        principals: [codestar],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: thisAccount,
      }),
    );
    this.keys.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CodeStarNotificationsPublishToEncryptedTopic',
        principals: [codestar],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: thisAccount,
      }),
    );
    const topicArn = topic.topicArn;
    new notifications.NotificationRule(this, 'PipelineEvents', {
      source: this.pipeline.pipeline,
      events: [
        'codepipeline-pipeline-pipeline-execution-failed',
        'codepipeline-pipeline-action-execution-failed',
        'codepipeline-pipeline-manual-approval-needed',
      ],
      targets: [{ bindAsNotificationRuleTarget: () => ({ targetType: 'SNS', targetAddress: topicArn }) }],
      detailType: notifications.DetailType.FULL,
    });
    return topic;
  }

  /**
   * What CDK Pipelines generates and cannot be changed from here, acknowledged on each construct with the reason:
   * CodeBuild's default log/report-group permissions (per project, `<project>:*`), inline DefaultPolicies of the
   * roles CDK grants to, CODEPIPELINE-sourced projects (no repository URL, hence no OAuth), the asset and
   * self-mutation roles' bootstrap-role wildcards, and the report steps' object prefixes.
   */
  private acknowledgePipelineFindings(): void {
    const stack = Stack.of(this);
    const artifacts = `<${stack.getLogicalId(this.artifactBucket.bucket.node.defaultChild as CfnElement)}.Arn>`;
    const reports = `<${stack.getLogicalId(this.reportsBucket.bucket.node.defaultChild as CfnElement)}.Arn>`;
    const reasonFor = (finding: string): string => {
      if (finding.startsWith('Action::s3:') || finding.startsWith('Action::kms:') || finding === `Resource::${artifacts}/*`) {
        return "CDK Pipelines grants its roles the artifact bucket's object actions (s3:GetObject*, s3:List*, s3:Abort*, ...) and its KMS key's data-key actions: limited to this pipeline's artifact bucket and key.";
      }
      if (finding.startsWith(`Resource::${reports}/`)) {
        return 'A report step writes or reads only its own key prefix of the reports bucket (builds/<commit>, pending/<env>, approved/<env>).';
      }
      if (finding.includes(':log-group:/aws/codebuild/') || finding.includes(':report-group/')) {
        return "CodeBuild grants each project its own log streams and test-report groups, named after the project at run time; the wildcard covers this pipeline's projects in this account.";
      }
      if (finding.startsWith('Resource::arn:*:iam::')) {
        return 'Self-mutation and asset publishing assume the CDK bootstrap roles only: the statement is limited by the aws-cdk:bootstrap-role resource tag.';
      }
      if (finding === 'Resource::*') {
        return 'CDK Pipelines reads stack outputs (cloudformation:DescribeStacks), lists asset buckets of the target accounts and starts its own asset builds; these actions take no narrower resource here.';
      }
      throw new Error(
        `${this.node.path}: unexpected wildcard ${finding} in a CDK Pipelines policy (aws-cdk-lib changed?). Fix: review it and add a reason in acknowledgePipelineFindings.`,
      );
    };
    for (const c of this.pipeline.node.findAll()) {
      if (c instanceof codebuild.CfnProject) {
        acknowledgeFindings(
          c,
          complianceFindingIds('CodeBuildProjectSourceRepoUrl', [SecurityPack.PCI_DSS_321, SecurityPack.HIPAA_SECURITY]),
          'The project takes its source from the pipeline (source type CODEPIPELINE), never from a repository URL; the repository is reached through the pipeline source action.',
        );
      }
      if (c instanceof iam.Policy && c.node.id === 'DefaultPolicy') {
        acknowledgeFindings(
          c,
          complianceFindingIds('IAMNoInlinePolicy'),
          "CDK Pipelines writes the grants of its own roles (pipeline, actions, builds) into each role's default policy, scoped to this pipeline's resources.",
        );
        for (const finding of wildcardFindings(stack, c)) acknowledgeFinding(c, `AwsSolutions::AwsSolutions-IAM5[${finding}]`, reasonFor(finding));
      }
    }
  }

  /**
   * CDK Pipelines renders the cross-account deploy actions' `RoleArn` as an empty-delimiter Fn::Join, which
   * cfn-lint refuses in action configurations (E3703: use Fn::Sub). The stages are rendered once the pipeline is
   * built; the same ARNs are written back as Fn::Sub (an L1 attribute, so every pack still reads it).
   */
  private useSubForRoleArns(): void {
    const cfn = this.pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline;
    const stages = Stack.of(this).resolve(cfn.stages) as { actions: { configuration?: Record<string, unknown> }[] }[];
    for (const action of stages.flatMap((st) => st.actions)) {
      const join = (action.configuration?.RoleArn as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
      if (!join || join[0] !== '') continue;
      const parts = join[1].map((p) =>
        typeof p === 'string' ? p : (p as { Ref?: string }).Ref?.startsWith('AWS::') ? `\${${(p as { Ref: string }).Ref}}` : undefined,
      );
      if (parts.every((p) => p !== undefined)) action.configuration!.RoleArn = { 'Fn::Sub': parts.join('') };
    }
    cfn.stages = stages as unknown as codepipeline.CfnPipeline.StageDeclarationProperty[];
  }

  private validateEnvironments(environments: readonly PlatformPipelineEnvironment[]): void {
    if (environments.length === 0) {
      invalidProp(
        this,
        'environments',
        environments,
        'a pipeline needs at least one environment to deploy',
        'pass the PlatformStages in deployment order, e.g. [{ stage: dev }, { stage: prod }]',
      );
    }
    const names = new Set<string>();
    for (const { stage } of environments) {
      if (names.has(stage.stageName))
        invalidProp(
          this,
          'environments',
          stage.stageName,
          'the same environment is listed twice',
          'list each PlatformStage once, in deployment order',
        );
      names.add(stage.stageName);
      if (!ACCOUNT.test(String(stage.account)) || Token.isUnresolved(stage.region) || !stage.region) {
        invalidProp(
          this,
          `environments[${stage.stageName}].stage.env`,
          stage.account,
          'a pipeline deploys each environment into a known account and region',
          "create the PlatformStage with env: { account: '<12 digits>', region: '<region>' }",
        );
      }
    }
  }

  private source(options: PlatformPipelineSourceOptions): pipelines.CodePipelineSource {
    if (Boolean(options.connection) === Boolean(options.codeCommit)) {
      invalidProp(
        this,
        'source',
        Object.keys(options),
        'give exactly one source',
        'use { connection: { connectionArn, repository, branch } } or { codeCommit: { repository, branch } }',
      );
    }
    if (options.codeCommit) return pipelines.CodePipelineSource.codeCommit(options.codeCommit.repository, options.codeCommit.branch ?? 'main');
    const c = options.connection!;
    if (
      !Token.isUnresolved(c.connectionArn) &&
      !/^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/.test(c.connectionArn)
    ) {
      invalidProp(
        this,
        'source.connection.connectionArn',
        c.connectionArn,
        'not a CodeStar/CodeConnections connection ARN',
        'copy it from the console (Developer Tools > Connections), e.g. arn:aws:codeconnections:eu-west-1:111122223333:connection/<uuid>',
      );
    }
    if (!/^[\w.-]+\/[\w.-]+$/.test(c.repository)) {
      invalidProp(this, 'source.connection.repository', c.repository, 'not owner/name', 'use e.g. "acme/platform"');
    }
    return pipelines.CodePipelineSource.connection(c.repository, c.branch ?? 'main', { connectionArn: c.connectionArn, triggerOnPush: true });
  }

  private putReports(prefix: string): iam.PolicyStatement {
    return new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.reportsBucket.bucket.arnForObjects(prefix)] });
  }

  /** Prints and stores the security report's changes since the last approved deployment of the stage. */
  private reportDiffStep(stage: PlatformStage, synth: pipelines.IFileSetProducer): pipelines.Step {
    const name = stage.stageName;
    return new pipelines.CodeBuildStep(`${name}-SecurityReportDiff`, {
      input: synth,
      commands: [
        `aws s3 cp "s3://$REPORTS_BUCKET/approved/${name}/security-report.md" previous.md || echo "(no approved deployment of ${name} yet)" > previous.md`,
        'diff -u previous.md security-report.md > security-report.diff || true',
        'cat security-report.diff',
        `aws s3 cp security-report.diff "s3://$REPORTS_BUCKET/pending/${name}/security-report.diff"`,
      ],
      env: { REPORTS_BUCKET: this.reportsBucket.bucket.bucketName },
      rolePolicyStatements: [
        this.putReports(`pending/${name}/*`),
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.reportsBucket.bucket.arnForObjects(`approved/${name}/*`)] }),
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.reportsBucket.bucket.bucketArn] }),
      ],
    });
  }

  /** After an approved deployment, its security report becomes the baseline of the next diff. */
  private recordApprovedReportStep(stage: PlatformStage, synth: pipelines.IFileSetProducer): pipelines.Step {
    const name = stage.stageName;
    return new pipelines.CodeBuildStep(`${name}-RecordApprovedReport`, {
      input: synth,
      commands: [`aws s3 cp security-report.md "s3://$REPORTS_BUCKET/approved/${name}/security-report.md"`],
      env: { REPORTS_BUCKET: this.reportsBucket.bucket.bucketName },
      rolePolicyStatements: [this.putReports(`approved/${name}/*`)],
    });
  }

  /** Runs csm-fuzz against the deployed stage with the fuzz access's machine client, API key and certificate. */
  private fuzzStep(
    stage: PlatformStage,
    access: PipelineFuzzAccess,
    source: pipelines.IFileSetProducer,
    synth: pipelines.IFileSetProducer,
    requests: number,
  ): pipelines.Step {
    wholeNumber(this, `environments[${stage.stageName}].fuzz.requests`, requests, {
      min: 1,
      max: 100_000,
      refuseTokens: true,
      problem: 'a fuzz run is bounded: 1 to 100,000 requests',
      fix: 'use e.g. 300 on every deploy and a longer nightly run',
    });
    const o = access.outputs;
    const mtls = o.certificateAuthorityArn !== undefined;
    const roleName = access.roleName;
    return new pipelines.CodeBuildStep(`${stage.stageName}-Fuzz`, {
      input: source,
      additionalInputs: { 'cdk.out': synth },
      installCommands: ['npm ci'],
      commands: [
        // The platform account's fuzz role, through the build's own credentials.
        'aws configure set profile.fuzz.role_arn "$FUZZ_ROLE_ARN" && aws configure set profile.fuzz.credential_source EcsContainer',
        'SECRET=$(aws --profile fuzz cognito-idp describe-user-pool-client --user-pool-id "$USER_POOL_ID" --client-id "$CLIENT_ID" --query UserPoolClient.ClientSecret --output text)',
        // Token and API key go to csm-fuzz through its environment variables, never on a command line.
        'export CSM_FUZZ_TOKEN=$(curl -sf -u "$CLIENT_ID:$SECRET" -d grant_type=client_credentials "$TOKEN_URL" | node -pe \'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token\')',
        'export CSM_FUZZ_API_KEY=$(aws --profile fuzz apigateway get-api-key --api-key "$API_KEY_ID" --include-value --query value --output text)',
        ...(mtls
          ? [
              'AWS_PROFILE=fuzz npx csm-certs issue --ca-arn "$CA_ARN" --common-name "$CLIENT_ID" --client-id "$CLIENT_ID" --validity-days 1 --out-dir fuzz-cert --records fuzz-cert/records.json',
            ]
          : []),
        [
          `npx csm-fuzz --model "cdk.out/${apiModelPathOf(stage)}" --base-url "$API_URL"`,
          ...(mtls ? ['--client-cert "fuzz-cert/$CLIENT_ID.cert.pem" --client-key "fuzz-cert/$CLIENT_ID.key.pem"'] : []),
          `--requests ${requests} --seed "$CODEBUILD_BUILD_NUMBER" --report fuzz-report.json`,
        ].join(' '),
      ],
      envFromCfnOutputs: {
        FUZZ_ROLE_ARN: o.roleArn,
        USER_POOL_ID: o.userPoolId,
        CLIENT_ID: o.clientId,
        TOKEN_URL: o.tokenUrl,
        API_KEY_ID: o.apiKeyId,
        API_URL: o.apiUrl,
        ...(o.certificateAuthorityArn ? { CA_ARN: o.certificateAuthorityArn } : {}),
      },
      rolePolicyStatements: [
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          resources: [`arn:${Stack.of(this).partition}:iam::${stage.account}:role/${roleName}`],
        }),
      ],
    });
  }
}

/**
 * The AwsSolutions-IAM5 findings of a policy, in cdk-nag's notation: each action and resource with a `*`
 * (`Action::s3:GetObject*`, `Resource::<Bucket.Arn>/*`, tokens as `<LogicalId.Attr>` and `<AWS::Partition>`).
 */
function wildcardFindings(stack: Stack, policy: iam.Policy): string[] {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as CfnJson;
    if (o.Ref) return `<${o.Ref}>`;
    if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'].join('.')}>`;
    if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(render).join(o['Fn::Join'][0]);
    return JSON.stringify(v);
  };
  const found = new Set<string>();
  const doc = stack.resolve(policy.document.toJSON()) as { Statement?: Record<string, unknown>[] };
  for (const st of doc.Statement ?? []) {
    for (const action of ([] as unknown[]).concat(st.Action ?? [])) if (String(action).includes('*')) found.add(`Action::${action}`);
    for (const resource of ([] as unknown[]).concat(st.Resource ?? [])) {
      const r = render(resource);
      if (r.includes('*')) found.add(`Resource::${r}`);
    }
  }
  return [...found];
}

/**
 * `npm audit --omit=dev` failing on high/critical advisories that the allow list does not name (npm has no allow
 * list of its own: the JSON report is checked by a short node script).
 */
function auditCommands(allowList: readonly AuditAllowance[]): string[] {
  const allowed = JSON.stringify(allowList.map((a) => a.advisory));
  const check = [
    'const r=JSON.parse(require("fs").readFileSync("audit.json","utf8"));',
    `const allowed=new Set(${allowed});`,
    'const bad=Object.values(r.vulnerabilities||{}).flatMap(v=>(v.via||[]).filter(x=>typeof x==="object"&&["high","critical"].includes(x.severity)).map(x=>({pkg:v.name,id:(x.url||"").split("/").pop(),sev:x.severity,title:x.title})));',
    'const open=bad.filter(b=>!allowed.has(b.id));',
    'for(const b of open)console.error(`${b.sev} ${b.id} ${b.pkg}: ${b.title}`);',
    "if(open.length){console.error(`npm audit: ${open.length} high/critical advisories not in the pipeline's auditAllowList`);process.exit(1)}",
  ].join('');
  return ['npm audit --omit=dev --json > audit.json || true', `node -e '${check.replace(/'/g, "'\\''")}'`];
}

/** The version of the `aws-cdk` CLI package installed in the project that synthesizes (undefined when there is none). */
function installedCliVersion(): string | undefined {
  try {
    return (createRequire(path.join(process.cwd(), 'package.json'))('aws-cdk/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}
