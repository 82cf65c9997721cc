// Every platform feature in one environment: the API only on a mutual-TLS custom domain, three services with
// storage and a service-to-service call, usage tiers with partner API keys, machine clients, and roles for people
// (admin, reader) with a tenant claim forwarded to the services.
// Synthesize (all packs must pass): npx cdk synth --app 'npx tsx examples/full-platform/app.ts'
// List its stacks: npx cdk ls --app 'npx tsx examples/full-platform/app.ts'
import { App } from 'aws-cdk-lib';
import { JsonSchemaType, Period } from 'aws-cdk-lib/aws-apigateway';
import { applySecurityChecks, GATE_APP_CONTEXT } from '../../lib/checks/apply-security-checks';
import { PlatformStage } from '../../lib/platform/platform-stage';

export function build(app: App): void {
  // Example values: replace them with your own before deploying.
  const prod = new PlatformStage(app, 'prod', {
    // 3 AZs, root + issuing CA for longer-lived client certificates, 2-year logs, alarms must reach someone.
    profile: 'prod',
    // Prefix list ids (and certificates) belong to one region: pin it. The account stays open (resolved at deploy).
    env: { region: 'eu-west-1' },
    serviceDomain: 'internal.example.com',
    serviceCertificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    s3PrefixListId: 'pl-6da54004', // com.amazonaws.eu-west-1.s3
    dynamoDbPrefixListId: 'pl-6fa54006', // com.amazonaws.eu-west-1.dynamodb: the orders table is reached through the gateway endpoint
    // Clients present a certificate from the platform CA (csm-certs issue) on api.example.com; the execute-api
    // endpoint is switched off, so no caller can skip the certificate and its revocation check.
    mutualTls: {
      domainName: 'api.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000002',
    },
    // Each API key belongs to one tier; a tier caps both the burst a client can send and its monthly volume.
    usageTiers: {
      free: { rateLimit: 5, burstLimit: 10, quota: 10_000, quotaPeriod: Period.MONTH },
      standard: { rateLimit: 50, burstLimit: 100, quota: 1_000_000, quotaPeriod: Period.MONTH },
      premium: { rateLimit: 200, burstLimit: 400, quota: 20_000_000, quotaPeriod: Period.MONTH },
    },
    alarmEmails: ['security-oncall@example.com', 'platform-team@example.com'],
    firewall: { rateLimitPerIp: 2000 }, // per client IP over 5 minutes; partners behind one NAT need headroom
    // ABAC: administrators set custom:tenant on each user; the token carries it as "tenant" and every service
    // receives it as the x-user-tenant header, set by the integration from the verified token (clients cannot).
    userAttributeClaims: ['tenant'],
  });
  const platform = prod.platform;

  // orders: keeps orders in its own DynamoDB table (customer key, PITR, deletion protection).
  platform.addService('orders', {
    imageTag: '3.2.0',
    table: true,
    cpu: 512,
    memoryLimitMiB: 1024,
    // No endpoint configuration: payments' allowFrom gives orders PAYMENTS_URL and PAYMENTS_REQUEST_TIMEOUT_MS.
    routes: [
      { version: 'v1', path: '/orders/{id}', method: 'GET', scopes: ['api/orders.read'] },
      {
        // Bodies are validated at the edge: unknown fields and out-of-range quantities never reach the service.
        version: 'v1',
        path: '/orders',
        method: 'POST',
        scopes: ['api/orders.write'],
        throttle: { rateLimit: 10, burstLimit: 20 }, // order creation is the expensive path: tighter than the stage's 50 rps
        requestModel: {
          type: JsonSchemaType.OBJECT,
          required: ['sku', 'quantity'],
          properties: {
            sku: { type: JsonSchemaType.STRING, pattern: '^[A-Z0-9-]{4,32}$' },
            quantity: { type: JsonSchemaType.INTEGER, minimum: 1, maximum: 100 },
            note: { type: JsonSchemaType.STRING, maxLength: 256 },
          },
          additionalProperties: false,
        },
      },
    ],
    // The warehouse system reads orders with its own client-credentials client (no user involved).
    machineClients: { 'fulfilment-worker': ['api/orders.read'] },
  });

  // payments: stores receipts in its own bucket; only orders may call it: a VPC Lattice service with IAM auth whose
  // auth policy names the orders task role, so any other caller is refused even from inside the VPC.
  platform.addService('payments', {
    imageTag: '1.8.4',
    // Single region on purpose, and said so: the reason shows at synth and in the security report.
    bucket: {
      withoutReplication: { reason: 'Receipts are also delivered to the finance system of record; this bucket is a regional working copy.' },
    },
    allowFrom: ['orders'],
    scopes: ['read'], // payments are created by orders inside the VPC, so the API exposes reads only
    routes: [{ version: 'v1', path: '/payments/{id}', method: 'GET', scopes: ['api/payments.read'] }],
    machineClients: { 'finance-reporting': ['api/payments.read'] },
  });

  // catalog: reads need merchandising/catalog.read, writes merchandising/catalog.write (the merchandising back
  // office; its own scope group, i.e. resource server). No public route: even product reads need a token, so every
  // caller is known and throttled by its API key.
  platform.addService('catalog', {
    imageTag: '2.0.1',
    scopes: ['read', 'write'],
    scopeGroup: 'merchandising',
    routes: [
      { version: 'v1', path: '/products', method: 'GET', scopes: ['merchandising/catalog.read'] },
      { version: 'v1', path: '/products/{id}', method: 'GET', scopes: ['merchandising/catalog.read'] },
      {
        version: 'v1',
        path: '/products/{id}',
        method: 'PUT',
        scopes: ['merchandising/catalog.write'],
        requestModel: {
          type: JsonSchemaType.OBJECT,
          required: ['name', 'priceCents'],
          properties: {
            name: { type: JsonSchemaType.STRING, minLength: 1, maxLength: 128 },
            priceCents: { type: JsonSchemaType.INTEGER, minimum: 0 },
          },
          additionalProperties: false,
        },
      },
    ],
    // The storefront backend browses the catalog and places orders on behalf of shoppers.
    machineClients: { storefront: ['merchandising/catalog.read', 'api/orders.write'] },
  });

  // Roles for people (RBAC): Cognito groups whose members' access tokens carry only the role's scopes, so each route's
  // scope check is a role check. The back-office app may request all of them; a reader's token still gets reads only.
  const admin = ['api/orders.read', 'api/orders.write', 'api/payments.read', 'merchandising/catalog.read', 'merchandising/catalog.write'];
  platform.identity.addRole('admin', { scopes: admin, description: 'Operations staff: manage orders and the catalog', precedence: 0 });
  platform.identity.addRole('reader', {
    scopes: ['api/orders.read', 'api/payments.read', 'merchandising/catalog.read'],
    description: 'Support staff: look up orders, payments and products',
    precedence: 1,
  });
  platform.identity.addUserClient('back-office', {
    callbackUrls: ['https://backoffice.example.com/callback'],
    logoutUrls: ['https://backoffice.example.com/'],
    scopes: admin,
  });

  // Partners get an API key in their tier (handed over out of band; the key identifies, the token authorizes).
  platform.api.addApiKeyToTier('premium', 'AcmeRetail');
  platform.api.addApiKeyToTier('free', 'DemoPartner');
  applySecurityChecks(app);
}

if (require.main === module) {
  const app = new App({ postCliContext: GATE_APP_CONTEXT }); // outdir and context come from the CDK CLI
  build(app);
  app.synth();
}
