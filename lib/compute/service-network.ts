import { CfnElement, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as vpclattice from 'aws-cdk-lib/aws-vpclattice';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../core/acknowledge';
import { createSecureLogGroup } from '../core/secure-log-group';
import { invalidProp } from '../private/errors';

/**
 * The IPv4 addresses VPC Lattice uses in a VPC associated with a service network (link-local, the content of the
 * `com.amazonaws.<region>.vpc-lattice` managed prefix list in the commercial Regions).
 */
export const VPC_LATTICE_LINK_LOCAL_CIDR = '169.254.171.0/24';

export interface ServiceNetworkProps {
  /** The VPC whose services call each other (use `PrivateNetwork.vpc`). */
  readonly vpc: ec2.IVpc;
  /** Encrypts the access-log group (every request through the network, with the caller's IAM identity). */
  readonly logsKey: kms.IKey;
  /**
   * Access-log retention (whole days, a finite CloudWatch Logs value: ALLOWED_RETENTION_DAYS).
   * @default Duration.days(365)
   */
  readonly logRetention?: Duration;
  /**
   * Id of the region's `com.amazonaws.<region>.vpc-lattice` managed prefix list, for the callers' egress and the
   * callees' ingress rules.
   * @default - the link-local range 169.254.171.0/24 (VPC_LATTICE_LINK_LOCAL_CIDR)
   */
  readonly latticePrefixListId?: string;
}

/** Options of `ServiceNetwork.addService`. */
export interface ServiceNetworkServiceOptions {
  /**
   * How long a connection to a target may stay idle before VPC Lattice closes it (1 s – 10 min).
   * @default Duration.seconds(60)
   */
  readonly idleTimeout?: Duration;
}

/** A VPC Lattice service of a ServiceNetwork, the callee side of service-to-service calls. */
export interface ServiceNetworkEntry {
  /** The service's name in the platform (e.g. `payments`). */
  readonly name: string;
  readonly network: ServiceNetwork;
  readonly service: vpclattice.CfnService;
  readonly serviceId: string;
  readonly serviceArn: string;
  /** DNS name callers send requests to (`https://<dnsName>/...`, SigV4-signed for `vpc-lattice-svcs`). */
  readonly dnsName: string;
  readonly idleTimeout: Duration;
}

const MAX_IDLE_TIMEOUT_SECONDS = 600;
/** VPC Lattice closes a connection to a target after 60 s without traffic unless the service says otherwise. */
export const LATTICE_DEFAULT_IDLE_TIMEOUT_SECONDS = 60;

/**
 * Service-to-service calls with caller identity (P2, P3, P11): a VPC Lattice service network with IAM auth,
 * associated with the VPC, whose auth policy admits principals of this account only. Each callee gets a Lattice
 * service (`addService`) with IAM auth, whose own auth policy (written by SecureFargateService) names exactly the
 * task roles of its callers, so a call from any other service is refused with 403 even from inside the VPC. Every
 * request is logged with the caller's identity to an encrypted log group. Lattice needs no VPC endpoint: the VPC
 * association gives isolated subnets their path.
 */
export class ServiceNetwork extends Construct {
  public readonly network: vpclattice.CfnServiceNetwork;
  public readonly vpcAssociation: vpclattice.CfnServiceNetworkVpcAssociation;
  /** Security group of the VPC association: HTTPS from inside the VPC only. */
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly authPolicy: vpclattice.CfnAuthPolicy;
  public readonly accessLogGroup: logs.LogGroup;
  /** Where Lattice traffic comes from and goes to inside the VPC (callers' egress, callees' ingress). */
  public readonly latticePeer: ec2.IPeer;
  private readonly entries = new Map<string, ServiceNetworkEntry>();

  constructor(scope: Construct, id: string, props: ServiceNetworkProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (
      props.latticePrefixListId !== undefined &&
      !Token.isUnresolved(props.latticePrefixListId) &&
      !/^pl-[0-9a-f]{8,17}$/.test(props.latticePrefixListId)
    ) {
      invalidProp(
        this,
        'latticePrefixListId',
        props.latticePrefixListId,
        'not a managed prefix list id',
        'look it up with: aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.<region>.vpc-lattice',
      );
    }
    this.latticePeer = props.latticePrefixListId ? ec2.Peer.prefixList(props.latticePrefixListId) : ec2.Peer.ipv4(VPC_LATTICE_LINK_LOCAL_CIDR);

    this.network = new vpclattice.CfnServiceNetwork(this, 'Resource', { authType: 'AWS_IAM' });
    // The network admits authenticated principals of this account; each service's policy names its callers.
    this.authPolicy = new vpclattice.CfnAuthPolicy(this, 'AuthPolicy', {
      resourceIdentifier: this.network.attrId,
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ThisAccountsAuthenticatedPrincipalsOnly',
            Effect: 'Allow',
            Principal: '*',
            Action: 'vpc-lattice-svcs:Invoke',
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalAccount': stack.account } },
          },
        ],
      },
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'VPC Lattice service network association: HTTPS from calling services only',
      allowAllOutbound: false,
    });
    this.vpcAssociation = new vpclattice.CfnServiceNetworkVpcAssociation(this, 'VpcAssociation', {
      serviceNetworkIdentifier: this.network.attrId,
      vpcIdentifier: props.vpc.vpcId,
      securityGroupIds: [this.securityGroup.securityGroupId],
    });
    this.accessLogGroup = createSecureLogGroup(this, 'AccessLogs', {
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      retentionPropName: 'logRetention',
    });
    new vpclattice.CfnAccessLogSubscription(this, 'AccessLogSubscription', {
      resourceIdentifier: this.network.attrId,
      destinationArn: this.accessLogGroup.logGroupArn,
    });
  }

  /**
   * The caller's half of a call: an identity-based allow of `vpc-lattice-svcs:Invoke` on the callee's Lattice service
   * for the caller's task role (Lattice requires it next to the auth policy's allow), and HTTPS from the caller's
   * security group to the VPC association. Created here, next to the Lattice service, so no services stack depends on
   * another one's outputs in both directions.
   */
  public grantInvoke(entry: ServiceNetworkEntry, callerName: string, role: iam.IRole, callerSecurityGroup: ec2.ISecurityGroup): iam.ManagedPolicy {
    const id = `Invoke-${entry.name}-from-${callerName}`;
    const policy = new iam.ManagedPolicy(this, id, {
      description: `${callerName} may call ${entry.name} through VPC Lattice`,
      roles: [role],
      statements: [new iam.PolicyStatement({ actions: ['vpc-lattice-svcs:Invoke'], resources: [`${entry.serviceArn}/*`] })],
    });
    const serviceId = Stack.of(this).getLogicalId(entry.service as CfnElement);
    acknowledgeFinding(
      policy,
      `AwsSolutions::AwsSolutions-IAM5[Resource::<${serviceId}.Arn>/*]`,
      `The wildcard is the request path on the one ${entry.name} Lattice service: ${callerName} may call its paths, and the service's routes decide per path.`,
    );
    this.securityGroup.addIngressRule(callerSecurityGroup, ec2.Port.tcp(443), `HTTPS from ${callerName} (IAM auth decides per service)`);
    return policy;
  }

  /** The services added so far, by name. */
  public get services(): ReadonlyMap<string, ServiceNetworkEntry> {
    return this.entries;
  }

  /**
   * A Lattice service with IAM auth for the callee `name`, associated with this network. It admits nobody until
   * a SecureFargateService registers its tasks and names its callers (`callers` prop).
   */
  public addService(name: string, options: ServiceNetworkServiceOptions = {}): ServiceNetworkEntry {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(name) || name.endsWith('-') || name.includes('--')) {
      invalidProp(
        this,
        'addService.name',
        name,
        'names are lower-case letters, digits and single "-", starting with a letter, at most 40 characters',
        'use the service name, e.g. "payments"',
      );
    }
    if (this.entries.has(name)) {
      invalidProp(this, 'addService.name', name, 'this service is already on the network', 'add each service once');
    }
    const idleTimeout = options.idleTimeout ?? Duration.seconds(LATTICE_DEFAULT_IDLE_TIMEOUT_SECONDS);
    const idleSeconds = idleTimeout.toSeconds();
    if (!Token.isUnresolved(idleSeconds) && (idleSeconds < 1 || idleSeconds > MAX_IDLE_TIMEOUT_SECONDS)) {
      invalidProp(
        this,
        `addService("${name}").idleTimeout`,
        `${idleSeconds} s`,
        `VPC Lattice closes idle connections after 1 s to ${MAX_IDLE_TIMEOUT_SECONDS} s`,
        'use e.g. Duration.seconds(60)',
      );
    }
    // 60 s is VPC Lattice's own default idle timeout: the property is only written when it differs, because cfn-lint's
    // resource schema does not know IdleTimeoutSeconds yet (CloudFormation and aws-cdk-lib do).
    const service = new vpclattice.CfnService(this, `Service-${name}`, {
      authType: 'AWS_IAM',
      idleTimeoutSeconds: idleSeconds === LATTICE_DEFAULT_IDLE_TIMEOUT_SECONDS ? undefined : idleSeconds,
    });
    new vpclattice.CfnServiceNetworkServiceAssociation(this, `Association-${name}`, {
      serviceNetworkIdentifier: this.network.attrId,
      serviceIdentifier: service.attrId,
    });
    const entry: ServiceNetworkEntry = {
      name,
      network: this,
      service,
      serviceId: service.attrId,
      serviceArn: service.attrArn,
      dnsName: service.attrDnsEntryDomainName,
      idleTimeout,
    };
    this.entries.set(name, entry);
    return entry;
  }
}
