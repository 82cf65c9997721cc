// dev and prod in one app: each environment is a PlatformStage in its own account and region, with its own profile,
// and both get the same services from one function, so what is tested in dev is what ships to prod.
// Deploy one environment at a time: npx cdk deploy --app 'npx tsx examples/multi-environment/app.ts' 'dev/*'
// Synthesize (all packs must pass): npx cdk synth --app 'npx tsx examples/multi-environment/app.ts'
// List its stacks: npx cdk ls --app 'npx tsx examples/multi-environment/app.ts'
import { App } from 'aws-cdk-lib';
import { JsonSchemaType } from 'aws-cdk-lib/aws-apigateway';
import { applySecurityChecks, GATE_APP_CONTEXT } from '../../lib/checks/apply-security-checks';
import { PlatformStage, PlatformStageProps } from '../../lib/platform/platform-stage';

// Example values: replace them with your own before deploying. ACM certificates and S3 prefix lists are regional,
// so each environment names the ones of its own region.
const ENVIRONMENTS: Record<string, PlatformStageProps> = {
  dev: {
    profile: 'dev', // 2 AZs, short-lived CA, 90-day logs: cheap enough to leave running
    env: { account: '111122223333', region: 'eu-west-1' },
    serviceDomain: 'internal.dev.example.com',
    serviceCertificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    s3PrefixListId: 'pl-6da54004', // com.amazonaws.eu-west-1.s3
    dynamoDbPrefixListId: 'pl-6fa54006', // com.amazonaws.eu-west-1.dynamodb (the orders table)
    mutualTls: {
      domainName: 'api.dev.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000001',
    },
  },
  prod: {
    profile: 'prod', // 3 AZs, root + issuing CA, 2-year logs, termination protection
    env: { account: '444455556666', region: 'eu-central-1' },
    serviceDomain: 'internal.example.com',
    serviceCertificateArn: 'arn:aws:acm:eu-central-1:444455556666:certificate/ffffffff-eeee-dddd-cccc-bbbbbbbbbbbb',
    s3PrefixListId: 'pl-6ea54007', // com.amazonaws.eu-central-1.s3
    dynamoDbPrefixListId: 'pl-66a5400f', // com.amazonaws.eu-central-1.dynamodb
    mutualTls: {
      domainName: 'api.example.com',
      certificateArn: 'arn:aws:acm:eu-central-1:444455556666:certificate/00000000-0000-0000-0000-000000000002',
    },
    alarmEmails: ['security-oncall@example.com'], // the prod profile refuses to synthesize without someone to page
  },
};

/** The services every environment runs; only image tags would ever differ, and they are promoted, not edited. */
function addServices(stage: PlatformStage): void {
  stage.platform.addService('orders', {
    imageTag: '3.2.0',
    table: true,
    routes: [
      { version: 'v1', path: '/orders/{id}', method: 'GET', scopes: ['api/orders.read'] },
      {
        version: 'v1',
        path: '/orders',
        method: 'POST',
        scopes: ['api/orders.write'],
        requestModel: {
          type: JsonSchemaType.OBJECT,
          required: ['sku', 'quantity'],
          properties: { sku: { type: JsonSchemaType.STRING, maxLength: 32 }, quantity: { type: JsonSchemaType.INTEGER, minimum: 1, maximum: 100 } },
          additionalProperties: false,
        },
      },
    ],
  });
  stage.platform.addService('payments', {
    imageTag: '1.8.4',
    bucket: {
      withoutReplication: { reason: 'Receipts are also delivered to the finance system of record; this bucket is a regional working copy.' },
    },
    allowFrom: ['orders'], // orders calls payments through VPC Lattice (IAM auth names its task role); nothing else may
    routes: [{ version: 'v1', path: '/payments/{id}', method: 'GET', scopes: ['api/payments.read'] }],
  });
}

export function build(app: App): void {
  // A stack with an account and region asks that account for its AZ names at synth time (the templates themselves
  // use Fn::GetAZs). Giving the answer here, as cdk.context.json would cache it, lets `cdk synth` run without
  // credentials. Context can only be set before the first stage is added.
  for (const { env } of Object.values(ENVIRONMENTS)) {
    const azs = ['a', 'b', 'c'].map((suffix) => `${env!.region}${suffix}`);
    app.node.setContext(`availability-zones:account=${env!.account}:region=${env!.region}`, azs);
  }
  for (const [name, props] of Object.entries(ENVIRONMENTS)) {
    addServices(new PlatformStage(app, name, props));
  }
  applySecurityChecks(app); // one gate over both environments
}

if (require.main === module) {
  const app = new App({ postCliContext: GATE_APP_CONTEXT }); // outdir and context come from the CDK CLI
  build(app);
  app.synth();
}
