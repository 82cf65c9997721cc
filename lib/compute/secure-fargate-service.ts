import { CfnElement, Duration, Stack, Stage, Token } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as vpclattice from 'aws-cdk-lib/aws-vpclattice';
import { Construct, IConstruct, IDependable } from 'constructs';
import { acknowledgeFinding } from '../core/acknowledge';
import { isRootUser } from '../private/container-user';
import { invalidProp } from '../private/errors';
import { secretLikeValue } from '../private/secret-values';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { recordOptOut, SecurityOptOut } from '../core/opt-out';
import { createSecureLogGroup } from '../core/secure-log-group';
import { SecureRepository } from '../registry/secure-repository';
import { SERVICE_CALLS_METADATA_TYPE, ServiceCallsRecord } from '../private/metadata';
import { IServiceListenerHost, OwnLoadBalancer, PrivateIntegrationGateway, ServiceListener } from './private-integration-gateway';
import { ServiceNetworkEntry } from './service-network';
import { DNS_NAME_PATTERN, matching, SERVICE_NAME_PATTERN, SERVICE_NAME_PROBLEM, wholeNumber } from '../private/validation';

/** Which image a service runs: a tag or a digest of a SecureRepository. */
export interface ServiceImage {
  /** The repository the image comes from; must be a SecureRepository of the same app stage. */
  readonly repository: SecureRepository;
  /**
   * An immutable tag such as `1.4.2` (`latest` and empty tags are rejected).
   * @default - `digest` must be given
   */
  readonly tag?: string;
  /**
   * An image digest (`sha256:<64 hex>`), the strongest pin.
   * @default - `tag` must be given
   */
  readonly digest?: string;
}

export interface SecureFargateServiceProps {
  /** Name of the service: its Service Connect DNS name and port name (lower case, digits, '-'). */
  readonly serviceName: string;
  /** The image to run. */
  readonly image: ServiceImage;
  /** VPC of the service (use `PrivateNetwork.vpc`). */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the tasks and of the internal load balancer.
   * @default - the VPC's isolated subnets (use `PrivateNetwork.serviceSubnets`)
   */
  readonly serviceSubnets?: ec2.SubnetSelection;
  /**
   * The VPC interface endpoints the tasks reach AWS through (pass the `PrivateNetwork`); egress on 443 only to them.
   * Their security group must admit 443 from the service subnets (PrivateNetwork admits the VPC CIDR); no rule is
   * added to it per service.
   */
  readonly awsEndpoints: ec2.IConnectable;
  /**
   * S3's managed prefix list (`com.amazonaws.<region>.s3`): ECR serves image layers from S3 through the gateway
   * endpoint, and the task security group names it instead of opening egress to 0.0.0.0/0.
   */
  readonly s3PrefixList: ec2.IPrefixList;
  /**
   * DynamoDB's managed prefix list (`com.amazonaws.<region>.dynamodb`), for a service that uses a table through the
   * DynamoDB gateway endpoint: egress on 443 to it. Without it, a service in an isolated subnet cannot reach DynamoDB
   * (every call times out).
   * @default - no DynamoDB egress
   */
  readonly dynamoDbPrefixList?: ec2.IPrefixList;
  /** Customer managed key for data: ECS Exec sessions and the Service Connect TLS material. */
  readonly encryptionKey: kms.IKey;
  /** Customer managed key for the container, Service Connect and ECS Exec log groups. */
  readonly logsKey: kms.IKey;
  /** Certificate of the internal load balancer's TLS listener (e.g. `acm.PrivateCertificate` from the platform CA). */
  readonly certificate: acm.ICertificate;
  /**
   * Host name the certificate is issued for; API Gateway calls `https://<tlsHostname>/...` over the VPC link
   * (`https://<tlsHostname>:<listenerPort>/...` with `privateIntegration`).
   */
  readonly tlsHostname: string;
  /**
   * Private CA that issues the Service Connect TLS certificates (a short-lived-mode CA is recommended). It must carry
   * the tag `AmazonECSManaged=true`: the infrastructure role's AWS managed policy allows the PCA actions only on CAs
   * with that tag (PrivateCertificateAuthority `ecsServiceConnect: true` sets it).
   */
  readonly certificateAuthority: acmpca.ICertificateAuthority;
  /**
   * What makes the CA usable (e.g. `PrivateCertificateAuthority.active`): the service is created after it.
   * @default - no dependency (an existing CA that is already active)
   */
  readonly certificateAuthorityActive?: IDependable;
  /**
   * Port the application serves TLS on (load balancer target).
   * @default 8443
   */
  readonly containerPort?: number;
  /**
   * Port the Service Connect proxy listens on for calls from peers (TLS between proxies).
   * @default 15443
   */
  readonly serviceConnectPort?: number;
  /**
   * Fargate CPU units (256, 512, 1024, 2048, 4096, 8192, 16384).
   * @default 256
   */
  readonly cpu?: number;
  /**
   * Memory in MiB; must be a valid Fargate combination with `cpu`.
   * @default 512
   */
  readonly memoryLimitMiB?: number;
  /**
   * CPU architecture of the tasks. `ARM64` (Graviton) costs about 20% less per vCPU- and GB-hour on Fargate; the image
   * (and any image it is built from) must then be built for `linux/arm64` (or be a multi-arch image). The security
   * controls are the same on both (ECS Exec, Service Connect TLS, GuardDuty runtime monitoring).
   * @default ecs.CpuArchitecture.X86_64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * Plain (non-secret) environment variables. Names that look like secrets, and values that look like credentials
   * (URLs with user:password, well-known key formats, long random strings), are rejected: use `secrets`.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Secrets from Secrets Manager or SSM Parameter Store, injected at start.
   * @default - none
   */
  readonly secrets?: Record<string, ecs.Secret>;
  /**
   * User (and group) the container runs as; root is rejected (`root`, or uid 0 in any spelling: `0`, `00`, `0:0`).
   * @default '1000:1000'
   */
  readonly user?: string;
  /**
   * HTTPS path the load balancer checks.
   * @default '/health'
   */
  readonly healthCheckPath?: string;
  /**
   * Container health check command, run inside the image (so the tool it names must be in the image), e.g.
   * `['CMD', '/app/healthcheck']` or `['CMD-SHELL', 'curl -fsk https://localhost:8443/health || exit 1']`.
   * @default - no container health check: the load balancer checks `healthCheckPath` over HTTPS, which needs no
   * tool in the image (minimal and distroless images have no curl or shell)
   */
  readonly containerHealthCheckCommand?: string[];
  /**
   * Tasks started on deploy.
   * @default 2
   */
  readonly desiredCount?: number;
  /**
   * Lowest task count auto scaling keeps.
   * @default - desiredCount
   */
  readonly minCapacity?: number;
  /**
   * Highest task count auto scaling reaches.
   * @default - max(minCapacity, 4)
   */
  readonly maxCapacity?: number;
  /**
   * Average CPU utilization auto scaling aims for, in percent (10–90).
   * @default 60
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Callers admitted on the Service Connect port (other services' `connections`). Nothing else is.
   * @default - none
   */
  readonly allowFrom?: ec2.IConnectable[];
  /**
   * Cluster to run in. ECS Exec needs a cluster with KMS-encrypted, logged exec sessions (the default cluster).
   * PlatformChecks requires a Fargate cluster to encrypt task ephemeral storage with a customer key.
   * @default - a new cluster with enhanced Container Insights, an encrypted, logged ECS Exec configuration and
   * Fargate ephemeral storage encrypted with `encryptionKey`
   */
  readonly cluster?: ecs.ICluster;
  /**
   * Cloud Map HTTP namespace for Service Connect (share it between services that call each other).
   * @default - a new HTTP namespace `<serviceName>.internal`
   */
  readonly namespace?: servicediscovery.INamespace;
  /**
   * Log retention (whole days, a finite CloudWatch Logs value: ALLOWED_RETENTION_DAYS).
   * @default Duration.days(365)
   */
  readonly logRetention?: Duration;
  /**
   * Turn ECS Exec on (off by default). Sessions are KMS-encrypted and logged; the reason is recorded.
   * @default - ECS Exec off
   */
  readonly allowExecuteCommand?: SecurityOptOut;
  /**
   * Bucket for the load balancer's access logs (TLS handshakes and connections), e.g. a SecureBucket's `bucket`.
   * Needs a stack with a concrete region.
   * @default - none: API Gateway access logs record every request and VPC flow logs every connection
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Share an internal load balancer and VPC link with other services instead of creating one of each: the service
   * adds its own TLS listener (with `certificate`) on `listenerPort` of the gateway's NLB and its target group, and
   * `integration()` calls `https://<tlsHostname>:<listenerPort><path>` over the gateway's VPC link. Each service of
   * a gateway needs its own port (1–65535); a gateway holds at most 50 listeners.
   * @default - a load balancer (listener on 443) and a VPC link of the service's own
   */
  readonly privateIntegration?: PrivateIntegrationOptions;
  /**
   * An execution role shared with other services (`createExecutionRole`, e.g. one per nested stack): each service
   * adds its own repository, log group and secrets to it, so it can pull, log and read what the services sharing it
   * use and nothing else. The task role is never shared.
   * @default - an execution role of the service's own
   */
  readonly executionRole?: ManagedPolicyRole;
  /**
   * The Service Connect TLS infrastructure role shared by the services of a platform
   * (`createServiceConnectTlsRole` with the same `encryptionKey`).
   * @default - a role of the service's own
   */
  readonly serviceConnectTlsRole?: ManagedPolicyRole;
  /**
   * Calls from other services with caller identity: the tasks register in a VPC Lattice target group behind
   * `callers.entry` (from `ServiceNetwork.addService`), whose IAM auth policy admits exactly the callers' task roles;
   * each caller gets an identity-based allow, egress to VPC Lattice and `<NAME>_URL` / `<NAME>_REQUEST_TIMEOUT_MS`
   * environment variables. Calls from any other principal are refused (403), even from inside the VPC.
   * @default - no service can call this one through VPC Lattice
   */
  readonly callers?: ServiceCallersOptions;
  /**
   * Idle timeout of the Service Connect proxy (0 is rejected: a route without a timeout holds connections forever).
   * @default Duration.seconds(60)
   */
  readonly serviceConnectIdleTimeout?: Duration;
  /**
   * Deletion protection of the service's own load balancer (not with `privateIntegration`: the gateway decides).
   * Leave it off for the deployment that creates it (a rollback could not delete it) and turn it on by an update.
   * @default false
   */
  readonly loadBalancerDeletionProtection?: boolean;
}

