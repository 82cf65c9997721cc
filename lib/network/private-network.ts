import { CfnElement, CfnResource, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeFinding, acknowledgeFindings, complianceFindingIds } from '../core/acknowledge';
import { CUSTOM_RESOURCE_SERVICE_TIMEOUT } from '../private/custom-resource';
import { invalidProp } from '../private/errors';
import { recordOptOut, SecurityOptOut } from '../core/opt-out';
import { createSecureLogGroup } from '../core/secure-log-group';
import { wholeNumber } from '../private/validation';

/** Interface endpoints every service in an isolated subnet needs (image pulls, logs, credentials, keys, secrets). */
export const DEFAULT_INTERFACE_ENDPOINTS: readonly string[] = ['ecr.api', 'ecr.dkr', 'logs', 'sts', 'kms', 'secretsmanager'];

/** Interface endpoint services accepted by `additionalInterfaceEndpoints`. */
export const SUPPORTED_INTERFACE_ENDPOINTS: readonly string[] = [
  ...DEFAULT_INTERFACE_ENDPOINTS,
  'ssm',
  'ssmmessages',
  'ec2messages',
  'monitoring',
  'sns',
  'sqs',
  'events',
  'execute-api',
  'xray',
  'ecs',
  'ecs-agent',
  'ecs-telemetry',
  'acm-pca',
  'elasticloadbalancing',
  'servicediscovery',
  'states',
  'lambda',
  'kinesis-streams',
  'kinesis-firehose',
  'cognito-idp',
  'appmesh-envoy-management',
  'dynamodb',
];

export interface NatEgressOptions extends SecurityOptOut {
  /**
   * Number of NAT gateways (one per AZ is the highly available choice).
   * @default 1
   */
  readonly natGateways?: number;
}

export interface PrivateNetworkProps {
  /** Encrypts the flow-log group (use `PlatformKeys.logsKey`). */
  readonly logsKey: kms.IKey;
  /**
   * Number of availability zones (2 or 3).
   * @default 2
   */
  readonly availabilityZones?: number;
  /**
   * IPv4 CIDR of the VPC (RFC 1918), /16 to /18.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Interface endpoints to add on top of DEFAULT_INTERFACE_ENDPOINTS (names from SUPPORTED_INTERFACE_ENDPOINTS).
   * @default - none
   */
  readonly additionalInterfaceEndpoints?: string[];
  /**
   * Availability zones that hold an interface of each interface endpoint (1 up to availabilityZones). Each costs
   * about $7.30 per endpoint and month; with fewer, services in the other zones reach AWS APIs across zones and
   * lose them if those zones fail.
   * @default - every zone of the network
   */
  readonly interfaceEndpointZones?: number;
  /**
   * Flow-log retention (whole days, a finite CloudWatch Logs value: ALLOWED_RETENTION_DAYS).
   * @default Duration.days(365)
   */
  readonly flowLogRetention?: Duration;
  /**
   * Opt in to internet egress through NAT gateways (adds public subnets, an internet gateway and private
   * subnets with egress). Off by default: services run in isolated subnets and reach AWS through endpoints.
   * The reason is printed at synth and listed in the security report.
   * @default - no internet gateway, no NAT
   */
  readonly allowInternetEgressViaNat?: NatEgressOptions;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const SERVICE_SUBNET_GROUP = 'services';

/**
 * The platform's private network (P1, P9): a VPC whose services live in isolated subnets with no route to
 * the internet, reach AWS through VPC endpoints whose policies admit only this account's principals (interface
 * endpoints) or resources (S3 and DynamoDB gateway endpoints; ECR's image-layer bucket by name), log ALL traffic to an
 * encrypted flow-log group, and have the default security group closed.
 */
export class PrivateNetwork extends Construct implements ec2.IConnectable {
  public readonly vpc: ec2.Vpc;
  /** Security group of the interface endpoints: HTTPS from inside the VPC only. */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;
  public readonly flowLogGroup: logs.LogGroup;
  public readonly flowLog: ec2.FlowLog;
  /** Role VPC Flow Logs assume to write the flow-log group (trusted for this account only). */
  public readonly flowLogRole: iam.Role;
  public readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  public readonly dynamoDbEndpoint: ec2.GatewayVpcEndpoint;
  /** Interface endpoints by service name (e.g. `interfaceEndpoints['ecr.dkr']`). */
  public readonly interfaceEndpoints: Readonly<Record<string, ec2.InterfaceVpcEndpoint>>;
  /** Where services run: isolated subnets by default, private-with-egress subnets when NAT is opted in. */
  public readonly serviceSubnets: ec2.SubnetSelection;
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    super(scope, id);
    const { azCount, cidr, extraEndpoints, endpointZones, nat } = this.validate(props);
    this.vpc = this.createVpc(cidr, azCount, nat);
    this.serviceSubnets = { subnetGroupName: SERVICE_SUBNET_GROUP };
    this.boundRestrictDefaultSecurityGroupTimeout();
    if (nat) this.acknowledgeNatRoutes(nat);

