import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFindings } from './acknowledge';

/**
 * The one way the platform makes a dead-letter queue: KMS-encrypted with a customer key, TLS-only, 14 days of
 * retention. cdk-nag wants every queue to have a DLQ itself; a DLQ of a DLQ only moves the problem, so that
 * finding is acknowledged with what this queue catches (`catches`).
 */
export function createDeadLetterQueue(scope: Construct, id: string, encryptionKey: kms.IKey, catches: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: encryptionKey,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeFindings(
    queue,
    ['AwsSolutions::AwsSolutions-SQS3', 'Serverless::Serverless-SQSRedrivePolicy'],
    `This queue is itself the dead-letter queue of ${catches}; a DLQ of a DLQ would only move the problem.`,
  );
  return queue;
}

/**
 * Subscribes e-mail addresses to a topic, with one dead-letter queue (`queueId`) for what SNS cannot deliver; no
 * queue when there is no address.
 */
export function subscribeEmails(
  scope: Construct,
  topic: sns.ITopic,
  emails: readonly string[],
  dlq: { readonly queueId: string; readonly encryptionKey: kms.IKey; readonly catches: string },
): void {
  if (emails.length === 0) return;
  const undelivered = createDeadLetterQueue(scope, dlq.queueId, dlq.encryptionKey, dlq.catches);
  for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue: undelivered }));
}
