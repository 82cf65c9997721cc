import { Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeFindings, complianceFindingIds } from '../core/acknowledge';
import { SecurityPack } from '../private/packs';
import { invalidProp } from '../private/errors';
import { wholeNumber } from '../private/validation';

/** Listeners per Network Load Balancer (ELB quota, not adjustable in practice for this design). */
export const MAX_LISTENERS_PER_NLB = 50;

export interface PrivateIntegrationGatewayProps {
  /** Name used in the descriptions and as the access-log prefix (lower case, digits, '-'). */
  readonly name: string;
  /** VPC of the load balancer (use `PrivateNetwork.vpc`). */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the internal load balancer.
   * @default - the VPC's isolated subnets (use `PrivateNetwork.serviceSubnets`)
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * Bucket for the load balancer's access logs (TLS handshakes and connections). Needs a stack with a concrete region.
   * @default - none: API Gateway access logs record every request and VPC flow logs every connection
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Turn on the load balancer's deletion protection. Leave it off for the deployment that creates the load balancer:
   * a protected load balancer cannot be deleted by a rollback (ROLLBACK_FAILED); switch it on by an update after the
   * first successful deploy.
   * @default false
   */
  readonly deletionProtection?: boolean;
}

/** Options of `createInternalLoadBalancer`: what the per-service and the shared load balancer have in common. */
export interface InternalLoadBalancerOptions {
  readonly name: string;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly accessLogsBucket?: s3.IBucket;
  readonly deletionProtection?: boolean;
}

/**
 * The hardened internal NLB in front of API Gateway private integrations: isolated subnets, its own security group
 * with no inbound rule (VPC link traffic arrives through PrivateLink), deletion protection on request (never on the
 * create: a rollback could not delete it), cross-zone, access logs
 * or reasoned acknowledgements. Creates `LoadBalancerSecurityGroup` and `LoadBalancer` in `scope` (construct IDs
 * are a public contract: SecureFargateService's own load balancer keeps them).
 */
export function createInternalLoadBalancer(
  scope: Construct,
  options: InternalLoadBalancerOptions,
): { loadBalancer: elbv2.NetworkLoadBalancer; securityGroup: ec2.SecurityGroup } {
  const securityGroup = new ec2.SecurityGroup(scope, 'LoadBalancerSecurityGroup', {
    vpc: options.vpc,
    description: `${options.name} internal NLB: reachable only through the API Gateway VPC link (PrivateLink)`,
    allowAllOutbound: false,
  });
  const loadBalancer = new elbv2.NetworkLoadBalancer(scope, 'LoadBalancer', {
    vpc: options.vpc,
    vpcSubnets: options.subnets,
    internetFacing: false,
    crossZoneEnabled: true,
    securityGroups: [securityGroup],
    // VPC link traffic arrives through PrivateLink; the group has no inbound rule, so nothing else in the VPC gets in.
    enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: false,
    deletionProtection: options.deletionProtection ?? false,
  });
  if (!options.deletionProtection) {
    acknowledgeFindings(
      loadBalancer,
      complianceFindingIds('ELBDeletionProtectionEnabled', [SecurityPack.NIST_800_53_R5, SecurityPack.HIPAA_SECURITY]),
      'Deletion protection is off while the load balancer is created: a protected load balancer cannot be deleted by a rollback (ROLLBACK_FAILED). Turn it on by an update after the first successful deploy (deletionProtection / loadBalancerDeletionProtection).',
    );
  }
  if (options.accessLogsBucket) {
    if (Token.isUnresolved(Stack.of(scope).region)) {
      invalidProp(
        scope,
        'accessLogsBucket',
        options.accessLogsBucket.node.path,
        "load balancer access logging needs the stack's region (the log-delivery principal differs per region) and this stack is env-agnostic",
        'give the stack an env with account and region, or omit accessLogsBucket',
      );
    }
    loadBalancer.logAccessLogs(options.accessLogsBucket, options.name);
  } else {
    acknowledgeFindings(
      loadBalancer,
      ['AwsSolutions::AwsSolutions-ELB2', ...complianceFindingIds('ELBLoggingEnabled')],
      'This internal NLB is reached only through the API Gateway VPC link: the API access log records every request and the VPC flow logs every connection; pass accessLogsBucket to add TLS-handshake logs.',
    );
  }
  return { loadBalancer, securityGroup };
}

/** The REST API (v1) VPC link to an internal load balancer; created as `VpcLink` in `scope`. */
export function createVpcLink(scope: Construct, name: string, loadBalancer: elbv2.INetworkLoadBalancer): apigw.VpcLink {
  return new apigw.VpcLink(scope, 'VpcLink', {
    targets: [loadBalancer],
    description: `${name}: API Gateway private integration`,
  });
}

/** The TLS listener a service adds to a load balancer (`IServiceListenerHost.addServiceListener`). */
export interface ServiceListenerOptions {
  /** Port of the listener (on a shared gateway: unique per gateway). */
  readonly port: number;
  /** Server certificate the listener presents. */
  readonly certificate: acm.ICertificate;
  /** The service's target group, the listener's default action. */
  readonly targetGroup: elbv2.INetworkTargetGroup;
}

/** A service's listener and the load balancer and VPC link API Gateway reaches it through. */
export interface ServiceListener {
  readonly listener: elbv2.NetworkListener;
  readonly listenerPort: number;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** Security group of the load balancer; the service admits its container port from it. */
  readonly securityGroup: ec2.SecurityGroup;
  readonly vpcLink: apigw.VpcLink;
}

