import { Annotations, Aws, CfnElement, CfnOutput, Duration, Fn, NestedStack, Stack, Token } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ApiFirewall, ApiFirewallProps } from '../api/api-firewall';
import { ApiResourcePolicyOptions, RouteOptions, SecureApi, UsageTierOptions } from '../api/secure-api';
import { MAX_LISTENERS_PER_NLB, PrivateIntegrationGateway } from '../compute/private-integration-gateway';
import { createExecutionRole, createServiceConnectTlsRole, SecureFargateService, SecureFargateServiceProps } from '../compute/secure-fargate-service';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { ServiceNetwork } from '../compute/service-network';
import { PlatformKeys } from '../encryption/platform-keys';
import { acknowledgeFinding } from '../core/acknowledge';
import { subscribeEmails } from '../core/dead-letter-queue';
import { toRetentionDays } from '../core/retention';
import { invalidProp } from '../private/errors';
import { viaService } from '../private/key-use';
import { DEFAULT_LOG_RETENTION_FLOOR_DAYS, LOG_RETENTION_FLOOR_METADATA_TYPE } from '../private/metadata';
import { PlatformIdentity } from '../identity/platform-identity';
import { PrivateNetwork } from '../network/private-network';
import { ClientCertificateAuthorizer } from '../pki/client-certificate-authorizer';
import { MutualTlsDomain } from '../pki/mutual-tls-domain';
import { clientCertificateIssueStatements, PrivateCertificateAuthority } from '../pki/private-certificate-authority';
import { RevocationSync } from '../pki/revocation-sync';
import { Truststore } from '../pki/truststore';
import { PlatformRegistry } from '../registry/platform-registry';
import { ScanFindingAlerts } from '../registry/scan-finding-alerts';
import { SecureRepository } from '../registry/secure-repository';
import { SecureBucket, SecureBucketReplication } from '../storage/secure-bucket';
import { recordOptOut, SecurityOptOut } from '../core/opt-out';
import { SecureTable } from '../storage/secure-table';
import { IDLE_COST_BUDGET_METADATA_TYPE } from '../cost/idle-cost';
import { PLATFORM_PROFILES, PlatformProfile } from './profiles';
import { ENVIRONMENT_NAME_PATTERN, SERVICE_NAME_PATTERN, SERVICE_NAME_PROBLEM, wholeDays, wholeNumber } from '../private/validation';

/** An existing VPC to run the services in instead of a new PrivateNetwork. */
export interface ExistingNetwork {
  readonly vpc: ec2.IVpc;
  /** Security group of the VPC's interface endpoints (services open 443 to it). */
  readonly endpoints: ec2.IConnectable;
  /**
   * Subnets for services and load balancers.
   * @default - the VPC's isolated subnets
   */
  readonly serviceSubnets?: ec2.SubnetSelection;
}

/**
 * An existing private CA instead of a new PrivateCertificateAuthority. It must already be active and carry the tag
 * `AmazonECSManaged=true` (ECS Service Connect TLS may only use CAs with it).
 */
export interface ExistingCertificateAuthority {
  readonly certificateAuthority: acmpca.ICertificateAuthority;
  /** PEM of the CA certificate chain (the mTLS truststore). */
  readonly chainPem: string;
}

/** The custom domain where clients present certificates from the platform CA. */
export interface MutualTlsOptions {
  readonly domainName: string;
  /** ARN of the server certificate in ACM (imported by ARN into the platform's stack). */
  readonly certificateArn: string;
  /**
   * ARN of a public ACM certificate proving domain ownership, needed when the server certificate is not a public
   * ACM one.
   * @default - none
   */
  readonly ownershipVerificationCertificateArn?: string;
  /**
   * Accept tokens with any valid client certificate instead of only with a certificate bound to the token's client
   * (`csm-certs issue --client-id`); see ClientCertificateAuthorizerProps.withoutCertificateBinding.
   * @default - binding required
   */
  readonly withoutCertificateBinding?: SecurityOptOut;
  /**
   * Public hosted zone of `domainName`: the platform creates the alias record to the domain's regional endpoint.
   * @default - no record; the outputs `DomainTarget` and `DomainTargetHostedZoneId` say where to point the name
   */
  readonly hostedZone?: route53.IHostedZone;
}

