import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeFindings } from '../core/acknowledge';

export interface PrivateBucketOptions {
  /** Customer managed key for SSE-KMS. */
  readonly encryptionKey: kms.IKey;
  /**
   * Bucket for server access logs.
   * @default - a dedicated access-log bucket next to this one
   */
  readonly accessLogsBucket?: s3.IBucket;
  /** Why this bucket's content needs no cross-region replica (the acknowledgement's reason). */
  readonly noReplicationReason: string;
}

const REPLICATION_IDS = [
  'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
  'PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled',
  'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled',
];

/**
 * The PKI's private buckets (CRLs, truststores): block public access, bucket-owner-enforced ownership,
 * SSE-KMS with a customer managed key, TLS only, versioned, server access logs, retained on delete.
 */
export function createPrivateBucket(scope: Construct, id: string, options: PrivateBucketOptions): s3.Bucket {
  const logs = options.accessLogsBucket ?? createAccessLogsBucket(scope, `${id}AccessLogs`);
  const bucket = new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: options.encryptionKey,
    bucketKeyEnabled: true,
    enforceSSL: true,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // Configured by hand so the destination is granted through a bucket policy (not the legacy
  // LogDeliveryWrite ACL CDK uses without the serverAccessLogsUseBucketPolicy feature flag).
  const prefix = `${id}/`;
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: logs.bucketName, logFilePrefix: prefix };
  logs.addToResourcePolicy(new iam.PolicyStatement({
    sid: `AllowServerAccessLogsFrom${id}`,
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logs.arnForObjects(`${prefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
    },
  }));
  acknowledgeFindings(bucket.node.defaultChild!, REPLICATION_IDS, options.noReplicationReason);
  return bucket;
}

/** S3 server access logs may only go to an SSE-S3 bucket (cdk-nag exempts log destinations from the logging rules). */
function createAccessLogsBucket(scope: Construct, id: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const cfn = bucket.node.defaultChild!;
  acknowledgeFindings(cfn, [
    'NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS',
    'PCI.DSS.321::PCI.DSS.321-S3DefaultEncryptionKMS',
    'HIPAA.Security::HIPAA.Security-S3DefaultEncryptionKMS',
  ], 'S3 server access logging delivers only to buckets encrypted with SSE-S3 (SSE-KMS destinations are not supported).');
  acknowledgeFindings(cfn, REPLICATION_IDS, 'Server access logs of a single-region PKI bucket; a cross-region replica needs a bucket in another region that this stack cannot own.');
  return bucket;
}