/** Where a service's TLS listener goes: a shared PrivateIntegrationGateway, or the service's own load balancer. */
export interface IServiceListenerHost {
  /** Adds the TLS listener of `service` (`prop` names the listener port in error messages). */
  addServiceListener(service: Construct, prop: string, options: ServiceListenerOptions): ServiceListener;
}

function tlsListenerProps(options: ServiceListenerOptions): elbv2.BaseNetworkListenerProps {
  return {
    port: options.port,
    protocol: elbv2.Protocol.TLS,
    certificates: [elbv2.ListenerCertificate.fromCertificateManager(options.certificate)],
    sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    defaultTargetGroups: [options.targetGroup],
  };
}

/**
 * A load balancer and VPC link of one service, created in the service's scope (`LoadBalancerSecurityGroup`,
 * `LoadBalancer` with its `Tls` listener, `VpcLink`: construct IDs are a public contract).
 */
export class OwnLoadBalancer implements IServiceListenerHost {
  private readonly loadBalancer: elbv2.NetworkLoadBalancer;
  private readonly securityGroup: ec2.SecurityGroup;

  constructor(
    private readonly scope: Construct,
    private readonly options: InternalLoadBalancerOptions,
  ) {
    const built = createInternalLoadBalancer(scope, options);
    this.loadBalancer = built.loadBalancer;
    this.securityGroup = built.securityGroup;
  }

  public addServiceListener(_service: Construct, _prop: string, options: ServiceListenerOptions): ServiceListener {
    const listener = this.loadBalancer.addListener('Tls', tlsListenerProps(options));
    const vpcLink = createVpcLink(this.scope, this.options.name, this.loadBalancer);
    return { listener, listenerPort: options.port, loadBalancer: this.loadBalancer, securityGroup: this.securityGroup, vpcLink };
  }
}

/**
 * One internal NLB and one API Gateway VPC link shared by up to 50 SecureFargateServices (P1, P4): each service adds
 * its own TLS listener (its port, its certificate) and target group (`privateIntegration` of the service). A REST
 * VPC link per service (20 per account and Region by default) and an NLB per service (50) cap a platform at 20
 * services; sharing cuts both to one per group.
 */
export class PrivateIntegrationGateway extends Construct implements IServiceListenerHost {
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** Security group of the load balancer: no inbound rule; services admit their container port from it. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** VPC link (REST API, v1) to the load balancer. */
  public readonly vpcLink: apigw.VpcLink;
  private readonly listenerPorts = new Map<number, string>();

  constructor(scope: Construct, id: string, props: PrivateIntegrationGatewayProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.name) && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(props.name)) {
      invalidProp(
        this,
        'name',
        props.name,
        'the name is the access-log prefix and part of the descriptions',
        "use lower-case letters, digits and '-', e.g. 'services-1'",
      );
    }
    const built = createInternalLoadBalancer(this, {
      name: props.name,
      vpc: props.vpc,
      subnets: props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      accessLogsBucket: props.accessLogsBucket,
      deletionProtection: props.deletionProtection,
    });
    this.loadBalancer = built.loadBalancer;
    this.securityGroup = built.securityGroup;
    this.vpcLink = createVpcLink(this, props.name, this.loadBalancer);
  }

  /** Listener ports taken so far, in the order they were reserved. */
  public get ports(): number[] {
    return [...this.listenerPorts.keys()];
  }

  /**
   * Adds the TLS listener of `service` (created in the service's scope as `Listener`: its port, its certificate, its
   * target group) on a port reserved with reserveListenerPort.
   */
  public addServiceListener(service: Construct, prop: string, options: ServiceListenerOptions): ServiceListener {
    const listenerPort = this.reserveListenerPort(service, prop, options.port);
    const listener = new elbv2.NetworkListener(service, 'Listener', { loadBalancer: this.loadBalancer, ...tlsListenerProps(options) });
    return { listener, listenerPort, loadBalancer: this.loadBalancer, securityGroup: this.securityGroup, vpcLink: this.vpcLink };
  }

  /**
   * Reserves a listener port for `owner` (called by addServiceListener): rejects a port outside 1–65535, a port
   * already taken on this gateway, and a 51st listener.
   */
  public reserveListenerPort(owner: IConstruct, prop: string, port: number): number {
    wholeNumber(owner, prop, port, {
      min: 1,
      max: 65535,
      refuseTokens: true,
      problem: 'listener ports are whole numbers from 1 to 65535',
      fix: 'use a free port of the gateway such as 8443',
    });
    const taken = this.listenerPorts.get(port);
    if (taken !== undefined) {
      invalidProp(
        owner,
        prop,
        port,
        `port ${port} of gateway ${this.node.path} is already the listener of ${taken}`,
        `use a port the gateway does not use yet (taken: ${this.ports.join(', ')})`,
      );
    }
    if (this.listenerPorts.size >= MAX_LISTENERS_PER_NLB) {
      invalidProp(
        owner,
        prop,
        port,
        `gateway ${this.node.path} already has ${MAX_LISTENERS_PER_NLB} listeners, the Network Load Balancer quota`,
        'create another PrivateIntegrationGateway for further services',
      );
    }
    this.listenerPorts.set(port, owner.node.path);
    return port;
  }
}