export interface SecureMicroservicePlatformProps {
  /** Short environment name (`dev`, `prod`): prefixes key aliases and the Cognito domain. */
  readonly environmentName: string;
  /**
   * AZs, retention, CA mode and alarm routing.
   * @default PLATFORM_PROFILES.dev
   */
  readonly profile?: PlatformProfile;
  /**
   * ARN of the ACM certificate for `*.<serviceDomain>` on the services' internal load balancers. A public ACM
   * certificate: API Gateway REST verifies integration certificates against public CAs.
   */
  readonly serviceCertificateArn: string;
  /** Domain the services' host names live under (`<service>.<serviceDomain>`). */
  readonly serviceDomain: string;
  /**
   * Id of the region's S3 managed prefix list (`com.amazonaws.<region>.s3`), for ECR image layers. Ids differ per
   * region: `aws ec2 describe-managed-prefix-lists --region <region> --filters Name=prefix-list-name,Values=com.amazonaws.<region>.s3`.
   */
  readonly s3PrefixListId: string;
  /**
   * Id of the region's DynamoDB managed prefix list (`com.amazonaws.<region>.dynamodb`): services with a table get
   * egress to it (the DynamoDB gateway endpoint). Required once a service has a table.
   * @default - none; addService with `table` is refused
   */
  readonly dynamoDbPrefixListId?: string;
  /**
   * Serve the API on a custom domain with mutual TLS against the platform CA; the execute-api endpoint is then
   * disabled and every route is authorized by ClientCertificateAuthorizer (token, scopes and revocation).
   * @default - no custom domain; the Cognito authorizer checks token and scopes
   */
  readonly mutualTls?: MutualTlsOptions;
  /**
   * Usage tiers of the API (API keys are required on every route).
   * @default { standard: 50 rps, burst 100, 1,000,000 requests a month }
   */
  readonly usageTiers?: Record<string, UsageTierOptions>;
  /**
   * Source conditions of the API's resource policy (client IP ranges, execute-api VPC endpoints). Every platform API
   * allows invoking its stage only and denies everything else.
   * @default - any source (tokens, API keys and WAF decide)
   */
  readonly apiResourcePolicy?: ApiResourcePolicyOptions;
  /**
   * E-mail addresses that receive the API and image-finding alarms. Required by profiles with `requireAlarmRouting`.
   * @default - none
   */
  readonly alarmEmails?: string[];
  /**
   * WAF settings (rate limit, lists, Bot Control).
   * @default - ApiFirewall defaults
   */
  readonly firewall?: Omit<ApiFirewallProps, 'logsKey' | 'logRetention'>;
  /**
   * Let this platform set the account-wide API Gateway CloudWatch Logs role (needed once per account and region
   * for execution logs; another stack or team may already own it).
   * @default false - the account setting must already exist
   */
  readonly manageAccountCloudWatchRole?: boolean;
  /**
   * Services per nested stack: each nested stack holds whole services (repository, service, storage, machine
   * clients) and one execution role they share, and stays under CloudFormation's 500-resource limit.
   * @default 8
   */
  readonly servicesPerStack?: number;
  /**
   * Services per shared internal load balancer and VPC link (`PrivateIntegrationGateway`, in the platform's stack,
   * `PrivateIntegration<n>`): the k-th service of a gateway (from 0) listens on port 8443 + k. An NLB holds up to
   * 50 listeners, and REST VPC links are 20 per account and Region by default, so 50 lets 300 services use 6.
   * @default 50
   */
  readonly servicesPerGateway?: number;
  /**
   * Deletion protection of the services' shared load balancers. Off for the first deploy: a protected load balancer
   * cannot be deleted by a rollback, so a failed create would end in ROLLBACK_FAILED. Turn it on (the reference app:
   * `loadBalancerDeletionProtection: true` in cdk.json) and deploy again once the platform exists; a load balancer a
   * later update adds is then created protected.
   * @default false
   */
  readonly loadBalancerDeletionProtection?: boolean;
  /** @default - a new PrivateNetwork */
  readonly existingNetwork?: ExistingNetwork;
  /** @default - a new PlatformIdentity user pool */
  readonly existingUserPool?: cognito.IUserPool;
  /**
   * Prefix of the Cognito domain (`<prefix>.auth.<region>.amazoncognito.com`, the OAuth token endpoint). Prefixes are
   * global across all AWS customers.
   * @default `csm-<environmentName>-<account id>` (unique per account and environment)
   */
  readonly cognitoDomainPrefix?: string;
  /** @default - a new PrivateCertificateAuthority */
  readonly existingCertificateAuthority?: ExistingCertificateAuthority;
  /**
   * Where the services' image repositories live: a PlatformRegistry in a stack that deploys before this one
   * (PlatformStage passes its `<env>/Registry`). A service cannot start before its image is pushed, and the image
   * cannot be pushed before the repository exists.
   * @default - each repository is created in its service's nested stack; a first deploy then fails unless the
   * images already exist under `<environmentName>/<service>` (synth warns)
   */
  readonly registry?: PlatformRegistry;
  /**
   * Have the platform CA publish a CRL to a private bucket (see PrivateCertificateAuthorityProps.publishCrl: no relying
   * party of the platform reads one; the mTLS authorizer's deny-list is what refuses revoked certificates).
   * @default false
   */
  readonly publishCrl?: boolean;
  /**
   * Attribute-based access control: user attributes only administrators can set (`custom:<name>`), copied into
   * access-token claims by the identity's pre-token-generation trigger and forwarded to every service as the request
   * header `x-user-<name>`. The integration sets the header from the authorizer's verified claims, replacing any
   * header of that name the client sent, so a service can trust it (e.g. to scope data to a tenant).
   * @default - none
   */
  readonly userAttributeClaims?: string[];
  /**
   * Id of the region's `com.amazonaws.<region>.vpc-lattice` managed prefix list, used for service-to-service egress
   * and ingress rules when a service has `allowFrom`.
   * @default - the link-local range 169.254.171.0/24
   */
  readonly latticePrefixListId?: string;
}

/**
 * A route of a service on the platform's API: `version`, `path`, `method`, `requestModel` and `throttle` are
 * `SecureApi.addRoute`'s (RouteOptions); the platform supplies the integration (the service) and the authorizer,
 * and never serves a route without scopes.
 */
export interface PlatformRoute extends Pick<RouteOptions, 'version' | 'path' | 'method' | 'requestModel' | 'throttle'> {
  /**
   * OAuth scopes (`<scopeGroup>/<service>.<scope>`, e.g. `api/orders.read`), any of which grants the route; required
   * (a platform route is never public).
   */
  readonly scopes: string[];
  /**
   * Path on the service.
   * @default - the API path
   */
  readonly backendPath?: string;
}

/** The replication decision for a service's bucket (one of the two is required). */
export interface PlatformBucketOptions {
  /** @default - none; withoutReplication must say why */
  readonly replication?: SecureBucketReplication;
  /** @default - none; replication must be given */
  readonly withoutReplication?: SecurityOptOut;
}

/**
 * A service of the platform: the image, its scopes, routes, clients, storage and callers; `cpu`, `memoryLimitMiB`,
 * `cpuArchitecture`, `environment`, `secrets` and `containerHealthCheckCommand` are SecureFargateService's and passed
 * to it as given.
 */
export interface PlatformServiceOptions extends Pick<
  SecureFargateServiceProps,
  'cpu' | 'memoryLimitMiB' | 'cpuArchitecture' | 'environment' | 'secrets' | 'containerHealthCheckCommand'
