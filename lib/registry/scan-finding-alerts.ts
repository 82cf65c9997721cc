import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createDeadLetterQueue } from '../core/dead-letter-queue';
import { invalidProp } from '../private/errors';
import { ManagedPolicyRole } from '../core/managed-policy-role';

/** Severities that raise an alert. */
export const ALERT_SEVERITIES: readonly string[] = ['CRITICAL', 'HIGH'];

/** EventBridge's detail of a basic-scan (`ECR Image Scan`) alert for repositories matching `repository`. */
export function scanFindingsDetail(repository: string | { prefix: string }): Record<string, unknown>[] {
  return ALERT_SEVERITIES.map((severity) => ({
    'repository-name': [repository],
    'scan-status': ['COMPLETE'],
    'finding-severity-counts': { [severity]: [{ numeric: ['>', 0] }] },
  }));
}

/** EventBridge's detail of an enhanced-scanning (`Inspector2 Finding`) alert for repositories matching `repository`. */
export function inspectorFindingsDetail(repository: string | { prefix: string }): Record<string, unknown> {
  return {
    severity: [...ALERT_SEVERITIES],
    status: ['ACTIVE'],
    resources: { details: { awsEcrContainerImage: { repositoryName: [repository] } } },
  };
}

/** What delivers an alert: a role allowed to publish to the topic only, and a DLQ for what could not be delivered. */
export interface AlertDelivery {
  readonly deadLetterQueue: sqs.Queue;
  readonly role: ManagedPolicyRole;
  readonly target: events.IRuleTarget;
}

/**
 * The SNS target of the finding alerts, created as `AlertDeadLetterQueue` and `AlertRole` in `scope`: EventBridge
 * publishes with a role limited to the topic (and its key), retries for 24 hours, then parks the event in an
 * encrypted DLQ.
 */
export function createAlertDelivery(scope: Construct, topic: sns.ITopic, topicKey: kms.IKey | undefined, queueKey: kms.IKey): AlertDelivery {
  const deadLetterQueue = createDeadLetterQueue(
    scope,
    'AlertDeadLetterQueue',
    queueKey,
    'the scan-finding alert rules (an EventBridge target DLQ, which cdk-nag does not recognise as a DLQ)',
  );
  // A role with a customer managed policy instead of a service-principal grant on the topic and key.
  const role = new ManagedPolicyRole(scope, 'AlertRole', {
    assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
    description: 'EventBridge: publish image scan findings to the findings topic',
  });
  // Exact actions on the topic and its key (grantPublish would add kms:GenerateDataKey*).
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
  if (topicKey) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [topicKey.keyArn] }));
  }
  const target = new targets.SnsTopic(topic, {
    role: role.withoutPolicyUpdates(),
    deadLetterQueue,
    retryAttempts: 10,
    maxEventAge: Duration.hours(24),
  });
  return { deadLetterQueue, role, target };
}

export interface ScanFindingAlertsProps {
  /** Topic that receives CRITICAL and HIGH findings of every repository under the prefix. */
  readonly topic: sns.ITopic;
  /**
   * Key of the topic, for the publishing role.
   * @default - the topic's `masterKey`
   */
  readonly topicKey?: kms.IKey;
  /** Customer managed key of the dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /**
   * Repository names this rule covers, by prefix, e.g. `dev/` for `dev/orders`, `dev/billing`, …
   * (`SecureRepository` with `findingAlerts` checks its name starts with it).
   */
  readonly repositoryPrefix: string;
}

const PREFIX = /^[a-z0-9][a-z0-9._/-]{0,255}$/;

/**
 * One EventBridge rule for the CRITICAL and HIGH image findings of every repository whose name starts with a prefix
 * (P14): basic scans (`ECR Image Scan`) and enhanced scanning (`Inspector2 Finding`) in one pattern, one publishing
 * role and one DLQ. A rule per repository would use two of the default event bus's 300 rules per service; pass this
 * as `findingAlerts` to every `SecureRepository` of a platform instead.
 */
export class ScanFindingAlerts extends Construct {
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly role: ManagedPolicyRole;
  public readonly topic: sns.ITopic;
  public readonly repositoryPrefix: string;

  constructor(scope: Construct, id: string, props: ScanFindingAlertsProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.repositoryPrefix) && !PREFIX.test(props.repositoryPrefix)) {
      invalidProp(
        this,
        'repositoryPrefix',
        props.repositoryPrefix,
        'not the beginning of an ECR repository name (an empty prefix would match every repository of the account)',
        "use the platform's namespace, e.g. 'dev/'",
      );
    }
    this.topic = props.topic;
    this.repositoryPrefix = props.repositoryPrefix;
    const delivery = createAlertDelivery(this, props.topic, props.topicKey ?? props.topic.masterKey, props.encryptionKey);
    this.deadLetterQueue = delivery.deadLetterQueue;
    this.role = delivery.role;
    const repository = { prefix: props.repositoryPrefix };
    this.rule = new events.Rule(this, 'Rule', {
      description: `CRITICAL or HIGH image findings (basic scan or Inspector) in repositories ${props.repositoryPrefix}*`,
      eventPattern: {
        source: ['aws.ecr', 'aws.inspector2'],
        detailType: ['ECR Image Scan', 'Inspector2 Finding'],
        // The branches' fields do not overlap (ECR scan events have repository-name, Inspector events resources), so
        // each event type matches only its own branch.
        detail: { $or: [...scanFindingsDetail(repository), inspectorFindingsDetail(repository)] },
      },
      targets: [delivery.target],
    });
  }
}
