import { CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CUSTOM_RESOURCE_SERVICE_TIMEOUT } from '../private/custom-resource';
import { invalidProp } from '../private/errors';
import { viaService } from '../private/key-use';
import { SecureBucket } from '../storage/secure-bucket';
import { createPkiFunction, egressSubnets } from './pki-function';
import { wholeDays } from '../private/validation';

export interface TruststoreProps {
  /** The CA whose chain clients' certificates must chain to. */
  readonly certificateAuthority: acmpca.ICertificateAuthority;
  /**
   * The CA chain PEM (`PrivateCertificateAuthority.chainPem`). The reference orders the truststore after the CA's
   * activation (before it, the CA has no certificate to read) and updates it when the CA certificate changes.
   */
  readonly caChainPem: string;
  /** Customer managed key for the truststore bucket (SSE-KMS). */
  readonly encryptionKey: kms.IKey;
  /** Customer managed key for the handler's log group. */
  readonly logsKey: kms.IKey;
  /**
   * Object key of the truststore PEM.
   * @default 'truststore.pem'
   */
  readonly objectKey?: string;
  /**
   * How long a replaced truststore version stays before the lifecycle rule expires it (whole days, 30–3650; a
   * domain pins a version until its next deployment).
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * Bucket for the truststore bucket's server access logs (SSE-S3).
   * @default - a dedicated access-log bucket (SecureBucket's)
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * VPC for the handler. It needs ACM PCA, S3 and the CloudFormation response URL (an AWS-owned S3 bucket), so the
   * VPC must give its subnets internet egress (NAT): isolated subnets, such as PrivateNetwork's default, are refused.
   * @default - the handler runs outside a VPC
   */
  readonly vpc?: ec2.IVpc;
}

const OBJECT_KEY = /^[A-Za-z0-9!_.*'()/-]{1,1024}$/;

/**
 * The mTLS truststore of a custom domain: a custom resource writes the CA chain PEM to a versioned, KMS-encrypted,
 * private, TLS-only bucket and returns the object's version id. Replays with the same content reuse the version;
 * deleting the resource keeps every version (replaced versions expire through the lifecycle rule only).
 */
export class Truststore extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly objectKey: string;
  /** The version id of the PEM this deployment wrote or reused. */
  public readonly version: string;
  /** The custom resource; a domain depends on it so the object exists first (aws-cdk#30859). */
  public readonly resource: CustomResource;
  public readonly handler: lambda.Function;

  constructor(scope: Construct, id: string, props: TruststoreProps) {
    super(scope, id);
    this.objectKey = props.objectKey ?? 'truststore.pem';
    if (!Token.isUnresolved(this.objectKey) && (!OBJECT_KEY.test(this.objectKey) || this.objectKey.startsWith('/'))) {
      invalidProp(
        this,
        'objectKey',
        this.objectKey,
        'not a safe S3 object key',
        'use letters, digits and !_.*\'()/- without a leading "/", e.g. "truststore.pem"',
      );
    }
    const expirationDays = wholeDays(this, 'noncurrentVersionExpiration', props.noncurrentVersionExpiration ?? Duration.days(90), {
      min: 30,
      max: 3650,
      problem: 'replaced versions must outlive the deployments that may still reference them',
      fix: 'use Duration.days(n) with n a whole number from 30 to 3650',
    });

    this.bucket = new SecureBucket(this, 'Bucket', {
      encryptionKey: props.encryptionKey,
      accessLogsBucket: props.accessLogsBucket,
      accessLogsPrefix: 'truststore-bucket/',
      withoutReplication: {
        reason:
          'The truststore is written from the CA on every deployment and API Gateway reads it in this region only; the CA, not this bucket, is the source of truth.',
      },
      noncurrentVersionExpiration: Duration.days(expirationDays),
    }).bucket;

    const objectArn = this.bucket.arnForObjects(this.objectKey);
    this.handler = createPkiFunction(this, 'Handler', {
      handler: 'truststore',
      description: 'Writes the CA chain PEM of an mTLS truststore to S3',
      logsKey: props.logsKey,
      timeout: Duration.minutes(2),
      vpc: props.vpc,
      vpcSubnets: props.vpc ? egressSubnets(this, props.vpc, 'ACM PCA, S3 and the CloudFormation response URL') : undefined,
      noDeadLetterQueueReason:
        'Invoked by CloudFormation, which learns every outcome through the response URL; a lost invocation fails the stack operation instead of waiting unread in a queue.',
      statements: [
        new iam.PolicyStatement({
          actions: ['acm-pca:GetCertificateAuthorityCertificate'],
          resources: [props.certificateAuthority.certificateAuthorityArn],
        }),
        new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [objectArn] }),
        // Without it S3 answers a missing key with 403 instead of 404, and the first Create could not tell the two apart.
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.encryptionKey.keyArn],
          conditions: viaService('s3', Stack.of(this).region),
        }),
      ],
    });

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.functionArn,
      resourceType: 'Custom::MutualTlsTruststore',
      // A lost response fails the stack operation after this instead of holding CloudFormation for an hour.
      serviceTimeout: CUSTOM_RESOURCE_SERVICE_TIMEOUT,
      properties: {
        CertificateAuthorityArn: props.certificateAuthority.certificateAuthorityArn,
        BucketName: this.bucket.bucketName,
        ObjectKey: this.objectKey,
        CaChainPem: props.caChainPem,
      },
    });
    this.version = this.resource.getAttString('VersionId');
  }
}
