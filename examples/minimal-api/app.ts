// The smallest platform: one dev environment, one service, one read route.
// Without mutualTls, the API's Cognito authorizer checks the caller's access token and the route's scope;
// clients also need an API key of the default `standard` usage tier.
// Synthesize (all packs must pass): npx cdk synth --app 'npx tsx examples/minimal-api/app.ts'
// List its stacks: npx cdk ls --app 'npx tsx examples/minimal-api/app.ts'
import { App } from 'aws-cdk-lib';
import { applySecurityChecks, GATE_APP_CONTEXT } from '../../lib/checks/apply-security-checks';
import { PlatformStage } from '../../lib/platform/platform-stage';

export function build(app: App): void {
  // Example values: replace them with your own before deploying.
  const dev = new PlatformStage(app, 'dev', {
    profile: 'dev', // 2 AZs, short-lived CA, 90-day logs
    // The prefix list id belongs to one region: pin it. No account, so it synthesizes without credentials.
    env: { region: 'eu-west-1' },
    serviceDomain: 'internal.example.com',
    // Public ACM certificate for *.internal.example.com: API Gateway verifies the services' TLS against public CAs.
    serviceCertificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    s3PrefixListId: 'pl-6da54004', // com.amazonaws.eu-west-1.s3: image layers come from S3 through the gateway endpoint
  });

  dev.platform.addService('catalog', {
    imageTag: '1.0.0', // immutable tags only: a tag always deploys the same image
    scopes: ['read'], // the service publishes api/catalog.read and nothing it does not serve
    routes: [{ version: 'v1', path: '/products/{id}', method: 'GET', scopes: ['api/catalog.read'] }],
  });

  applySecurityChecks(app); // every pack must pass, or synth fails
}

if (require.main === module) {
  const app = new App({ postCliContext: GATE_APP_CONTEXT }); // outdir and context come from the CDK CLI
  build(app);
  app.synth();
}