> {
  /** Immutable image tag (or use `imageDigest`). */
  readonly imageTag?: string;
  /** `sha256:<64 hex>`. */
  readonly imageDigest?: string;
  /**
   * Scopes the service publishes: clients request `<scopeGroup>/<service>.<scope>` (e.g. `api/orders.read`).
   * @default ['read', 'write']
   */
  readonly scopes?: string[];
  /**
   * The Cognito resource server the service's scopes are published under (lower-case letters, digits and "-").
   * Services share resource servers: Cognito allows 100 scopes per resource server and 25 resource servers per
   * user pool by default, so group services by domain or team, at most 100 scopes a group.
   * @default 'api'
   */
  readonly scopeGroup?: string;
  /** @default - none */
  readonly routes?: PlatformRoute[];
  /**
   * Client-credentials clients to create, by name, with the scopes each may request.
   * @default - none
   */
  readonly machineClients?: Record<string, string[]>;
  /**
   * A SecureBucket the task role may read and write; say whether it replicates to another region
   * (`{ replication }`) or why one region is enough (`{ withoutReplication: { reason } }`).
   * @default - no bucket
   */
  readonly bucket?: PlatformBucketOptions;
  /**
   * A SecureTable (partition key `pk`, sort key `sk`, strings) the task role may read and write.
   * @default false
   */
  readonly table?: boolean;
  /**
   * Names of services (added earlier) that may call this one. Each call goes through VPC Lattice with IAM auth: the
   * service's auth policy admits exactly these services' task roles, so any other caller is refused, even from
   * inside the VPC. Callers find the service in `<NAME>_URL` and sign requests with SigV4 (`vpc-lattice-svcs`).
   * @default - none: no service may call it
   */
  readonly allowFrom?: string[];
  /**
   * Idle timeout of calls from `allowFrom` services (VPC Lattice closes idle connections to the targets), 1 s – 10 min.
   * @default Duration.seconds(60)
   */
  readonly callIdleTimeout?: Duration;
  /**
   * Per-request deadline the `allowFrom` callers get as `<NAME>_REQUEST_TIMEOUT_MS`, 100 ms – 5 min.
   * @default Duration.seconds(10)
   */
  readonly callRequestTimeout?: Duration;
  /**
   * Tasks started on deploy (SecureFargateService's `desiredCount`, with the platform profile's default).
   * @default - the profile's desiredCount
   */
  readonly desiredCount?: number;
}

/** What `addService` built. */
export interface PlatformService {
  readonly name: string;
  /** The nested stack holding the service's resources. */
  readonly stack: Stack;
  readonly repository: SecureRepository;
  readonly service: SecureFargateService;
  /** The resource server of the service's scope group (shared with the other services of the group). */
  readonly resourceServer: cognito.UserPoolResourceServer;
  /** The OAuth scopes the service publishes (`<scopeGroup>/<service>.<scope>`). */
  readonly scopes: readonly string[];
  readonly machineClients: Readonly<Record<string, cognito.UserPoolClient>>;
  readonly bucket?: SecureBucket;
  readonly table?: SecureTable;
  readonly routes: readonly apigw.Method[];
}

export { ENVIRONMENT_NAME_PATTERN };
const SCOPE_GROUP = /^[a-z][a-z0-9-]{0,62}$/;
/** The resource server of services that name no `scopeGroup`. */
export const DEFAULT_SCOPE_GROUP = 'api';
/** The first service of a gateway listens on 8443 of its shared load balancer, the next on 8444, … */
export const SERVICE_LISTENER_BASE_PORT = 8443;
/** Services receive each `userAttributeClaims` claim in the request header `x-user-<claim>`. */
export const USER_CLAIM_HEADER_PREFIX = 'x-user-';

/**
 * The whole platform in one construct: keys, private network, identity, private CA with truststore, API with
 * firewall (and optionally an mTLS domain), and `addService(name, …)` for each microservice — its image
 * repository, hardened Fargate service, routes and scopes, machine clients and storage grants. Services are grouped
 * into nested stacks so the platform grows past CloudFormation's per-stack limits (see BENCHMARKS.md).
 */
export class SecureMicroservicePlatform extends Construct {
  public readonly profile: PlatformProfile;
  public readonly keys: PlatformKeys;
  /** Absent when `existingNetwork` was given. */
  public readonly network?: PrivateNetwork;
  public readonly vpc: ec2.IVpc;
  public readonly identity: PlatformIdentity;
  /** Absent when `existingCertificateAuthority` was given. */
  public readonly ca?: PrivateCertificateAuthority;
  public readonly certificateAuthority: acmpca.ICertificateAuthority;
  public readonly truststore: Truststore;
  public readonly api: SecureApi;
  public readonly firewall: ApiFirewall;
  /** Present with `mutualTls`. */
  public readonly domain?: MutualTlsDomain;
  /** Present with `mutualTls`. */
  public readonly clientCertificateAuthorizer?: ClientCertificateAuthorizer;
  /**
   * Present with `mutualTls`: what `csm-certs` operators need (issue client certificates with the client template only,
   * revoke them, write and read the deny-list). Attach it to the operators' role or permission set.
   */
  public readonly certificateOperatorPolicy?: iam.ManagedPolicy;
  /** Present with `mutualTls`: revocations by any path (CloudTrail RevokeCertificate) reach the deny-list. */
  public readonly revocationSync?: RevocationSync;
  /** Receives API alarms and image-finding alerts. */
  public readonly alarmTopic: sns.ITopic;
  /** The domain of the services' internal host names (`<service>.<serviceDomain>`); recorded in api-model.json. */
  public readonly serviceDomain: string;
  /** Where clients call the API: the mTLS custom domain, or the stage URL (versions are base paths /v1, /v2, ...). */
  public readonly apiUrl: string;
  private readonly props: SecureMicroservicePlatformProps;
  private readonly endpoints: ec2.IConnectable;
  private readonly serviceSubnets?: ec2.SubnetSelection;
  private readonly servicesPerStack: number;
  private readonly servicesPerGateway: number;
  private readonly serviceStacks: { readonly stack: NestedStack; readonly executionRole: ManagedPolicyRole }[] = [];
  private readonly gateways: PrivateIntegrationGateway[] = [];
  private shared?: { readonly serviceConnectTlsRole: ManagedPolicyRole };
  private findingAlerts?: ScanFindingAlerts;
  private readonly serviceMap = new Map<string, PlatformService>();
  private callNetwork?: ServiceNetwork;

