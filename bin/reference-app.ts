import { App, Stack, StackProps, Stage, StageProps } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { applySecurityChecks } from '../lib/checks/apply-security-checks';
import { SecureFargateService } from '../lib/compute/secure-fargate-service';
import { PlatformKeys } from '../lib/encryption/platform-keys';
import { PrivateNetwork } from '../lib/network/private-network';
import { SecureRepository } from '../lib/registry/secure-repository';
import { SecureBucket } from '../lib/storage/secure-bucket';
import { SecureTable } from '../lib/storage/secure-table';
import { ApiFirewall } from '../lib/api/api-firewall';
import { SecureApi, securityHeaderResponseParameters, securityHeadersMethodResponse } from '../lib/api/secure-api';
import { PlatformIdentity } from '../lib/identity/platform-identity';

/** Per-environment settings read from cdk.json context (`environments.<name>`). */
export interface ReferenceEnvironment {
  readonly account?: string;
  readonly region?: string;
  readonly availabilityZones?: number;
  readonly logRetentionDays?: number;
}

/** Context `runtime` (cdk.json): what the demo services need from outside this stack. */
export interface ReferenceRuntimeSettings {
  /** ARN of the platform's private CA (Service Connect TLS). */
  readonly certificateAuthorityArn: string;
  /** ARN of the ACM certificate for `*.<serviceDomain>` on the services' internal load balancers. */
  readonly certificateArn: string;
  /** Domain the services' host names live under (`orders.<serviceDomain>`). */
  readonly serviceDomain: string;
  /** Id of the region's S3 managed prefix list (`com.amazonaws.<region>.s3`) for ECR image layers. */
  readonly s3PrefixListId: string;
}

/** The reference platform of one environment. Later capabilities join this stack. */
export class ReferencePlatformStack extends Stack {
  public readonly keys: PlatformKeys;
  public readonly network: PrivateNetwork;
  /** Demo storage for services (issue #6). */
  public readonly demoBucket: SecureBucket;
  public readonly demoTable: SecureTable;
  public readonly identity: PlatformIdentity;
  public readonly api: SecureApi;
  public readonly firewall: ApiFirewall;
  /** Image repositories of the demo services. */
  public readonly repositories: { readonly orders: SecureRepository; readonly payments: SecureRepository };
  /** Demo services; API routes use `services.orders.integration('/orders')`. */
  public readonly services: { readonly orders: SecureFargateService; readonly payments: SecureFargateService };

