import { App } from 'aws-cdk-lib';
import { applySecurityChecks } from '../lib/checks/apply-security-checks';
import { ENVIRONMENT_NAME_PATTERN, MutualTlsOptions } from '../lib/platform/secure-microservice-platform';
import { PlatformStage } from '../lib/platform/platform-stage';
import { PlatformProfileName } from '../lib/platform/profiles';

/**
 * Settings of one environment: context `platform` (shared) overlaid with `environments.<env>` (cdk.json).
 * cdk.json carries documented example values; replace them with yours before deploying.
 */
export interface ReferenceEnvironment {
  /** `dev` or `prod` (PLATFORM_PROFILES). */
  readonly profile?: PlatformProfileName;
  readonly account?: string;
  readonly region?: string;
  /**
   * AZ names of `region` in `account` (e.g. eu-west-1a, eu-west-1b, eu-west-1c). A stage with an account and region
   * makes aws-cdk-lib look these up at synth time, which needs AWS credentials; given here, synth stays offline.
   * The templates use Fn::GetAZs either way.
   */
  readonly availabilityZones?: string[];
  readonly serviceDomain?: string;
  readonly serviceCertificateArn?: string;
  readonly s3PrefixListId?: string;
  readonly dynamoDbPrefixListId?: string;
  readonly mutualTls?: MutualTlsOptions;
  readonly alarmEmails?: string[];
  /** This environment sets the account's API Gateway CloudWatch Logs role (one environment per account and region). */
  readonly manageAccountCloudWatchRole?: boolean;
  /** Turn on after the first successful deploy (a protected load balancer cannot be rolled back). */
  readonly loadBalancerDeletionProtection?: boolean;
}

const REQUIRED: readonly (keyof ReferenceEnvironment)[] = ['serviceDomain', 'serviceCertificateArn'];
/** Regional values: they belong to one environment, next to its region, never to the shared block. */
const PER_REGION: readonly (keyof ReferenceEnvironment)[] = ['region', 's3PrefixListId', 'dynamoDbPrefixListId'];

export interface ReferenceAppOptions {
  /**
   * Register the security gate on the app (bench/run.ts turns it off to time synth alone).
   * @default true
   */
  readonly securityChecks?: boolean;
}

/**
 * Builds the reference app: one PlatformStage for the environment named by context `env` (default `dev`), with
 * two demo services (orders, payments) behind the mTLS API, and the security gate on the whole app.
 */
export function createReferenceApp(app: App, options: ReferenceAppOptions = {}): PlatformStage {
  const envName = String(app.node.tryGetContext('env') ?? 'dev');
  if (!ENVIRONMENT_NAME_PATTERN.test(envName)) {
    throw new Error(
      `Invalid context env (received "${envName}"): environment names are lower-case letters, digits and "-", starting with a letter, at most 16 characters. Fix: run with -c env=dev (or another name under "environments" in cdk.json).`,
    );
  }
  const environments = (app.node.tryGetContext('environments') ?? {}) as Record<string, ReferenceEnvironment>;
  if (!Object.prototype.hasOwnProperty.call(environments, envName)) {
    const known = Object.keys(environments);
    throw new Error(
      `Unknown environment "${envName}" (context env): cdk.json defines ${known.length ? known.map((k) => `"${k}"`).join(', ') : 'no environments'}. Fix: run with -c env=${known[0] ?? 'dev'}, or add "${envName}" under "environments" in cdk.json.`,
    );
  }
  const shared = (app.node.tryGetContext('platform') ?? {}) as ReferenceEnvironment;
  const own = environments[envName] ?? {};
  const sharedRegional = PER_REGION.filter((k) => shared[k] !== undefined);
  if (sharedRegional.length > 0) {
    throw new Error(
      `Context platform.${sharedRegional.join(', platform.')} is shared by every environment, but prefix list ids differ per region. Fix: move them under "environments.<env>" next to each environment's "region" (cdk.json).`,
    );
  }
  const settings: ReferenceEnvironment = { ...shared, ...own };
  const missing = [
    ...REQUIRED.filter((k) => typeof settings[k] !== 'string' || settings[k] === '').map((k) => `platform.${k}`),
    ...PER_REGION.filter((k) => typeof own[k] !== 'string' || own[k] === '').map((k) => `environments.${envName}.${k}`),
  ];
  if (missing.length > 0) {
    throw new Error(
      `Missing context ${missing.join(', ')} for environment "${envName}". Fix: set them in cdk.json under "platform" (shared) or "environments.${envName}" (region and prefix lists: per environment; see the example values there).`,
    );
  }
  // The region is always pinned (the prefix lists belong to it); the account only when given.
  const env = { account: settings.account, region: settings.region };
  if (env.account && settings.availabilityZones) {
    app.node.setContext(`availability-zones:account=${env.account}:region=${env.region}`, settings.availabilityZones);
  }
  const stage = new PlatformStage(app, envName, {
    profile: settings.profile ?? 'dev',
    env,
    serviceDomain: settings.serviceDomain!,
    serviceCertificateArn: settings.serviceCertificateArn!,
    s3PrefixListId: settings.s3PrefixListId!,
    dynamoDbPrefixListId: settings.dynamoDbPrefixListId,
    mutualTls: settings.mutualTls,
    alarmEmails: settings.alarmEmails,
    manageAccountCloudWatchRole: settings.manageAccountCloudWatchRole,
    loadBalancerDeletionProtection: settings.loadBalancerDeletionProtection,
  });
  addDemoServices(stage);
  if (options.securityChecks ?? true) applySecurityChecks(app);
  return stage;
}

/** Two demo services: orders (table + bucket, two routes) and payments (bucket, called by orders through VPC Lattice with IAM auth). */
function addDemoServices(stage: PlatformStage): void {
  const platform = stage.platform;
  platform.addService('orders', {
    imageTag: '1.0.0',
    table: true,
    bucket: {
      withoutReplication: {
        reason: 'Demo service: order attachments are reproducible from the order table, which has point-in-time recovery and AWS Backup.',
      },
    },
    routes: [
      { version: 'v1', path: '/orders/{id}', method: 'GET', scopes: ['api/orders.read'] },
      {
        version: 'v1',
        path: '/orders',
        method: 'POST',
        scopes: ['api/orders.write'],
        requestModel: {
          type: 'object' as never,
          required: ['item', 'quantity'],
          properties: { item: { type: 'string' as never, maxLength: 64 }, quantity: { type: 'integer' as never, minimum: 1, maximum: 1000 } },
          additionalProperties: false,
        },
      },
    ],
    machineClients: { 'billing-service': ['api/orders.read'] },
  });
  platform.addService('payments', {
    imageTag: '1.0.0',
    bucket: {
      withoutReplication: { reason: 'Demo service: payment receipts are a regional working copy; the payment provider keeps the record of truth.' },
    },
    allowFrom: ['orders'],
    routes: [{ version: 'v1', path: '/payments/{id}', method: 'GET', scopes: ['api/payments.read'] }],
  });
}