  constructor(scope: Construct, id: string, props: SecureMicroservicePlatformProps) {
    super(scope, id);
    this.props = props;
    this.serviceDomain = props.serviceDomain;
    this.profile = props.profile ?? PLATFORM_PROFILES.dev;
    this.servicesPerStack = props.servicesPerStack ?? 8;
    this.servicesPerGateway = props.servicesPerGateway ?? MAX_LISTENERS_PER_NLB;
    const alarmEmails = this.validate(props);
    this.refuseEmptyApi();
    const retention = this.profile.logRetention;
    this.keys = new PlatformKeys(this, 'Keys', { aliasPrefix: `platform/${props.environmentName}` });
    this.recordBroughtIn(props);
    this.network = props.existingNetwork ? undefined : this.createNetwork();
    const network = this.network
      ? { vpc: this.network.vpc, endpoints: this.network, serviceSubnets: this.network.serviceSubnets }
      : props.existingNetwork!;
    this.vpc = network.vpc;
    this.endpoints = network.endpoints;
    this.serviceSubnets = network.serviceSubnets;

    this.identity = new PlatformIdentity(this, 'Identity', {
      domainPrefix: props.cognitoDomainPrefix ?? Fn.join('-', ['csm', props.environmentName, Aws.ACCOUNT_ID]),
      existingUserPool: props.existingUserPool,
      logsKey: this.keys.logsKey,
      logRetention: retention,
      userAttributeClaims: props.userAttributeClaims,
    });

    const pki = this.createCertificateAuthority(props);
    this.ca = pki.ca;
    this.certificateAuthority = pki.certificateAuthority;
    const chainPem = pki.chainPem;
    this.truststore = new Truststore(this, 'Truststore', {
      certificateAuthority: this.certificateAuthority,
      caChainPem: chainPem,
      encryptionKey: this.keys.dataKey,
      logsKey: this.keys.logsKey,
    });

    const mtls = props.mutualTls ? this.createMutualTlsAuthorizer(props.mutualTls, props.userAttributeClaims) : undefined;
    this.clientCertificateAuthorizer = mtls?.authorizer;
    this.revocationSync = mtls?.revocationSync;
    this.api = this.createApi(props);
    this.alarmTopic = this.api.alarmTopic;
    subscribeEmails(this, this.alarmTopic, alarmEmails, {
      queueId: 'AlarmDeliveryDeadLetterQueue',
      encryptionKey: this.keys.dataKey,
      catches: 'the alarm e-mail subscriptions (alarms SNS could not deliver)',
    });
    this.firewall = new ApiFirewall(this, 'Firewall', { ...props.firewall, logsKey: this.keys.logsKey, logRetention: retention });
    this.firewall.associate(this.api.stage);
    this.api.addFirewallAlarm(this.firewall.metricBlockedRequests());

    this.domain = props.mutualTls ? this.createDomain(props.mutualTls) : undefined;
    this.certificateOperatorPolicy = this.clientCertificateAuthorizer
      ? this.createCertificateOperatorPolicy(this.clientCertificateAuthorizer)
      : undefined;
    this.apiUrl = this.addOutputs(props);
  }

  /** A platform without routes fails synth: its API would be empty (checked late, since services add routes after construction). */
  private refuseEmptyApi(): void {
    this.node.addValidation({
      validate: () =>
        this.api.routes.length === 0
          ? [
              `${this.node.path}: the platform has no route, so its API would be empty. Fix: add a service with at least one route, e.g. platform.addService('orders', { imageTag: '1.0.0', routes: [{ version: 'v1', path: '/orders', method: 'GET', scopes: ['api/orders.read'] }] }).`,
            ]
          : [],
    });
  }

  /** The platform's own private network, sized by the profile. */
  private createNetwork(): PrivateNetwork {
    return new PrivateNetwork(this, 'Network', {
      logsKey: this.keys.logsKey,
      availabilityZones: this.profile.availabilityZones,
      interfaceEndpointZones: this.profile.interfaceEndpointZones,
      flowLogRetention: this.profile.logRetention,
    });
  }

  /** The environment's API: environment-scoped names, the default usage tier, the mTLS authorizer when there is one. */
  private createApi(props: SecureMicroservicePlatformProps): SecureApi {
    return new SecureApi(this, 'Api', {
      // Environment-scoped names: API metrics (ApiName, Stage dimensions) and alarms of two platforms in one account
      // stay apart.
      apiName: `csm-${props.environmentName}-api`,
      stageName: props.environmentName.replace(/-/g, '_'),
      userPool: this.identity.userPool,
      logsKey: this.keys.logsKey,
      alarmTopicKey: this.keys.dataKey,
      accessLogRetention: this.profile.logRetention,
      usageTiers: props.usageTiers ?? { standard: { rateLimit: 50, burstLimit: 100, quota: 1_000_000, quotaPeriod: apigw.Period.MONTH } },
      disableExecuteApiEndpoint: props.mutualTls ? true : undefined,
      manageAccountCloudWatchRole: props.manageAccountCloudWatchRole,
      resourcePolicy: props.apiResourcePolicy,
      customAuthorizer: this.clientCertificateAuthorizer
        ? {
            authorizer: this.clientCertificateAuthorizer.authorizer,
            reason:
              'The mTLS path uses ClientCertificateAuthorizer, which verifies the Cognito access token and the route scopes itself and also refuses revoked client certificates; a Cognito authorizer cannot check revocation.',
          }
        : undefined,
    });
  }