  constructor(scope: Construct, id: string, settings: ReferenceEnvironment, props?: StackProps) {
    super(scope, id, props);
    this.keys = new PlatformKeys(this, 'Keys', { aliasPrefix: `platform/${Stage.of(this)?.stageName ?? 'dev'}` });
    this.network = new PrivateNetwork(this, 'Network', {
      logsKey: this.keys.logsKey,
      availabilityZones: settings.availabilityZones,
      flowLogRetentionDays: settings.logRetentionDays,
    });
    this.demoBucket = new SecureBucket(this, 'DemoBucket', { encryptionKey: this.keys.dataKey });
    this.demoTable = new SecureTable(this, 'DemoTable', {
      encryptionKey: this.keys.dataKey,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
    });

    this.identity = new PlatformIdentity(this, 'Identity', { domainPrefix: `csm-platform-${Stage.of(this)?.stageName ?? 'dev'}` });
    this.identity.addResourceServer('orders', ['read', 'write']);
    this.identity.addMachineClient('billing-service', ['orders/read']);
    this.api = new SecureApi(this, 'Api', {
      userPool: this.identity.userPool,
      logsKey: this.keys.logsKey,
      alarmTopicKey: this.keys.dataKey,
      accessLogRetentionDays: settings.logRetentionDays,
      usageTiers: { standard: { rateLimit: 20, burstLimit: 40, quota: 100_000, quotaPeriod: apigw.Period.MONTH } },
    });
    // Demo route: a mock backend until a service joins the platform.
    this.api.addRoute({
      version: 'v1',
      path: '/orders/{id}',
      method: 'GET',
      scopes: ['orders/read'],
      integration: new apigw.MockIntegration({
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        integrationResponses: [{ statusCode: '200', responseParameters: securityHeaderResponseParameters(), responseTemplates: { 'application/json': '{"id": "$input.params(\'id\')"}' } }],
      }),
      methodResponses: [securityHeadersMethodResponse()],
    });
    this.firewall = new ApiFirewall(this, 'Firewall', { logsKey: this.keys.logsKey, logRetentionDays: settings.logRetentionDays });
    this.firewall.associate(this.api.stage);
    this.api.addFirewallAlarm(this.firewall.metricBlockedRequests());

    const runtime = runtimeSettings(this);
    this.repositories = {
      orders: new SecureRepository(this, 'OrdersRepository', { encryptionKey: this.keys.dataKey, repositoryName: 'demo/orders' }),
      payments: new SecureRepository(this, 'PaymentsRepository', { encryptionKey: this.keys.dataKey, repositoryName: 'demo/payments' }),
    };
    const shared = {
      vpc: this.network.vpc,
      serviceSubnets: this.network.serviceSubnets,
      awsEndpoints: this.network,
      s3PrefixList: ec2.PrefixList.fromPrefixListId(this, 'S3PrefixList', runtime.s3PrefixListId),
      encryptionKey: this.keys.dataKey,
      logsKey: this.keys.logsKey,
      certificate: acm.Certificate.fromCertificateArn(this, 'ServiceCertificate', runtime.certificateArn),
      certificateAuthority: acmpca.CertificateAuthority.fromCertificateAuthorityArn(this, 'PlatformCa', runtime.certificateAuthorityArn),
      logRetentionDays: settings.logRetentionDays,
    };
    const orders = new SecureFargateService(this, 'OrdersService', {
      ...shared,
      serviceName: 'orders',
      image: { repository: this.repositories.orders, tag: '1.0.0' },
      tlsHostname: `orders.${runtime.serviceDomain}`,
    });
    const payments = new SecureFargateService(this, 'PaymentsService', {
      ...shared,
      serviceName: 'payments',
      image: { repository: this.repositories.payments, tag: '1.0.0' },
      tlsHostname: `payments.${runtime.serviceDomain}`,
      cluster: orders.cluster,
      namespace: orders.namespace,
      allowFrom: [orders],
    });
    this.services = { orders, payments };
  }
}

const RUNTIME_KEYS: readonly (keyof ReferenceRuntimeSettings)[] = ['certificateAuthorityArn', 'certificateArn', 'serviceDomain', 's3PrefixListId'];

function runtimeSettings(scope: Construct): ReferenceRuntimeSettings {
  const runtime = (scope.node.tryGetContext('runtime') ?? {}) as Partial<ReferenceRuntimeSettings>;
  const missing = RUNTIME_KEYS.filter((k) => typeof runtime[k] !== 'string' || runtime[k] === '');
  if (missing.length > 0) {
    throw new Error(`Missing context runtime.${missing.join(', runtime.')}. Fix: set them in cdk.json under "runtime" (see the example values there) or with -c.`);
  }
  return runtime as ReferenceRuntimeSettings;
}

/** One deployable environment of the reference platform. */
export class ReferenceStage extends Stage {
  public readonly platform: ReferencePlatformStack;

  constructor(scope: Construct, id: string, settings: ReferenceEnvironment, props?: StageProps) {
    super(scope, id, props);
    this.platform = new ReferencePlatformStack(this, 'Platform', settings);
  }
}

const ENV_NAME = /^[a-z][a-z0-9-]{0,15}$/;

/**
 * Builds the reference app: the environment name comes from context `env` (default `dev`), its settings from
 * context `environments.<env>`; the stack stays env-agnostic unless account and region are given there.
 */
export function createReferenceApp(app: App): ReferenceStage {
  const envName = String(app.node.tryGetContext('env') ?? 'dev');
  if (!ENV_NAME.test(envName)) {
    throw new Error(`Invalid context env (received "${envName}"): environment names are lower-case letters, digits and "-", starting with a letter, at most 16 characters. Fix: run with -c env=dev (or another name under "environments" in cdk.json).`);
  }
  const environments = (app.node.tryGetContext('environments') ?? {}) as Record<string, ReferenceEnvironment>;
  const settings = environments[envName] ?? {};
  const env = settings.account && settings.region ? { account: settings.account, region: settings.region } : undefined;
  const stage = new ReferenceStage(app, envName, settings, { env });
  applySecurityChecks(app);
  return stage;
}
