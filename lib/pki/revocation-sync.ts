import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createDeadLetterQueue } from '../core/dead-letter-queue';
import { viaService } from '../private/key-use';
import { createPkiFunction } from './pki-function';

export interface RevocationSyncProps {
  /** The CA whose revocations must reach the deny-list. */
  readonly certificateAuthority: acmpca.ICertificateAuthority;
  /** The authorizer's deny-list (`ClientCertificateAuthorizer.denyList`). */
  readonly denyList: dynamodb.ITable;
  /** The deny-list's key (writes go through DynamoDB); also encrypts the dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /** Encrypts the function's log group. */
  readonly logsKey: kms.IKey;
  /**
   * VPC for the function (it needs DynamoDB and ACM PCA).
   * @default - outside a VPC
   */
  readonly vpc?: ec2.IVpc;
}

/** The message synth prints: the sync sees only what CloudTrail records. */
export const REVOCATION_SYNC_NEEDS_TRAIL =
  "RevocationSync receives RevokeCertificate calls only as CloudTrail events: the account needs a trail that records management events in this region (the platform's Baseline stack creates one); without it, revocations made outside csm-certs never reach the deny-list.";

/**
 * Revocation from any path (P7): an EventBridge rule on the CloudTrail event of `acm-pca:RevokeCertificate` for the
 * CA triggers a function that writes the certificate's normalized serial to the authorizer's deny-list, so a
 * certificate revoked in the console or with the AWS CLI is refused like one revoked with csm-certs. The bound is
 * CloudTrail's delivery to EventBridge (typically well under 5 minutes) plus the authorizer's cache TTL. Failed
 * invocations are retried (EventBridge, then Lambda) and end in an encrypted dead-letter queue.
 */
export class RevocationSync extends Construct {
  public readonly rule: events.Rule;
  public readonly handler: lambda.Function;
  /** Events the function could not process after every retry. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: RevocationSyncProps) {
    super(scope, id);
    const caArn = props.certificateAuthority.certificateAuthorityArn;
    this.deadLetterQueue = createDeadLetterQueue(
      this,
      'DeadLetterQueue',
      props.encryptionKey,
      'the revocation sync (RevokeCertificate events it could not write to the deny-list)',
    );
    this.handler = createPkiFunction(this, 'Handler', {
      handler: 'revocation-sync',
      description: 'Writes certificates revoked by any path (CloudTrail RevokeCertificate) to the mTLS deny-list',
      logsKey: props.logsKey,
      timeout: Duration.seconds(30),
      vpc: props.vpc,
      deadLetterQueue: this.deadLetterQueue,
      environment: { DENY_LIST_TABLE: props.denyList.tableName, CERTIFICATE_AUTHORITY_ARNS: caArn },
      statements: [
        new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [props.denyList.tableArn] }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.encryptionKey.keyArn],
          conditions: viaService('dynamodb', Stack.of(this).region),
        }),
        new iam.PolicyStatement({
          actions: ['acm-pca:DescribeCertificateAuthority', 'acm-pca:GetCertificateAuthorityCertificate'],
          resources: [caArn],
        }),
      ],
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'acm-pca RevokeCertificate (CloudTrail) on the platform CA -> mTLS deny-list',
      eventPattern: {
        source: ['aws.acm-pca'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['acm-pca.amazonaws.com'],
          eventName: ['RevokeCertificate'],
          errorCode: [{ exists: false }],
          requestParameters: { certificateAuthorityArn: [caArn] },
        },
      },
      targets: [
        new targets.LambdaFunction(this.handler, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 20, maxEventAge: Duration.hours(6) }),
      ],
    });
    Annotations.of(this).addInfo(REVOCATION_SYNC_NEEDS_TRAIL);
  }
}