    const flowLogs = this.createFlowLogs(props);
    this.flowLogGroup = flowLogs.group;
    this.flowLogRole = flowLogs.role;
    this.flowLog = flowLogs.flowLog;

    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'VPC interface endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from inside the VPC');
    this.connections = this.endpointSecurityGroup.connections;

    this.s3Endpoint = this.createS3Endpoint();
    this.dynamoDbEndpoint = this.createDynamoDbEndpoint();
    this.interfaceEndpoints = this.createInterfaceEndpoints([...DEFAULT_INTERFACE_ENDPOINTS, ...extraEndpoints], endpointZones, azCount);
  }

  /** Checks the props (invalidProp: prop, value, problem, fix), records a NAT opt-out; returns the settings with defaults. */
  private validate(props: PrivateNetworkProps): {
    azCount: number;
    cidr: string;
    extraEndpoints: string[];
    endpointZones: number;
    nat?: NatEgressOptions;
  } {
    const azCount = props.availabilityZones ?? 2;
    wholeNumber(this, 'availabilityZones', azCount, {
      min: 2,
      max: 3,
      refuseTokens: true,
      problem: 'the platform spreads services over 2 or 3 availability zones',
      fix: 'use 2 (dev) or 3 (prod)',
    });
    const cidr = props.cidr ?? '10.0.0.0/16';
    validateCidr(this, cidr);
    const extraEndpoints = props.additionalInterfaceEndpoints ?? [];
    for (const name of extraEndpoints) {
      if (!SUPPORTED_INTERFACE_ENDPOINTS.includes(name)) {
        invalidProp(
          this,
          'additionalInterfaceEndpoints',
          name,
          'not a supported interface endpoint service name',
          `use one of ${SUPPORTED_INTERFACE_ENDPOINTS.join(', ')}`,
        );
      }
    }
    const endpointZones = props.interfaceEndpointZones ?? azCount;
    wholeNumber(this, 'interfaceEndpointZones', endpointZones, {
      min: 1,
      max: azCount,
      refuseTokens: true,
      problem: `must be a whole number from 1 to the network's ${azCount} availability zones`,
      fix: `use 1 (cheapest, dev) or ${azCount} (every zone)`,
    });
    const nat = props.allowInternetEgressViaNat;
    if (nat) {
      recordOptOut(this, 'allowInternetEgressViaNat', 'isolated subnets without internet egress', nat);
      wholeNumber(this, 'allowInternetEgressViaNat.natGateways', nat.natGateways ?? 1, {
        min: 1,
        max: azCount,
        refuseTokens: true,
        problem: `needs between 1 and ${azCount} NAT gateways (one per AZ at most)`,
        fix: `use 1 (cheapest) or ${azCount} (one per AZ)`,
      });
    }
    return { azCount, cidr, extraEndpoints, endpointZones, nat };
  }

  /** The VPC: isolated service subnets, or public and private-with-egress subnets when NAT is opted in. */
  private createVpc(cidr: string, azCount: number, nat: NatEgressOptions | undefined): ec2.Vpc {
    // AZs come from Fn::GetAZs, resolved by CloudFormation in the target account: env-agnostic stacks (which only
    // know two AZs) get 3 AZs offline, and stacks with an account and region carry no literal AZ names (cfn-lint
    // W3010) that an account's AZ lookup would otherwise bake in.
    const availabilityZones = Array.from({ length: azCount }, (_, i) => Fn.select(i, Fn.getAzs()));
    const subnetConfiguration: ec2.SubnetConfiguration[] = nat
      ? [
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
          { name: SERVICE_SUBNET_GROUP, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        ]
      : [{ name: SERVICE_SUBNET_GROUP, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }];
    return new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      availabilityZones,
      subnetConfiguration,
      natGateways: nat ? (nat.natGateways ?? 1) : 0,
      restrictDefaultSecurityGroup: true,
      enableDnsHostnames: true,
      enableDnsSupport: true,
    });
  }

  /** CDK's custom resource that closes the default security group gets the platform's serviceTimeout too. */
  private boundRestrictDefaultSecurityGroupTimeout(): void {
    const restrictDefaultSg = this.vpc.node.tryFindChild('RestrictDefaultSecurityGroupCustomResource')?.node.defaultChild as CfnResource | undefined;
    if (!restrictDefaultSg) return;
    restrictDefaultSg.addPropertyOverride('ServiceTimeout', CUSTOM_RESOURCE_SERVICE_TIMEOUT.toSeconds());
    acknowledgeFinding(
      restrictDefaultSg,
      'PlatformChecks::Platform-NoEscapeHatchOverride[Properties.ServiceTimeout]',
      'ec2.Vpc exposes no serviceTimeout for its restrict-default-security-group custom resource; the override only bounds how long CloudFormation waits for its answer (5 minutes instead of an hour).',
    );
  }

  /**
   * The opted-in NAT needs public subnets whose default route goes to the internet gateway: that route is the
   * opt-out itself, so its findings are acknowledged with the user's reason, on each route only. The same holds for
   * the service subnets' default routes to the NAT gateways (Platform-NoInternetEgressRoute) and for each of these
   * route tables opening the internet (Platform-NoBroadPublicCidr).
   */
  private acknowledgeNatRoutes(nat: NatEgressOptions): void {
    const reason = `NAT egress opted in (allowInternetEgressViaNat): ${nat.reason}`;
    for (const subnet of this.vpc.publicSubnets) {
      const route = subnet.node.findChild('DefaultRoute');
      acknowledgeFindings(route, complianceFindingIds('VPCNoUnrestrictedRouteToIGW'), reason);
    }
    for (const subnet of [...this.vpc.publicSubnets, ...this.vpc.privateSubnets]) {
      acknowledgeFinding(subnet.node.findChild('DefaultRoute'), 'PlatformChecks::Platform-NoInternetEgressRoute', reason);
      acknowledgeFinding(subnet.node.findChild('RouteTable'), 'PlatformChecks::Platform-NoBroadPublicCidr', reason);
    }
  }

  /** Flow logs of ALL traffic to an encrypted log group, written by a role trusted for this account only. */
  private createFlowLogs(props: PrivateNetworkProps): { group: logs.LogGroup; role: iam.Role; flowLog: ec2.FlowLog } {
    const group = createSecureLogGroup(this, 'FlowLogGroup', {
      encryptionKey: props.logsKey,
      retention: props.flowLogRetention,
      retentionPropName: 'flowLogRetention',
    });
    const role = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'VPC flow logs: write to the platform flow-log group only',
    });
    // A customer managed policy (not the inline DefaultPolicy a grant would create) scoped to the one log group.
    const flowLogPolicy = new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [group.logGroupArn, `${group.logGroupArn}:log-stream:*`],
        }),
      ],
    });
    acknowledgeFinding(
      flowLogPolicy,
      `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(group.node.defaultChild as CfnElement)}.Arn>:log-stream:*]`,
      'VPC Flow Logs creates one log stream per network interface with names it chooses at run time; the wildcard is limited to streams of this one flow-log group.',
    );
    const flowLog = this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(group, role.withoutPolicyUpdates()),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    return { group, role, flowLog };
  }

  /** A gateway endpoint in the service subnets whose policy holds exactly `statements`. */
  private gatewayEndpoint(id: string, service: ec2.GatewayVpcEndpointAwsService, statements: iam.PolicyStatement[]): ec2.GatewayVpcEndpoint {
    const endpoint = this.vpc.addGatewayEndpoint(id, { service, subnets: [this.serviceSubnets] });
    for (const statement of statements) endpoint.addToPolicy(statement);
    return endpoint;
  }

  private createS3Endpoint(): ec2.GatewayVpcEndpoint {
    const stack = Stack.of(this);
    return this.gatewayEndpoint('S3Endpoint', ec2.GatewayVpcEndpointAwsService.S3, [
      // The perimeter is the bucket's account: S3 gateway endpoints do not evaluate aws:PrincipalAccount (a condition
      // on it never matches, awsdocs/amazon-vpc-user-guide#94); who may use a bucket is decided by its bucket policy.
      new iam.PolicyStatement({
        sid: 'ThisAccountsBuckets',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:ResourceAccount': stack.account } },
      }),
      // ECR serves image layers from this AWS-owned bucket by a request presigned by an AWS principal, so neither the
      // principal nor the resource account is ours: the statement is scoped to that one bucket and read-only.
      new iam.PolicyStatement({
        sid: 'EcrImageLayers',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [`arn:${stack.partition}:s3:::prod-${stack.region}-starport-layer-bucket/*`],
      }),
    ]);
  }

  private createDynamoDbEndpoint(): ec2.GatewayVpcEndpoint {
    const stack = Stack.of(this);
    return this.gatewayEndpoint('DynamoDbEndpoint', ec2.GatewayVpcEndpointAwsService.DYNAMODB, [
      new iam.PolicyStatement({
        sid: 'ThisAccountsTables',
        principals: [new iam.AnyPrincipal()],
        actions: ['dynamodb:*'],
        resources: [`arn:${stack.partition}:dynamodb:${stack.region}:${stack.account}:table/*`],
        // Gateway endpoints: a resource-account perimeter, as on S3 (the table ARNs name this account as well).
        conditions: { StringEquals: { 'aws:ResourceAccount': stack.account } },
      }),
    ]);
  }

  /**
   * One interface endpoint per service name (duplicates dropped), in the first `endpointZones` service subnets,
   * with private DNS and a policy that admits this account's principals only.
   */
  private createInterfaceEndpoints(names: string[], endpointZones: number, azCount: number): Record<string, ec2.InterfaceVpcEndpoint> {
    const subnets =
      endpointZones === azCount ? this.serviceSubnets : { subnets: this.vpc.selectSubnets(this.serviceSubnets).subnets.slice(0, endpointZones) };
    const thisAccountOnly = { StringEquals: { 'aws:PrincipalAccount': Stack.of(this).account } };
    const endpoints: Record<string, ec2.InterfaceVpcEndpoint> = {};
    for (const name of new Set(names)) {
      const endpoint = this.vpc.addInterfaceEndpoint(endpointId(name), {
        service: new ec2.InterfaceVpcEndpointAwsService(name),
        subnets,
        securityGroups: [this.endpointSecurityGroup],
        privateDnsEnabled: true,
        open: false,
      });
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ThisAccountsPrincipalsOnly',
          principals: [new iam.AnyPrincipal()],
          actions: ['*'],
          resources: ['*'],
          conditions: thisAccountOnly,
        }),
      );
      endpoints[name] = endpoint;
    }
    return endpoints;
  }
}

function endpointId(service: string): string {
  return (
    service
      .split(/[.-]/)
      .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
      .join('') + 'Endpoint'
  );
}

function validateCidr(scope: Construct, cidr: string): void {
  if (Token.isUnresolved(cidr)) return;
  const match = CIDR_PATTERN.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : NaN;
  if (!match || octets.some((o) => o > 255)) {
    invalidProp(scope, 'cidr', cidr, 'not an IPv4 CIDR block', 'use a block such as "10.0.0.0/16"');
  }
  if (prefix < 16 || prefix > 18) {
    invalidProp(
      scope,
      'cidr',
      cidr,
      'the VPC needs a prefix between /16 and /18 to fit a /20 service subnet per AZ (plus public /24s with NAT)',
      'use a /16 to /18 block, e.g. "10.0.0.0/16"',
    );
  }
  const [a, b] = octets;
  const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  if (!isPrivate) {
    invalidProp(scope, 'cidr', cidr, 'not an RFC 1918 private range', 'use a block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16');
  }
}
