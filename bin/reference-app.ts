import { App, Stack, StackProps, Stage, StageProps } from 'aws-cdk-lib';
import { AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { applySecurityChecks } from '../lib/checks/apply-security-checks';
import { PlatformKeys } from '../lib/encryption/platform-keys';
import { PrivateNetwork } from '../lib/network/private-network';
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
  }
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