/** Who may call a service through VPC Lattice, and the deadline they get. */
export interface ServiceCallersOptions {
  /** The service's entry on the service network (`ServiceNetwork.addService(serviceName)`). */
  readonly entry: ServiceNetworkEntry;
  /** The calling services; their task roles are the only principals the auth policy admits. */
  readonly services: SecureFargateService[];
  /**
   * Per-request deadline handed to callers as `<NAME>_REQUEST_TIMEOUT_MS` (VPC Lattice itself enforces the idle and
   * connection timeouts, not a per-request one), 100 ms – 5 min.
   * @default Duration.seconds(10)
   */
  readonly requestTimeout?: Duration;
}

/** What `callers` built: the Lattice side of a callee. */
export interface ServiceCallerAccess {
  readonly entry: ServiceNetworkEntry;
  readonly targetGroup: vpclattice.CfnTargetGroup;
  readonly listener: vpclattice.CfnListener;
  /** Admits exactly the callers' task roles (`vpc-lattice-svcs:Invoke`). */
  readonly authPolicy: vpclattice.CfnAuthPolicy;
  /** Role ECS uses to register the tasks in the target group. */
  readonly infrastructureRole: iam.Role;
  readonly callers: readonly SecureFargateService[];
  readonly requestTimeout: Duration;
}

/** A listener of a shared PrivateIntegrationGateway for one service. */
export interface PrivateIntegrationOptions {
  /** The gateway whose load balancer and VPC link the service uses. */
  readonly gateway: PrivateIntegrationGateway;
  /** Port of the service's TLS listener on the gateway's load balancer; unique per gateway. */
  readonly listenerPort: number;
}

/** Options of `SecureFargateService.integration()`. */
export interface ServiceIntegrationOptions {
  /**
   * HTTP method of the call to the service.
   * @default 'ANY' - the method of the API request
   */
  readonly httpMethod?: string;
  /**
   * Extra request parameter mappings (e.g. `{ 'integration.request.header.x-request-id': 'context.requestId' }`).
   * @default - the path's parameters (`{id}`, `{proxy+}`) mapped from the method request under the same name
   */
  readonly requestParameters?: Record<string, string>;
  /**
   * Integration timeout (50 ms – 29 s).
   * @default Duration.seconds(29)
   */
  readonly timeout?: Duration;
}

/** Valid Fargate memory values (MiB) per CPU value. */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

/** Environment variable names that must come through `secrets`, never as plain values. */
export const SECRET_NAME_PATTERN = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL/i;

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
const CONTAINER_NAME = 'app';
const TEMP_VOLUME = 'tmp';
const SERVICE_CONNECT_PORT_NAME = 'app';
/** GuardDuty's repository of the Fargate runtime-monitoring agent (its account differs per region). */
const GUARDDUTY_AGENT_REPOSITORY = 'aws-guardduty-agent-fargate';
/** Memory left to the Service Connect proxy ECS adds to each task (AWS recommends at least 64 MiB for it). */
export const SERVICE_CONNECT_PROXY_MEMORY_MIB = 64;

