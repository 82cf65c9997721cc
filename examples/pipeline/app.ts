// Delivery through a pipeline: a tooling account runs CDK Pipelines, which tests (the security gate included),
// audits, synthesizes and deploys dev then prod, each in its own account. After dev it fuzzes the deployed API;
// before prod it shows the security report's diff and waits for a manual approval.
// Synthesize (all packs must pass): npx cdk synth --app 'npx tsx examples/pipeline/app.ts'
// Bootstrap first (README "Delivering with a pipeline"), then deploy the pipeline stack once from a workstation:
//   npx cdk deploy --app 'npx tsx examples/pipeline/app.ts' Tooling
import { App, Stack } from 'aws-cdk-lib';
import { applySecurityChecks, GATE_APP_CONTEXT } from '../../lib/checks/apply-security-checks';
import { PlatformPipeline } from '../../lib/pipeline/platform-pipeline';
import { PlatformStage, PlatformStageProps } from '../../lib/platform/platform-stage';

// Example values: replace them with your own before deploying.
const TOOLING = { account: '111111111111', region: 'eu-west-1' };
const ENVIRONMENTS: Record<'dev' | 'prod', PlatformStageProps> = {
  dev: {
    profile: 'dev',
    env: { account: '222222222222', region: 'eu-west-1' },
    serviceDomain: 'internal.dev.example.com',
    serviceCertificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    s3PrefixListId: 'pl-6da54004', // com.amazonaws.eu-west-1.s3
    mutualTls: {
      domainName: 'api.dev.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/00000000-0000-0000-0000-000000000001',
    },
  },
  prod: {
    profile: 'prod',
    env: { account: '333333333333', region: 'eu-west-1' },
    serviceDomain: 'internal.example.com',
    serviceCertificateArn: 'arn:aws:acm:eu-west-1:333333333333:certificate/ffffffff-eeee-dddd-cccc-bbbbbbbbbbbb',
    s3PrefixListId: 'pl-6da54004',
    mutualTls: {
      domainName: 'api.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:333333333333:certificate/00000000-0000-0000-0000-000000000002',
    },
    alarmEmails: ['security-oncall@example.com'],
  },
};

function addServices(stage: PlatformStage): void {
  stage.platform.addService('orders', {
    imageTag: '3.2.0',
    routes: [{ version: 'v1', path: '/orders/{id}', method: 'GET', scopes: ['api/orders.read'] }],
  });
}

export function build(app: App): PlatformPipeline {
  // Stacks with an account and region ask for their AZ names at synth; giving them here keeps synth offline.
  for (const env of [TOOLING, ...Object.values(ENVIRONMENTS).map((e) => e.env!)]) {
    app.node.setContext(
      `availability-zones:account=${env.account}:region=${env.region}`,
      ['a', 'b', 'c'].map((s) => `${env.region}${s}`),
    );
  }
  const tooling = new Stack(app, 'Tooling', { env: TOOLING, description: 'cdk-secure-microservices delivery pipeline' });
  const stages = (['dev', 'prod'] as const).map((name) => {
    const stage = new PlatformStage(tooling, name, ENVIRONMENTS[name]);
    addServices(stage);
    return stage;
  });
  const pipeline = new PlatformPipeline(tooling, 'Delivery', {
    source: {
      connection: {
        connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/12345678-1234-1234-1234-123456789012',
        repository: 'acme/platform',
        branch: 'main',
      },
    },
    environments: [
      { stage: stages[0], fuzz: { requests: 300 } }, // dev: deployed, then fuzzed; findings fail the wave
      { stage: stages[1] }, // prod: security report diff + manual approval first, never fuzzed
    ],
    notificationEmails: ['platform-team@example.com'],
  });
  applySecurityChecks(app); // the gate covers the pipeline stack and every environment it deploys
  return pipeline;
}

if (require.main === module) {
  const app = new App({ postCliContext: GATE_APP_CONTEXT }); // outdir and context come from the CDK CLI
  build(app);
  app.synth();
}