  /** Checks the platform's props (invalidProp: prop, value, problem, fix), records budget and log floor; returns the alarm addresses. */
  private validate(props: SecureMicroservicePlatformProps): string[] {
    if (!ENVIRONMENT_NAME_PATTERN.test(props.environmentName)) {
      invalidProp(
        this,
        'environmentName',
        props.environmentName,
        'environment names are lower-case letters, digits and "-", starting with a letter, at most 16 characters',
        'use e.g. "dev" or "prod"',
      );
    }
    const budget = this.profile.idleMonthlyBudgetUsd;
    if (budget !== undefined) {
      if (!Number.isFinite(budget) || budget <= 0) {
        invalidProp(
          this,
          'profile.idleMonthlyBudgetUsd',
          budget,
          'an idle budget is a positive amount of USD per month',
          'use e.g. 150, or leave it out for no budget',
        );
      }
      this.node.addMetadata(IDLE_COST_BUDGET_METADATA_TYPE, { monthlyUsd: budget });
    }
    this.recordLogRetentionFloor();
    wholeNumber(this, 'servicesPerStack', this.servicesPerStack, {
      min: 1,
      max: 10,
      refuseTokens: true,
      problem: 'a nested stack holds 1 to 10 services (about 45 resources each, under the 500-resource limit)',
      fix: 'use a whole number between 1 and 10 (8 is the default)',
    });
    wholeNumber(this, 'servicesPerGateway', this.servicesPerGateway, {
      min: 1,
      max: MAX_LISTENERS_PER_NLB,
      refuseTokens: true,
      problem: `a shared load balancer holds 1 to ${MAX_LISTENERS_PER_NLB} listeners (one per service)`,
      fix: `use a whole number between 1 and ${MAX_LISTENERS_PER_NLB} (the default)`,
    });
    const alarmEmails = props.alarmEmails ?? [];
    if (this.profile.requireAlarmRouting && alarmEmails.length === 0) {
      invalidProp(
        this,
        'alarmEmails',
        alarmEmails,
        'this profile routes alarms, so someone must receive them',
        'give at least one address, e.g. ["security-oncall@example.com"]',
      );
    }
    for (const email of alarmEmails) {
      if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        invalidProp(this, 'alarmEmails', email, 'not an e-mail address', 'use an address such as "security-oncall@example.com"');
      }
    }
    for (const [prop, value] of [
      ['serviceCertificateArn', props.serviceCertificateArn],
      ['mutualTls.certificateArn', props.mutualTls?.certificateArn],
    ] as const) {
      if (value !== undefined && !Token.isUnresolved(value) && !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(value)) {
        invalidProp(this, prop, value, 'not an ACM certificate ARN', 'use arn:aws:acm:<region>:<account>:certificate/<id>');
      }
    }
    for (const [prop, value, service] of [
      ['s3PrefixListId', props.s3PrefixListId, 's3'],
      ['dynamoDbPrefixListId', props.dynamoDbPrefixListId, 'dynamodb'],
    ] as const) {
      if (value !== undefined && !Token.isUnresolved(value) && !/^pl-[0-9a-f]{8,17}$/.test(value)) {
        invalidProp(this, prop, value, 'not a managed prefix list id', prefixListLookup(service));
      }
    }
    return alarmEmails;
  }

  /** The given CA, or the platform's own hierarchy (root, and an issuing CA when the profile asks for one). */
  private createCertificateAuthority(props: SecureMicroservicePlatformProps): {
    ca?: PrivateCertificateAuthority;
    certificateAuthority: acmpca.ICertificateAuthority;
    chainPem: string;
  } {
    if (props.existingCertificateAuthority) {
      return { certificateAuthority: props.existingCertificateAuthority.certificateAuthority, chainPem: props.existingCertificateAuthority.chainPem };
    }
    const ca = new PrivateCertificateAuthority(this, 'Ca', {
      subject: { commonName: `Platform ${props.environmentName} Root CA`, organization: 'cdk-secure-microservices' },
      subordinate: this.profile.subordinateCa
        ? { subject: { commonName: `Platform ${props.environmentName} Issuing CA`, organization: 'cdk-secure-microservices' } }
        : undefined,
      usageMode: this.profile.caUsageMode,
      encryptionKey: this.keys.dataKey,
      // The services' Service Connect TLS uses the issuing CA.
      ecsServiceConnect: true,
      publishCrl: props.publishCrl,
    });
    return { ca, certificateAuthority: ca.certificateAuthority, chainPem: ca.chainPem };
  }

  /** The mTLS path's authorizer (token, route scopes, deny-list) and the sync that fills its deny-list from CA revocations. */
  private createMutualTlsAuthorizer(
    mutualTls: MutualTlsOptions,
    forwardedClaims?: string[],
  ): { authorizer: ClientCertificateAuthorizer; revocationSync: RevocationSync } {
    const authorizer = new ClientCertificateAuthorizer(this, 'ClientCertificateAuthorizer', {
      userPool: this.identity.userPool,
      encryptionKey: this.keys.dataKey,
      logsKey: this.keys.logsKey,
      forwardedClaims,
      withoutCertificateBinding: mutualTls.withoutCertificateBinding,
    });
    const revocationSync = new RevocationSync(this, 'RevocationSync', {
      certificateAuthority: this.certificateAuthority,
      denyList: authorizer.denyList,
      encryptionKey: this.keys.dataKey,
      logsKey: this.keys.logsKey,
    });
    return { authorizer, revocationSync };
  }

  /** The mTLS custom domain in front of the API, and where its DNS name must point. */
  private createDomain(mutualTls: MutualTlsOptions): MutualTlsDomain {
    const domain = new MutualTlsDomain(this, 'Domain', {
      restApi: this.api.restApi,
      stage: this.api.stage,
      truststore: this.truststore,
      domainName: mutualTls.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'DomainCertificate', mutualTls.certificateArn),
      ownershipVerificationCertificate: mutualTls.ownershipVerificationCertificateArn
        ? acm.Certificate.fromCertificateArn(this, 'OwnershipCertificate', mutualTls.ownershipVerificationCertificateArn)
        : undefined,
      hostedZone: mutualTls.hostedZone,
    });
    new CfnOutput(this, 'DomainTarget', {
      value: domain.regionalDomainName,
      description: `${mutualTls.domainName} must resolve here: CNAME to it, or a Route 53 alias A record with DomainTargetHostedZoneId`,
    });
    new CfnOutput(this, 'DomainTargetHostedZoneId', {
      value: domain.regionalHostedZoneId,
      description: 'hosted zone id of DomainTarget (Route 53 alias record)',
    });
    return domain;
  }

  /** What operators need for csm-certs (issue/revoke) and clients need to call the API; returns the API URL. */
  private addOutputs(props: SecureMicroservicePlatformProps): string {
    new CfnOutput(this, 'CertificateAuthorityArn', { value: this.certificateAuthority.certificateAuthorityArn, description: 'csm-certs --ca-arn' });
    if (this.clientCertificateAuthorizer) {
      new CfnOutput(this, 'CertificateOperatorPolicyArn', {
        value: this.certificateOperatorPolicy!.managedPolicyArn,
        description: 'attach to the roles that run csm-certs',
      });
      new CfnOutput(this, 'DenyListTableName', {
        value: this.clientCertificateAuthorizer.denyList.tableName,
        description: 'revoked client certificate serials (csm-certs revoke)',
      });
    }
    new CfnOutput(this, 'UserPoolId', {
      value: this.identity.userPool.userPoolId,
      description: 'machine clients: aws cognito-idp list-user-pool-clients / describe-user-pool-client (client secret)',
    });
    if (this.identity.domain) {
      new CfnOutput(this, 'TokenUrl', {
        value: `${this.identity.domain.baseUrl()}/oauth2/token`,
        description: 'OAuth 2.0 token endpoint (client_credentials)',
      });
    }
    const apiUrl = props.mutualTls ? `https://${props.mutualTls.domainName}` : this.api.restApi.urlForPath('/');
    new CfnOutput(this, 'ApiUrl', { value: apiUrl, description: 'the platform API (versions are base paths /v1, /v2, ...)' });
    return apiUrl;
  }

  private createCertificateOperatorPolicy(authorizer: ClientCertificateAuthorizer): iam.ManagedPolicy {
    const caArn = this.certificateAuthority.certificateAuthorityArn;
    return new iam.ManagedPolicy(this, 'CertificateOperatorPolicy', {
      description: `csm-certs (${this.props.environmentName}): issue client certificates (client template only), revoke and renew them, keep the deny-list, read the CRL`,
      statements: [
        ...clientCertificateIssueStatements(caArn, Stack.of(this).partition),
        // Revoke; the CA certificate bounds a deny-list entry's expiry when the certificate itself is unknown.
        new iam.PolicyStatement({ actions: ['acm-pca:RevokeCertificate', 'acm-pca:GetCertificateAuthorityCertificate'], resources: [caArn] }),
        new iam.PolicyStatement({ actions: ['dynamodb:PutItem', 'dynamodb:GetItem'], resources: [authorizer.denyList.tableArn] }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [this.keys.dataKey.keyArn],
          conditions: viaService('dynamodb', Stack.of(this).region),
        }),
        // `csm-certs status` reads the CA's CRL (SSE-KMS), when it publishes one.
        ...(this.ca?.crlBucket
          ? [
              // AWS Private CA writes crl/<CA id>.crl: exactly the issuing CA's.
              new iam.PolicyStatement({
                actions: ['s3:GetObject'],
                resources: [this.ca.crlBucket.arnForObjects(`crl/${Fn.select(1, Fn.split('/', caArn))}.crl`)],
              }),
              new iam.PolicyStatement({
                actions: ['kms:Decrypt'],
                resources: [this.keys.dataKey.keyArn],
                conditions: viaService('s3', Stack.of(this).region),
              }),
            ]
          : []),
      ],
    });
  }

  /** The services added so far, by name. */
  public get services(): ReadonlyMap<string, PlatformService> {
    return this.serviceMap;
  }

  /**
   * The profile's log retention floor, recorded for Platform-LogRetentionAboveFloor: a profile may raise the
   * gate's 90-day floor, never lower it, and its own retention must meet it.
   */
  private recordLogRetentionFloor(): void {
    const floor = wholeDays(
      this,
      'profile.minimumLogRetention',
      this.profile.minimumLogRetention ?? Duration.days(DEFAULT_LOG_RETENTION_FLOOR_DAYS),
      {
        min: DEFAULT_LOG_RETENTION_FLOOR_DAYS,
        refuseTokens: true,
        problem: `the gate keeps logs at least ${DEFAULT_LOG_RETENTION_FLOOR_DAYS} days; a profile may only raise that floor`,
        fix: `use Duration.days(n) with n a whole number of at least ${DEFAULT_LOG_RETENTION_FLOOR_DAYS}, e.g. Duration.days(365)`,
      },
    );
    const retention = toRetentionDays(this, 'profile.logRetention', this.profile.logRetention);
    if (!Token.isUnresolved(retention) && retention < floor) {
      invalidProp(
        this,
        'profile.logRetention',
        this.profile.logRetention.toString(),
        `below the profile's minimumLogRetention (${floor} days)`,
        `keep logs at least ${floor} days`,
      );
    }
    this.node.addMetadata(LOG_RETENTION_FLOOR_METADATA_TYPE, floor);
  }

  /** A VPC, user pool or CA brought in is judged outside this app: recorded as an opt-out naming what the gate no longer checks. */
  private recordBroughtIn(props: SecureMicroservicePlatformProps): void {
    const broughtIn: [unknown, string, string][] = [
      [props.existingNetwork, 'existingNetwork', 'isolated subnets, flow logs, endpoint policies and the closed default security group of the VPC'],
      [props.existingUserPool, 'existingUserPool', 'MFA, threat protection, password policy, sign-up and deletion protection of the user pool'],
      [props.existingCertificateAuthority, 'existingCertificateAuthority', 'revocation (CRL/OCSP), key algorithm and validity of the private CA'],
    ];
    for (const [given, prop, unchecked] of broughtIn) {
      if (given === undefined) continue;
      recordOptOut(this, prop, `gate checks of ${unchecked}`, {
        reason: `${prop} was given: that resource is defined outside this app, so the gate cannot check it; review those controls where it is defined.`,
      });
    }
  }

  /**
   * Adds a microservice: its SecureRepository, a hardened SecureFargateService (Service Connect TLS from the
   * platform CA, private integration from the API), its resource server and scopes, its routes on the API, its
   * machine clients and, on request, a SecureBucket and SecureTable granted to its task role.
   */
  public addService(name: string, options: PlatformServiceOptions): PlatformService {
    const { callers, scopeGroup } = this.validateService(name, options);
    // Published first: a full scope group (100 scopes) rejects the service before anything of it is built.
    const scopeNames = (options.scopes ?? ['read', 'write']).map((scopeName) => `${name}.${scopeName}`);
    const resourceServer = this.identity.addResourceServerScopes(scopeGroup, scopeNames);
    const { stack, executionRole } = this.stackForNextService();
    const scope = new Construct(stack, name);
    const { repository, service } = this.createService(scope, name, options, callers, executionRole);
    const machineClients: Record<string, cognito.UserPoolClient> = {};
    for (const [clientName, scopes] of Object.entries(options.machineClients ?? {})) {
      machineClients[clientName] = this.identity.addMachineClient(clientName, scopes, { scope });
    }
    const { bucket, table } = this.createServiceStorage(scope, name, service, options);
    const routes = this.addServiceRoutes(scope, service, options.routes ?? []);

    const scopes = scopeNames.map((scopeName) => `${scopeGroup}/${scopeName}`);
    const built: PlatformService = { name, stack, repository, service, resourceServer, scopes, machineClients, bucket, table, routes };
    this.serviceMap.set(name, built);
    return built;
  }

  /** Checks a service's name, callers, scope group and storage needs (invalidProp: prop, value, problem, fix). */
  private validateService(name: string, options: PlatformServiceOptions): { callers: SecureFargateService[]; scopeGroup: string } {
    if (!SERVICE_NAME_PATTERN.test(name)) invalidProp(this, 'addService.name', name, SERVICE_NAME_PROBLEM, 'use e.g. "orders"');
    if (this.serviceMap.has(name)) {
      invalidProp(this, 'addService.name', name, 'a service with this name already exists', 'give each service a unique name');
    }
    const callers = (options.allowFrom ?? []).map((caller) => {
      const found = this.serviceMap.get(caller);
      if (!found) {
        invalidProp(
          this,
          `addService("${name}").allowFrom`,
          caller,
          'no service of that name was added before this one',
          `add "${caller}" first, or use one of: ${[...this.serviceMap.keys()].join(', ') || '(none yet)'}`,
        );
      }
      return found.service;
    });
    const scopeGroup = options.scopeGroup ?? DEFAULT_SCOPE_GROUP;
    if (!SCOPE_GROUP.test(scopeGroup)) {
      invalidProp(
        this,
        `addService("${name}").scopeGroup`,
        scopeGroup,
        'scope groups are resource-server identifiers: lower-case letters, digits and "-", starting with a letter, at most 63 characters',
        'use a domain or team name such as "payments"',
      );
    }
    if (options.table && !this.props.dynamoDbPrefixListId) {
      invalidProp(
        this,
        'dynamoDbPrefixListId',
        undefined,
        `service "${name}" has a table, and its tasks reach DynamoDB only through the gateway endpoint, which the security group must name by its prefix list`,
        prefixListLookup('dynamodb'),
      );
    }
    return { callers, scopeGroup };
  }

  /** The service's repository and hardened SecureFargateService behind the next shared gateway, in `scope`. */
  private createService(
    scope: Construct,
    name: string,
    options: PlatformServiceOptions,
    callers: SecureFargateService[],
    executionRole: ManagedPolicyRole,
  ): { repository: SecureRepository; service: SecureFargateService } {
    const gateway = this.gatewayForNextService();
    // Listener port on the gateway's shared load balancer: 8443 + the service's index within its gateway.
    const listenerPort = SERVICE_LISTENER_BASE_PORT + (this.serviceMap.size % this.servicesPerGateway);
    const first = [...this.serviceMap.values()][0]?.service;
    const shared = this.sharedByServices();

    const repository = this.props.registry ? this.props.registry.repositoryFor(name) : this.repositoryInServiceStack(scope, name);
    const service = new SecureFargateService(scope, 'Service', {
      serviceName: name,
      image: { repository, tag: options.imageTag, digest: options.imageDigest },
      vpc: this.vpc,
      serviceSubnets: this.serviceSubnets,
      awsEndpoints: this.endpoints,
      s3PrefixList: ec2.PrefixList.fromPrefixListId(scope, 'S3PrefixList', this.props.s3PrefixListId),
      dynamoDbPrefixList:
        options.table && this.props.dynamoDbPrefixListId
          ? ec2.PrefixList.fromPrefixListId(scope, 'DynamoDbPrefixList', this.props.dynamoDbPrefixListId)
          : undefined,
      encryptionKey: this.keys.dataKey,
      logsKey: this.keys.logsKey,
      certificate: acm.Certificate.fromCertificateArn(scope, 'Certificate', this.props.serviceCertificateArn),
      tlsHostname: `${name}.${this.props.serviceDomain}`,
      certificateAuthority: this.certificateAuthority,
      certificateAuthorityActive: this.ca?.active,
      privateIntegration: { gateway, listenerPort },
      logRetention: this.profile.logRetention,
      desiredCount: options.desiredCount ?? this.profile.desiredCount,
      cpu: options.cpu,
      memoryLimitMiB: options.memoryLimitMiB,
      cpuArchitecture: options.cpuArchitecture,
      environment: options.environment,
      secrets: options.secrets,
      callers:
        callers.length > 0
          ? {
              entry: this.serviceNetworkForCalls().addService(name, { idleTimeout: options.callIdleTimeout }),
              services: callers,
              requestTimeout: options.callRequestTimeout,
            }
          : undefined,
      containerHealthCheckCommand: options.containerHealthCheckCommand,
      cluster: first?.cluster,
      namespace: first?.namespace,
      executionRole,
      serviceConnectTlsRole: shared.serviceConnectTlsRole,
    });
    return { repository, service };
  }

  /** The SecureBucket and SecureTable a service asked for, granted to its task role. */
  private createServiceStorage(
    scope: Construct,
    name: string,
    service: SecureFargateService,
    options: PlatformServiceOptions,
  ): { bucket?: SecureBucket; table?: SecureTable } {
    let bucket: SecureBucket | undefined;
    if (options.bucket) {
      bucket = new SecureBucket(scope, 'Bucket', { encryptionKey: this.keys.dataKey, ...options.bucket });
      bucket.grantReadWrite(service);
      const bucketId = Stack.of(bucket.bucket).getLogicalId(bucket.bucket.node.defaultChild as CfnElement);
      acknowledgeFinding(
        service.taskRole.policy!,
        `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        `The ${name} service owns this bucket (created for it by addService) and reads and writes any of its objects; the grant names the bucket and its key only.`,
      );
    }
    let table: SecureTable | undefined;
    if (options.table) {
      table = new SecureTable(scope, 'Table', {
        encryptionKey: this.keys.dataKey,
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      });
      table.grantReadWriteData(service);
    }
    return { bucket, table };
  }

  /** A service's routes on the API (in the service's nested stack), each allowed by the mTLS authorizer when there is one. */
  private addServiceRoutes(scope: Construct, service: SecureFargateService, routes: readonly PlatformRoute[]): apigw.Method[] {
    return routes.map((route) => {
      const added = this.api.addRoute({
        version: route.version,
        path: route.path,
        method: route.method,
        scopes: route.scopes,
        requestModel: route.requestModel,
        throttle: route.throttle,
        integration: service.integration(route.backendPath ?? route.path, { httpMethod: route.method, requestParameters: this.claimHeaders() }),
        // In the service's nested stack: the platform stack stays the same size however many routes there are.
        scope,
      });
      this.clientCertificateAuthorizer?.allowRoute(added.key, [...added.scopes]);
      return added.apiMethod;
    });
  }

  /**
   * `x-user-<claim>` request headers set from the authorizer's verified token claims (ABAC). A mapped header replaces
   * the one the client sent, so services never see a client-chosen value.
   */
  private claimHeaders(): Record<string, string> | undefined {
    const claims = this.props.userAttributeClaims ?? [];
    if (claims.length === 0) return undefined;
    return Object.fromEntries(
      claims.map((claim) => [
        `integration.request.header.${USER_CLAIM_HEADER_PREFIX}${claim}`,
        this.clientCertificateAuthorizer ? `context.authorizer.claim_${claim}` : `context.authorizer.claims.${claim}`,
      ]),
    );
  }

  /** The VPC Lattice service network of service-to-service calls (created with the first `allowFrom`). */
  public get serviceNetwork(): ServiceNetwork | undefined {
    return this.callNetwork;
  }

  private serviceNetworkForCalls(): ServiceNetwork {
    this.callNetwork ??= new ServiceNetwork(this, 'ServiceNetwork', {
      vpc: this.vpc,
      logsKey: this.keys.logsKey,
      logRetention: this.profile.logRetention,
      latticePrefixListId: this.props.latticePrefixListId,
    });
    return this.callNetwork;
  }

  /** The shared load balancers and VPC links (`PrivateIntegration<n>`), one per `servicesPerGateway` services. */
  public get privateIntegrationGateways(): readonly PrivateIntegrationGateway[] {
    return [...this.gateways];
  }

  /** Without a registry: the repository sits next to the service, which cannot start on a first deploy. */
  private repositoryInServiceStack(scope: Construct, name: string): SecureRepository {
    Annotations.of(scope).addWarningV2(
      'cdk-secure-microservices:repository-in-service-stack',
      `The image repository ${this.props.environmentName}/${name} is created in the same deployment as the service that pulls from it, so a first deploy fails (no image yet). Fix: pass registry (a PlatformRegistry in a stack deployed first; PlatformStage does this), or push the image before the service starts.`,
    );
    // One image-finding rule for the platform's repositories (the registry has its own).
    this.findingAlerts ??= new ScanFindingAlerts(this, 'ImageFindingAlerts', {
      topic: this.alarmTopic,
      topicKey: this.keys.dataKey,
      encryptionKey: this.keys.dataKey,
      repositoryPrefix: `${this.props.environmentName}/`,
    });
    return new SecureRepository(scope, 'Repository', {
      encryptionKey: this.keys.dataKey,
      repositoryName: `${this.props.environmentName}/${name}`,
      findingAlerts: this.findingAlerts,
    });
  }

  /** What every service shares: one Service Connect TLS role. */
  private sharedByServices(): { readonly serviceConnectTlsRole: ManagedPolicyRole } {
    this.shared ??= {
      serviceConnectTlsRole: createServiceConnectTlsRole(
        this,
        'ServiceConnectTlsRole',
        this.keys.dataKey,
        `cdk-secure-microservices ${this.props.environmentName}: Service Connect TLS certificates from the platform CA`,
      ),
    };
    return this.shared;
  }

  private stackForNextService(): { readonly stack: NestedStack; readonly executionRole: ManagedPolicyRole } {
    const index = Math.floor(this.serviceMap.size / this.servicesPerStack);
    if (!this.serviceStacks[index]) {
      const stack = new NestedStack(this, `Services${index + 1}`, {
        description: `cdk-secure-microservices ${this.props.environmentName}: services ${index * this.servicesPerStack + 1}-${(index + 1) * this.servicesPerStack}`,
      });
      // One execution role per stack: it pulls from, and logs to, this stack's services' repositories and log groups only.
      const executionRole = createExecutionRole(
        stack,
        'ExecutionRole',
        `cdk-secure-microservices ${this.props.environmentName} services ${index + 1}: image pull, logs, secrets`,
      );
      this.serviceStacks[index] = { stack, executionRole };
    }
    return this.serviceStacks[index];
  }

  private gatewayForNextService(): PrivateIntegrationGateway {
    const index = Math.floor(this.serviceMap.size / this.servicesPerGateway);
    this.gateways[index] ??= new PrivateIntegrationGateway(this, `PrivateIntegration${index + 1}`, {
      name: `${this.props.environmentName}-services-gateway${index + 1}`,
      vpc: this.vpc,
      subnets: this.serviceSubnets,
      deletionProtection: this.props.loadBalancerDeletionProtection,
    });
    return this.gateways[index];
  }
}

/** The fix for a missing or wrong prefix list id: the command that prints it for the target region. */
function prefixListLookup(service: 's3' | 'dynamodb'): string {
  return `set it to the id this prints for the target region: aws ec2 describe-managed-prefix-lists --region <region> --filters Name=prefix-list-name,Values=com.amazonaws.<region>.${service} --query 'PrefixLists[0].PrefixListId' --output text`;
}