/** The props of a SecureFargateService after validation and defaults (SecureFargateService.validate). */
interface ServiceSettings {
  readonly imageRef: string;
  readonly cpu: number;
  readonly memory: number;
  readonly containerPort: number;
  readonly serviceConnectPort: number;
  readonly user: string;
  readonly desiredCount: number;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetCpu: number;
  readonly healthCheckPath: string;
  readonly serviceConnectIdle: Duration;
  readonly vpcSubnets: ec2.SubnetSelection;
}

/**
 * A hardened Fargate service (P1, P3, P6, P11, P15): non-root, read-only (a writable /tmp volume only),
 * unprivileged containers with all Linux capabilities dropped, images pinned by tag or digest from a SecureRepository, tasks in isolated subnets
 * without public IPs, deployments with circuit breaker and rollback, auto scaling, a least-privilege task role,
 * TLS from API Gateway (VPC link → internal NLB TLS listener → TLS to the task) and TLS between services
 * (Service Connect with certificates from the platform's private CA).
 */
export class SecureFargateService extends Construct implements iam.IGrantable, ec2.IConnectable {
  public readonly cluster: ecs.ICluster;
  public readonly namespace: servicediscovery.INamespace;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly container: ecs.ContainerDefinition;
  public readonly service: ecs.FargateService;
  /** Role of the application: starts with no permissions; grant to the service (`bucket.grantRead(service)`). */
  public readonly taskRole: ManagedPolicyRole;
  /** Role ECS uses to pull the image, write logs and read the secrets. */
  public readonly executionRole: ManagedPolicyRole;
  /** Role ECS uses to obtain Service Connect certificates from the private CA. */
  public readonly serviceConnectTlsRole: ManagedPolicyRole;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly logGroup: logs.LogGroup;
  public readonly serviceConnectLogGroup: logs.LogGroup;
  /** Log group of ECS Exec sessions (only when this construct created the cluster). */
  public readonly execLogGroup?: logs.LogGroup;
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  public readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  public readonly listener: elbv2.NetworkListener;
  public readonly targetGroup: elbv2.NetworkTargetGroup;
  /** VPC link (REST API, v1) to the internal load balancer. */
  public readonly vpcLink: apigw.VpcLink;
  /** Port of the service's TLS listener: 443 on its own load balancer, or `privateIntegration.listenerPort`. */
  public readonly listenerPort: number;
  /** The shared gateway the service is behind (only with `privateIntegration`). */
  public readonly privateIntegrationGateway?: PrivateIntegrationGateway;
  public readonly scaling: ecs.ScalableTaskCount;
  public readonly grantPrincipal: iam.IPrincipal;
  public readonly connections: ec2.Connections;
  /** Port of the application (TLS) behind the load balancer. */
  public readonly containerPort: number;
  /** Port peers reach this service on through Service Connect. */
  public readonly serviceConnectPort: number;
  /** Host name of the private integration (`https://<tlsHostname>`, plus `:<listenerPort>` on a shared gateway). */
  public readonly tlsHostname: string;
  /** The service's name (its Service Connect and VPC Lattice name). */
  public readonly serviceName: string;
  /** What admits calls from other services (present with `callers`). */
  public readonly callerAccess?: ServiceCallerAccess;
  private plainEnvironmentAcknowledged = false;

  constructor(scope: Construct, id: string, props: SecureFargateServiceProps) {
    super(scope, id);
    const settings = this.validate(props);
    this.containerPort = settings.containerPort;
    this.serviceConnectPort = settings.serviceConnectPort;
    this.tlsHostname = props.tlsHostname;
    this.serviceName = props.serviceName;

    const cluster = this.createCluster(props);
    this.cluster = cluster.cluster;
    this.execLogGroup = cluster.execLogGroup;
    this.namespace =
      props.namespace ??
      new servicediscovery.HttpNamespace(this, 'Namespace', {
        name: `${props.serviceName}.internal`,
        description: 'Service Connect namespace',
      });
    this.taskRole = new ManagedPolicyRole(this, 'TaskRole', {
      assumedBy: ecsTasksPrincipal(Stack.of(this)),
      description: `${props.serviceName}: application role (least privilege, grants only)`,
    });
    this.executionRole = props.executionRole ?? createExecutionRole(this, 'ExecutionRole', `${props.serviceName}: image pull, logs, secrets`);
    this.grantPrincipal = this.taskRole;

    const task = this.createTaskDefinition(props, settings);
    this.taskDefinition = task.taskDefinition;
    this.logGroup = task.logGroup;
    this.container = task.container;
    this.acknowledgeCheckedEnvironment(props.environment ?? {});
    this.securityGroup = this.createSecurityGroup(props);
    this.serviceConnectTlsRole =
      props.serviceConnectTlsRole ??
      createServiceConnectTlsRole(
        this,
        'ServiceConnectTlsRole',
        props.encryptionKey,
        `${props.serviceName}: Service Connect TLS certificates from the platform CA`,
      );
    this.serviceConnectLogGroup = createSecureLogGroup(this, 'ServiceConnectLogGroup', {
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      retentionPropName: 'logRetention',
    });
    this.service = this.createService(props, settings);
    this.connections = this.service.connections;
    if (props.allowExecuteCommand) this.acknowledgeExecPermissions();
    for (const peer of props.allowFrom ?? []) {
      this.connections.allowFrom(peer, ec2.Port.tcp(this.serviceConnectPort), 'Service Connect (TLS) from a named peer');
    }

    this.privateIntegrationGateway = props.privateIntegration?.gateway;
    const { targetGroup, tls } = this.addTlsListener(props, settings);
    this.targetGroup = targetGroup;
    this.listener = tls.listener;
    this.listenerPort = tls.listenerPort;
    this.loadBalancer = tls.loadBalancer;
    this.loadBalancerSecurityGroup = tls.securityGroup;
    this.vpcLink = tls.vpcLink;

    this.scaling = this.service.autoScaleTaskCount({ minCapacity: settings.minCapacity, maxCapacity: settings.maxCapacity });
    this.scaling.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: settings.targetCpu });
    if (props.callers) this.callerAccess = this.admitCallers(props.callers, props.vpc, settings.healthCheckPath);
    this.node.addMetadata(SERVICE_CALLS_METADATA_TYPE, this.callsRecord(settings.serviceConnectIdle));
  }

  /** Checks every prop (invalidProp: prop, value, problem, fix), records the ECS Exec opt-out and returns the settled values. */
  private validate(props: SecureFargateServiceProps): ServiceSettings {
    validateServiceName(this, props.serviceName);
    const imageRef = validateImage(this, props.image);
    const cpu = props.cpu ?? 256;
    const memory = props.memoryLimitMiB ?? 512;
    validateFargateSize(this, cpu, memory);
    const ports = validatePorts(this, props);
    validateEnvironment(this, props.environment ?? {}, props.secrets ?? {});
    const user = props.user ?? '1000:1000';
    checkValue(this, user, VALUE_RULES.user);
    const capacity = validateCapacity(this, props);
    const healthCheckPath = props.healthCheckPath ?? '/health';
    checkValue(this, healthCheckPath, VALUE_RULES.healthCheckPath);
    checkValue(this, props.tlsHostname, VALUE_RULES.tlsHostname);
    const serviceConnectIdle = props.serviceConnectIdleTimeout ?? Duration.seconds(60);
    checkValue(this, serviceConnectIdle.toSeconds(), VALUE_RULES.serviceConnectIdleSeconds);
    validateExecAndAccessLogs(this, props);
    const vpcSubnets = props.serviceSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    return { imageRef, cpu, memory, ...ports, user, ...capacity, healthCheckPath, serviceConnectIdle, vpcSubnets };
  }

  /** The given cluster, or one with encrypted, logged ECS Exec sessions and encrypted task storage. */
  private createCluster(props: SecureFargateServiceProps): { cluster: ecs.ICluster; execLogGroup?: logs.LogGroup } {
    if (props.cluster) return { cluster: props.cluster };
    const execLogGroup = createSecureLogGroup(this, 'ExecLogGroup', {
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      retentionPropName: 'logRetention',
    });
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
      executeCommandConfiguration: {
        kmsKey: props.encryptionKey,
        logging: ecs.ExecuteCommandLogging.OVERRIDE,
        logConfiguration: { cloudWatchLogGroup: execLogGroup, cloudWatchEncryptionEnabled: true },
      },
      // Task ephemeral storage (the writable volumes and image layers) encrypted with the customer key; CDK adds the
      // key-policy statements for fargate.amazonaws.com, scoped by the ECS encryption context of this account.
      managedStorageConfiguration: { fargateEphemeralStorageKmsKey: props.encryptionKey },
    });
    return { cluster, execLogGroup };
  }

  /** The hardened task definition: non-root user, read-only root with a private /tmp, all capabilities dropped. */
  private createTaskDefinition(
    props: SecureFargateServiceProps,
    settings: ServiceSettings,
  ): { taskDefinition: ecs.FargateTaskDefinition; logGroup: logs.LogGroup; container: ecs.ContainerDefinition } {
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: settings.cpu,
      memoryLimitMiB: settings.memory,
      taskRole: this.taskRole,
      executionRole: this.executionRole,
      runtimePlatform: {
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        cpuArchitecture: fargateCpuArchitecture(this, props.cpuArchitecture),
      },
    });
    const logGroup = createSecureLogGroup(this, 'LogGroup', {
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      retentionPropName: 'logRetention',
    });
    const linuxParameters = new ecs.LinuxParameters(this, 'LinuxParameters', { initProcessEnabled: true });
    linuxParameters.dropCapabilities(ecs.Capability.ALL);
    const container = taskDefinition.addContainer(CONTAINER_NAME, {
      image: ecs.ContainerImage.fromEcrRepository(props.image.repository.referenceIn(this), settings.imageRef),
      user: settings.user,
      readonlyRootFilesystem: true,
      privileged: false,
      linuxParameters,
      // A hard limit: a leaking process is stopped before it starves the Service Connect proxy of the task's memory.
      memoryLimitMiB: settings.memory - SERVICE_CONNECT_PROXY_MEMORY_MIB,
      environment: props.environment,
      secrets: props.secrets,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: props.serviceName }),
      portMappings: [{ name: SERVICE_CONNECT_PORT_NAME, containerPort: settings.containerPort, protocol: ecs.Protocol.TCP }],
      healthCheck: props.containerHealthCheckCommand
        ? {
            command: props.containerHealthCheckCommand,
            interval: Duration.seconds(30),
            timeout: Duration.seconds(5),
            retries: 3,
            startPeriod: Duration.seconds(60),
          }
        : undefined,
    });
    // The root filesystem stays read-only; the application gets a writable, task-private /tmp (Fargate ephemeral
    // storage, gone with the task).
    taskDefinition.addVolume({ name: TEMP_VOLUME });
    container.addMountPoints({ sourceVolume: TEMP_VOLUME, containerPath: '/tmp', readOnly: false });
    return { taskDefinition, logGroup, container };
  }

  /** The tasks' security group: no ingress yet, egress to the AWS endpoints and gateway prefix lists only. */
  private createSecurityGroup(props: SecureFargateServiceProps): ec2.SecurityGroup {
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.serviceName} tasks: from its load balancer and named peers only`,
      allowAllOutbound: false,
    });
    // Egress only: the endpoints admit 443 from the VPC already, and a per-service ingress rule on the one shared
    // endpoint security group would hit its 60-rule quota at about 60 services.
    for (const endpointGroup of props.awsEndpoints.connections.securityGroups) {
      securityGroup.addEgressRule(endpointGroup, ec2.Port.tcp(443), 'AWS APIs through the VPC interface endpoints');
    }
    securityGroup.addEgressRule(
      ec2.Peer.prefixList(props.s3PrefixList.prefixListId),
      ec2.Port.tcp(443),
      'ECR image layers from S3 through the gateway endpoint',
    );
    if (props.dynamoDbPrefixList) {
      securityGroup.addEgressRule(
        ec2.Peer.prefixList(props.dynamoDbPrefixList.prefixListId),
        ec2.Port.tcp(443),
        'DynamoDB through the gateway endpoint',
      );
    }
    return securityGroup;
  }

  /** The ECS service: private subnets, rolling deploys with rollback, Service Connect with TLS from the private CA. */
  private createService(props: SecureFargateServiceProps, settings: ServiceSettings): ecs.FargateService {
    const service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: settings.desiredCount,
      assignPublicIp: false,
      vpcSubnets: settings.vpcSubnets,
      securityGroups: [this.securityGroup],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(60),
      enableExecuteCommand: props.allowExecuteCommand !== undefined,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      serviceConnectConfiguration: {
        namespace: this.namespace.namespaceArn,
        logDriver: ecs.LogDrivers.awsLogs({ logGroup: this.serviceConnectLogGroup, streamPrefix: 'service-connect' }),
        services: [
          {
            portMappingName: SERVICE_CONNECT_PORT_NAME,
            discoveryName: props.serviceName,
            dnsName: props.serviceName,
            port: settings.containerPort,
            ingressPortOverride: settings.serviceConnectPort,
            // The port mapping is TCP (the app speaks TLS), so Envoy allows the idle timeout only (no per-request one).
            idleTimeout: settings.serviceConnectIdle,
            tls: {
              awsPcaAuthorityArn: props.certificateAuthority.certificateAuthorityArn,
              kmsKey: props.encryptionKey,
              role: this.serviceConnectTlsRole,
            },
          },
        ],
      },
    });
    // ECS asks for the first certificates while creating the service: the role's permissions and the CA must be in
    // place by then (the managed policy is part of the role; our statements are a policy of their own).
    service.node.addDependency(this.serviceConnectTlsRole, this.serviceConnectTlsRole.policy!);
    if (props.certificateAuthorityActive) service.node.addDependency(props.certificateAuthorityActive);
    return service;
  }

  /**
   * Behind a shared gateway or a load balancer of its own: either way one TLS listener with the service's target group,
   * and the tasks admit the load balancer on the container port.
   */
  private addTlsListener(
    props: SecureFargateServiceProps,
    settings: ServiceSettings,
  ): { targetGroup: elbv2.NetworkTargetGroup; tls: ServiceListener } {
    const host: IServiceListenerHost =
      this.privateIntegrationGateway ??
      new OwnLoadBalancer(this, {
        name: props.serviceName,
        vpc: props.vpc,
        subnets: settings.vpcSubnets,
        accessLogsBucket: props.accessLogsBucket,
        deletionProtection: props.loadBalancerDeletionProtection,
      });
    const targetGroup = this.createTargetGroup(props.vpc, settings.healthCheckPath);
    const tls = host.addServiceListener(this, 'privateIntegration.listenerPort', {
      port: props.privateIntegration?.listenerPort ?? 443,
      certificate: props.certificate,
      targetGroup,
    });
    this.connections.allowFrom(tls.securityGroup, ec2.Port.tcp(this.containerPort), 'TLS and health checks from the internal load balancer');
    return { targetGroup, tls };
  }

  /** The target group of the tasks behind the load balancer: TLS to the container port, HTTPS health checks. */
  private createTargetGroup(vpc: ec2.IVpc, healthCheckPath: string): elbv2.NetworkTargetGroup {
    const targetGroup = new elbv2.NetworkTargetGroup(this, 'TargetGroup', {
      vpc,
      port: this.containerPort,
      protocol: elbv2.Protocol.TLS,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        protocol: elbv2.Protocol.HTTPS,
        path: healthCheckPath,
        interval: Duration.seconds(15),
        healthyThresholdCount: 3,
        unhealthyThresholdCount: 3,
      },
    });
    targetGroup.addTarget(this.service.loadBalancerTarget({ containerName: CONTAINER_NAME, containerPort: this.containerPort }));
    return targetGroup;
  }

  /**
   * VPC Lattice in front of the tasks for calls from `callers.services` only: a target group the ECS service
   * registers its tasks in (HTTPS to the container port, active health checks), an HTTPS listener on the callee's
   * Lattice service, an auth policy naming exactly the callers' task roles, and for each caller an identity-based
   * allow (both are required by Lattice), egress to Lattice and where to call.
   */
  private admitCallers(options: ServiceCallersOptions, vpc: ec2.IVpc, healthCheckPath: string): ServiceCallerAccess {
    const { entry, services: callers } = options;
    const requestTimeout = this.validateCallers(options);
    const { role, targetGroup, listener } = this.createLatticeTarget(entry, vpc, healthCheckPath);
    const authPolicy = this.createCallerPolicy(entry, callers);
    const envPrefix = this.serviceName.toUpperCase().replace(/-/g, '_');
    for (const caller of callers) {
      entry.network.grantInvoke(entry, caller.serviceName, caller.taskRole, caller.securityGroup);
      caller.securityGroup.addEgressRule(entry.network.latticePeer, ec2.Port.tcp(443), 'HTTPS to named services through VPC Lattice (IAM auth)');
      caller.acknowledgePlainEnvironment();
      caller.container.addEnvironment(`${envPrefix}_URL`, `https://${entry.dnsName}`);
      caller.container.addEnvironment(`${envPrefix}_REQUEST_TIMEOUT_MS`, String(requestTimeout.toMilliseconds()));
    }
    return { entry, targetGroup, listener, authPolicy, infrastructureRole: role, callers: [...callers], requestTimeout };
  }

  /** Checks `callers` (this service's entry, at least one caller, not itself, a sane deadline); returns the deadline. */
  private validateCallers(options: ServiceCallersOptions): Duration {
    const { entry, services: callers } = options;
    if (entry.name !== this.serviceName) {
      invalidProp(
        this,
        'callers.entry',
        entry.name,
        `the service network entry belongs to another service than "${this.serviceName}"`,
        `use serviceNetwork.addService("${this.serviceName}")`,
      );
    }
    if (callers.length === 0) {
      invalidProp(this, 'callers.services', [], 'a Lattice service without callers admits nobody', 'name the calling services, or omit callers');
    }
    for (const caller of callers) {
      if (caller === this)
        invalidProp(this, 'callers.services', this.serviceName, 'a service does not call itself through the network', 'remove it from callers');
    }
    const requestTimeout = options.requestTimeout ?? Duration.seconds(10);
    const requestMs = requestTimeout.toMilliseconds();
    if (!Token.isUnresolved(requestMs) && (requestMs < 100 || requestMs > 300_000)) {
      invalidProp(
        this,
        'callers.requestTimeout',
        `${requestMs} ms`,
        'a per-request deadline between 100 ms and 5 minutes keeps a slow callee from holding its callers',
        'use e.g. Duration.seconds(10)',
      );
    }
    return requestTimeout;
  }

  /** The Lattice target group ECS registers the tasks in (with its role), its HTTPS listener, and ingress from Lattice. */
  private createLatticeTarget(
    entry: ServiceNetworkEntry,
    vpc: ec2.IVpc,
    healthCheckPath: string,
  ): { role: iam.Role; targetGroup: vpclattice.CfnTargetGroup; listener: vpclattice.CfnListener } {
    const role = new iam.Role(this, 'VpcLatticeRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: `${this.serviceName}: ECS registers the tasks in the VPC Lattice target group`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForVpcLattice')],
    });
    acknowledgeFinding(
      role,
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice]',
      'AWS documents this managed policy as the ECS infrastructure role permissions for VPC Lattice target registration; AWS maintains it as the integration changes.',
    );
    const targetGroup = new vpclattice.CfnTargetGroup(this, 'CallTargetGroup', {
      type: 'IP',
      config: {
        vpcIdentifier: vpc.vpcId,
        port: this.containerPort,
        protocol: 'HTTPS',
        protocolVersion: 'HTTP1',
        ipAddressType: 'IPV4',
        healthCheck: {
          enabled: true,
          protocol: 'HTTPS',
          port: this.containerPort,
          path: healthCheckPath,
          healthCheckIntervalSeconds: 15,
          healthCheckTimeoutSeconds: 5,
          healthyThresholdCount: 3,
          unhealthyThresholdCount: 3,
          matcher: { httpCode: '200-399' },
        },
      },
    });
    const listener = new vpclattice.CfnListener(this, 'CallListener', {
      serviceIdentifier: entry.serviceId,
      protocol: 'HTTPS',
      port: 443,
      defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: targetGroup.attrId, weight: 100 }] } },
    });
    (this.service.node.defaultChild as ecs.CfnService).vpcLatticeConfigurations = [
      { roleArn: role.roleArn, targetGroupArn: targetGroup.attrArn, portName: SERVICE_CONNECT_PORT_NAME },
    ];
    this.connections.allowFrom(
      entry.network.latticePeer,
      ec2.Port.tcp(this.containerPort),
      'VPC Lattice: callers admitted by the auth policy, and its health checks',
    );
    return { role, targetGroup, listener };
  }

  /** The auth policy of this service's Lattice service: `vpc-lattice-svcs:Invoke` for exactly the callers' task roles. */
  private createCallerPolicy(entry: ServiceNetworkEntry, callers: readonly SecureFargateService[]): vpclattice.CfnAuthPolicy {
    return new vpclattice.CfnAuthPolicy(this, 'CallerPolicy', {
      resourceIdentifier: entry.serviceId,
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'NamedCallersOnly',
            Effect: 'Allow',
            Principal: { AWS: callers.map((c) => c.taskRole.roleArn) },
            Action: 'vpc-lattice-svcs:Invoke',
            Resource: `${entry.serviceArn}/*`,
            Condition: { StringEquals: { 'aws:PrincipalAccount': Stack.of(this).account } },
          },
        ],
      },
    });
  }

  /**
   * ECS2 flags any environment variable. The user's variables are acknowledged only when every value was checked
   * here (a token cannot be): names and values that look like credentials were refused, and
   * Platform-TaskEnvironmentHasNoSecrets judges the rendered task definition again.
   */
  private acknowledgeCheckedEnvironment(environment: Record<string, string>): void {
    const values = Object.values(environment);
    if (values.length > 0 && !values.some((value) => Token.isUnresolved(value))) this.acknowledgePlainEnvironment();
  }

  /** Plain environment variables are configuration only (AwsSolutions-ECS2), acknowledged once per task definition. */
  private acknowledgePlainEnvironment(): void {
    if (this.plainEnvironmentAcknowledged) return;
    this.plainEnvironmentAcknowledged = true;
    acknowledgeFinding(
      this.taskDefinition,
      'AwsSolutions::AwsSolutions-ECS2',
      'Only non-secret configuration is passed as environment variables: names and values that look like credentials are rejected at synth, and secrets come through ecs.Secret (Secrets Manager / SSM).',
    );
  }

  private callsRecord(serviceConnectIdle: Duration): ServiceCallsRecord {
    const access = this.callerAccess;
    return {
      service: this.serviceName,
      callers: access ? access.callers.map((c) => c.serviceName) : [],
      mechanism: access ? "VPC Lattice, IAM auth (SigV4): auth policy names the callers' task roles" : 'none: no service may call it',
      idleTimeoutSeconds: access ? access.entry.idleTimeout.toSeconds() : undefined,
      requestTimeoutMs: access ? access.requestTimeout.toMilliseconds() : undefined,
      serviceConnectIdleTimeoutSeconds: serviceConnectIdle.toSeconds(),
      healthCheck: access ? 'Lattice target group: HTTPS health check every 15 s, unhealthy after 3 failures (target removed)' : undefined,
    };
  }

  /**
   * An API Gateway REST integration (HTTP_PROXY over the VPC link, HTTPS to `tlsHostname`) for a SecureApi route:
   * `api.addRoute({ version: 'v1', path: '/orders/{id}', method: 'GET', scopes: ['orders/read'],
   *   integration: service.integration('/orders/{id}') })`. Path parameters are mapped by name.
   */
  public integration(path: string, options: ServiceIntegrationOptions = {}): apigw.Integration {
    if (!Token.isUnresolved(path) && !/^\/[^\s?#]*$/.test(path)) {
      invalidProp(this, 'integration.path', path, 'not an absolute path without query or fragment', "use a path such as '/orders' or '/orders/{id}'");
    }
    // Path parameters of the route ({id}, {proxy+}) pass through under the same name.
    const pathParameters = Object.fromEntries(
      [...path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map(([, name]) => [`integration.request.path.${name}`, `method.request.path.${name}`]),
    );
    return new apigw.Integration({
      type: apigw.IntegrationType.HTTP_PROXY,
      integrationHttpMethod: options.httpMethod ?? 'ANY',
      uri: `https://${this.tlsHostname}${this.privateIntegrationGateway ? `:${this.listenerPort}` : ''}${path.replace(/\{([A-Za-z0-9_]+)\+\}/g, '{$1}')}`,
      options: {
        connectionType: apigw.ConnectionType.VPC_LINK,
        vpcLink: this.vpcLink,
        requestParameters:
          Object.keys(pathParameters).length || options.requestParameters ? { ...pathParameters, ...options.requestParameters } : undefined,
        timeout: options.timeout,
      },
    });
  }

  /** ECS Exec's own grants: the SSM Session Manager channel has no resource-level permissions. */
  private acknowledgeExecPermissions(): void {
    const policy = this.taskRole.policy!;
    acknowledgeFinding(
      policy,
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'ECS Exec opens its session through ssmmessages:Create/OpenControlChannel and Create/OpenDataChannel, and logs:DescribeLogGroups, which IAM only grants on "*"; ECS Exec is an explicit, reasoned opt-in.',
    );
    const logGroup = (this.cluster as ecs.Cluster).executeCommandConfiguration!.logConfiguration!.cloudWatchLogGroup!;
    const logicalId = Stack.of(logGroup).getLogicalId(logGroup.node.defaultChild as CfnElement);
    acknowledgeFinding(
      policy,
      `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:<${logicalId}>:*]`,
      'ECS Exec writes one log stream per session with names chosen at run time; the wildcard covers streams of the one exec log group only.',
    );
  }
}

/** ECS tasks of this account only (confused-deputy protection). */
function ecsTasksPrincipal(stack: Stack): iam.ServicePrincipal {
  return new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:ecs:${stack.region}:${stack.account}:*` },
    },
  });
}

/**
 * A task execution role (image pull, logs, secrets) for one or several SecureFargateServices (`executionRole`):
 * each service's grants name its own repository, log group and secrets.
 */
export function createExecutionRole(scope: Construct, id: string, description: string): ManagedPolicyRole {
  const stack = Stack.of(scope);
  const role = new ManagedPolicyRole(scope, id, { assumedBy: ecsTasksPrincipal(stack), description, mergeGrants: true });
  // On the role: its grants policy is created by the first service's image grant.
  acknowledgeFinding(
    role,
    'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    'ecr:GetAuthorizationToken has no resource-level permissions (IAM requires "*"); image layer actions are limited to the repositories of the services using this role.',
  );
  // GuardDuty runtime monitoring injects its agent into every task and pulls it with this role from GuardDuty's
  // repository, which lives in an AWS account that differs per region.
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      resources: [`arn:${stack.partition}:ecr:${stack.region}:*:repository/${GUARDDUTY_AGENT_REPOSITORY}`],
    }),
  );
  acknowledgeFinding(
    role,
    `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:*:repository/${GUARDDUTY_AGENT_REPOSITORY}]`,
    'GuardDuty hosts its Fargate runtime agent in an AWS-owned account that differs per region (AWS publishes the list); the wildcard is the account of that one repository name, which only the agent GuardDuty injects is pulled from.',
  );
  return role;
}

/**
 * The ECS infrastructure role for Service Connect TLS (certificates from the platform CA, `encryptionKey` for the
 * TLS material); one can serve every service of a platform that uses the same key (`serviceConnectTlsRole`).
 */
export function createServiceConnectTlsRole(scope: Construct, id: string, encryptionKey: kms.IKey, description: string): ManagedPolicyRole {
  const role = new ManagedPolicyRole(scope, id, {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } } }),
    description,
    managedPolicies: [
      iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity'),
    ],
  });
  // Service Connect encrypts the private key of each certificate it obtains with a data key pair from this key.
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair'],
      resources: [encryptionKey.keyArn],
    }),
  );
  acknowledgeFinding(
    role,
    'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity]',
    'AWS documents this managed policy as the required permissions of the ECS infrastructure role for Service Connect TLS; AWS maintains it as the service adds actions.',
  );
  return role;
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

function validateServiceName(scope: IConstruct, name: string): void {
  matching(scope, 'serviceName', name, SERVICE_NAME_PATTERN, SERVICE_NAME_PROBLEM, "use a name such as 'orders'");
}

function validateImage(scope: IConstruct, image: ServiceImage): string {
  if (!SecureRepository.isSecureRepository(image.repository)) {
    invalidProp(
      scope,
      'image.repository',
      describeConstruct(image.repository),
      'images must come from a SecureRepository (immutable tags, KMS, scan on push, finding alerts)',
      'create the repository with new SecureRepository(...) and pass it',
    );
  }
  if (Stage.of(image.repository) !== Stage.of(scope)) {
    invalidProp(
      scope,
      'image.repository',
      image.repository.node.path,
      'the repository belongs to another app or stage, so its name cannot be referenced here',
      'create the SecureRepository in a stack of the same stage as the service',
    );
  }
  const { tag, digest } = image;
  if ((tag === undefined) === (digest === undefined)) {
    invalidProp(scope, 'image', { tag, digest }, 'give exactly one of tag or digest', "pin the image with tag: '1.0.0' or digest: 'sha256:…'");
  }
  if (digest !== undefined) {
    if (!Token.isUnresolved(digest) && !IMAGE_DIGEST.test(digest)) {
      invalidProp(scope, 'image.digest', digest, 'not an image digest', "use 'sha256:' followed by 64 lower-case hex characters");
    }
    return digest;
  }
  const value = tag as string;
  if (!Token.isUnresolved(value) && (value.trim() === '' || value.toLowerCase() === 'latest')) {
    invalidProp(
      scope,
      'image.tag',
      value,
      '`latest` and empty tags do not say which build runs and cannot be pinned',
      "use a release tag such as '1.0.0' or a digest",
    );
  }
  if (!Token.isUnresolved(value) && !IMAGE_TAG.test(value)) {
    invalidProp(scope, 'image.tag', value, 'not a valid image tag', 'use letters, digits, "_", "." and "-", at most 128 characters');
  }
  return value;
}

function describeConstruct(x: unknown): string {
  const node = (x as IConstruct | undefined)?.node;
  return node ? `${node.path} (${(x as object).constructor.name})` : String(x);
}

/** The architectures Fargate runs Linux tasks on. */
const FARGATE_CPU_ARCHITECTURES = ['X86_64', 'ARM64'];

function fargateCpuArchitecture(scope: IConstruct, architecture: ecs.CpuArchitecture | undefined): ecs.CpuArchitecture {
  if (architecture === undefined) return ecs.CpuArchitecture.X86_64;
  const name = architecture._cpuArchitecture;
  if (!FARGATE_CPU_ARCHITECTURES.includes(name)) {
    invalidProp(
      scope,
      'cpuArchitecture',
      name,
      'Fargate runs Linux tasks on X86_64 or ARM64 only',
      'use ecs.CpuArchitecture.X86_64 or ecs.CpuArchitecture.ARM64',
    );
  }
  return architecture;
}

function validateFargateSize(scope: IConstruct, cpu: number, memory: number): void {
  if (Token.isUnresolved(cpu) || Token.isUnresolved(memory)) return;
  const allowed = FARGATE_MEMORY_BY_CPU[cpu];
  if (!allowed) {
    invalidProp(scope, 'cpu', cpu, 'not a Fargate CPU value', `use one of ${Object.keys(FARGATE_MEMORY_BY_CPU).join(', ')}`);
  }
  if (!allowed.includes(memory)) {
    invalidProp(
      scope,
      'memoryLimitMiB',
      { cpu, memoryLimitMiB: memory },
      `Fargate does not offer ${memory} MiB with ${cpu} CPU units`,
      `use one of ${allowed.join(', ')} MiB for cpu ${cpu}`,
    );
  }
}

function validatePort(scope: IConstruct, prop: string, port: number): number {
  return wholeNumber(scope, prop, port, { min: 1, max: 65535, problem: 'ports are whole numbers from 1 to 65535', fix: 'use a port such as 8443' });
}

/** The container and Service Connect ports: valid, and not the same one. */
function validatePorts(scope: IConstruct, props: SecureFargateServiceProps): Pick<ServiceSettings, 'containerPort' | 'serviceConnectPort'> {
  const containerPort = validatePort(scope, 'containerPort', props.containerPort ?? 8443);
  const serviceConnectPort = validatePort(scope, 'serviceConnectPort', props.serviceConnectPort ?? 15443);
  if (serviceConnectPort === containerPort) {
    invalidProp(
      scope,
      'serviceConnectPort',
      serviceConnectPort,
      'the Service Connect proxy needs its own port so load balancer traffic bypasses it',
      `use a port other than containerPort (${containerPort}), e.g. 15443`,
    );
  }
  return { containerPort, serviceConnectPort };
}

/** Task counts and the CPU target of auto scaling. */
function validateCapacity(
  scope: IConstruct,
  props: SecureFargateServiceProps,
): Pick<ServiceSettings, 'desiredCount' | 'minCapacity' | 'maxCapacity' | 'targetCpu'> {
  const desiredCount = wholeNumber(scope, 'desiredCount', props.desiredCount ?? 2, {
    min: 1,
    max: 1000,
    problem: 'a service needs at least one task',
  });
  const minCapacity = wholeNumber(scope, 'minCapacity', props.minCapacity ?? desiredCount, {
    min: 1,
    max: 1000,
    problem: 'auto scaling must keep at least one task',
  });
  const maxCapacity = wholeNumber(scope, 'maxCapacity', props.maxCapacity ?? Math.max(minCapacity, 4), {
    min: 1,
    max: 1000,
    problem: 'auto scaling needs a positive maximum',
  });
  if (minCapacity > maxCapacity) {
    invalidProp(
      scope,
      'minCapacity',
      { minCapacity, maxCapacity },
      'the minimum capacity is above the maximum',
      `set minCapacity ≤ maxCapacity (e.g. maxCapacity: ${minCapacity})`,
    );
  }
  const targetCpu = wholeNumber(scope, 'targetCpuUtilizationPercent', props.targetCpuUtilizationPercent ?? 60, {
    min: 10,
    max: 90,
    problem: 'the CPU target is a percentage between 10 and 90',
  });
  return { desiredCount, minCapacity, maxCapacity, targetCpu };
}

/** A check of one prop's value on its own; unresolved tokens pass (CloudFormation checks them at deploy time). */
interface ValueRule<T> {
  readonly prop: string;
  readonly accepts: (value: T) => boolean;
  readonly problem: string;
  readonly fix: string;
  /** The value as the message shows it. @default - the value */
  readonly shown?: (value: T) => unknown;
}

/** Throws invalidProp when `value` (unless an unresolved token) breaks `rule`. */
function checkValue<T>(scope: IConstruct, value: T, rule: ValueRule<T>): void {
  if (!Token.isUnresolved(value) && !rule.accepts(value))
    invalidProp(scope, rule.prop, rule.shown ? rule.shown(value) : value, rule.problem, rule.fix);
}

/** The independent single-value checks of SecureFargateServiceProps. */
const VALUE_RULES = {
  user: {
    prop: 'user',
    accepts: (user: string) => !isRootUser(user),
    problem: 'containers must not run as root (P15)',
    fix: "use an unprivileged uid:gid such as '1000:1000' that the image owns its files with",
  },
  healthCheckPath: {
    prop: 'healthCheckPath',
    accepts: (path: string) => /^\/[\x21-\x7e]*$/.test(path),
    problem: 'not an absolute URL path',
    fix: "use a path such as '/health'",
  },
  tlsHostname: {
    prop: 'tlsHostname',
    accepts: (hostname: string) => DNS_NAME_PATTERN.test(hostname.toLowerCase()),
    problem: 'not a DNS host name',
    fix: "use the name the certificate is issued for, e.g. 'orders.internal.example.com'",
  },
  serviceConnectIdleSeconds: {
    prop: 'serviceConnectIdleTimeout',
    accepts: (seconds: number) => !(seconds < 1),
    shown: (seconds: number) => `${seconds} s`,
    problem: 'a Service Connect route without an idle timeout (0) keeps connections to failed peers open forever',
    fix: 'use at least Duration.seconds(1), e.g. Duration.seconds(60)',
  },
} satisfies Record<string, ValueRule<string> | ValueRule<number>>;

/** Records the ECS Exec opt-out; ECS Exec needs a cluster that encrypts and logs sessions, access logs a load balancer of the service's own. */
function validateExecAndAccessLogs(scope: IConstruct, props: SecureFargateServiceProps): void {
  const exec = props.allowExecuteCommand;
  if (exec) {
    recordOptOut(scope, 'allowExecuteCommand', 'ECS Exec off', exec);
    if (props.cluster && !hasEncryptedLoggedExec(props.cluster)) {
      invalidProp(
        scope,
        'allowExecuteCommand',
        props.cluster.clusterName,
        'ECS Exec sessions must be KMS-encrypted and logged, and this cluster does not show such an executeCommandConfiguration',
        'omit cluster (the default cluster encrypts and logs sessions) or pass an ecs.Cluster with executeCommandConfiguration { kmsKey, logging: OVERRIDE, cloudWatchEncryptionEnabled }',
      );
    }
  }
  if (props.privateIntegration && props.accessLogsBucket) {
    invalidProp(
      scope,
      'accessLogsBucket',
      props.accessLogsBucket.node.path,
      'a service behind a shared PrivateIntegrationGateway has no load balancer of its own to log',
      'pass accessLogsBucket to the PrivateIntegrationGateway instead',
    );
  }
}

function validateEnvironment(scope: IConstruct, environment: Record<string, string>, secrets: Record<string, ecs.Secret>): void {
  for (const name of Object.keys(environment)) {
    if (SECRET_NAME_PATTERN.test(name)) {
      invalidProp(
        scope,
        `environment.${name}`,
        '<redacted>',
        'the name looks like a secret, and plain environment variables are visible in the task definition and the console',
        `pass it through secrets: { ${name}: ecs.Secret.fromSecretsManager(secret) } (or ecs.Secret.fromSsmParameter)`,
      );
    }
    if (name in secrets) {
      invalidProp(scope, `environment.${name}`, name, 'the same name is also given in secrets', 'define each variable once');
    }
    const value = environment[name];
    const credential = typeof value === 'string' && !Token.isUnresolved(value) ? secretLikeValue(value) : undefined;
    if (credential) {
      invalidProp(
        scope,
        `environment.${name}`,
        '<redacted>',
        `the value looks like ${credential}, and plain environment values are stored in the task definition for anyone who can read it`,
        `store it in Secrets Manager and pass it through secrets: { ${name}: ecs.Secret.fromSecretsManager(secret) } (or ecs.Secret.fromSsmParameter)`,
      );
    }
  }
}

function hasEncryptedLoggedExec(cluster: ecs.ICluster): boolean {
  const config = cluster instanceof ecs.Cluster ? cluster.executeCommandConfiguration : undefined;
  return (
    !!config?.kmsKey &&
    config.logging === ecs.ExecuteCommandLogging.OVERRIDE &&
    !!config.logConfiguration?.cloudWatchLogGroup &&
    config.logConfiguration.cloudWatchEncryptionEnabled === true
  );
}
