import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { subscribeEmails } from '../core/dead-letter-queue';
import { invalidProp } from '../private/errors';
import { ScanFindingAlerts } from './scan-finding-alerts';
import { SecureRepository } from './secure-repository';
import { ENVIRONMENT_NAME_PATTERN, SERVICE_NAME_PATTERN, SERVICE_NAME_PROBLEM, matching } from '../private/validation';

export interface PlatformRegistryProps {
  /** Environment name; repositories are named `<environmentName>/<service>`. */
  readonly environmentName: string;
  /**
   * Customer managed key for the images, the findings topic and its dead-letter queues.
   * @default - a new key in this stack (rotation on, retained on delete)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * E-mail addresses that receive CRITICAL/HIGH image-scan findings.
   * @default - none
   */
  readonly alarmEmails?: string[];
}

/**
 * The image repositories of one environment (P8, P14), meant for a stack of their own that deploys before the
 * services: a service cannot start before its image is pushed, and an image cannot be pushed before its repository
 * exists. `PlatformStage` puts it in `<env>/Registry` and the platform references the repositories across stacks.
 * Every repository is a SecureRepository named `<env>/<service>`, removed with a rolled-back create
 * (RETAIN_ON_UPDATE_OR_DELETE) so a failed first deploy can be retried, and kept on later deletes.
 */
export class PlatformRegistry extends Construct {
  /** Encrypts the images, the findings topic and the dead-letter queues. */
  public readonly encryptionKey: kms.IKey;
  /** Receives CRITICAL/HIGH findings of every repository of the registry. */
  public readonly findingsTopic: sns.Topic;
  /** One EventBridge rule for the findings of every `<env>/` repository (not two rules per repository). */
  public readonly findingAlerts: ScanFindingAlerts;
  public readonly environmentName: string;
  private readonly repositoryMap = new Map<string, SecureRepository>();

  constructor(scope: Construct, id: string, props: PlatformRegistryProps) {
    super(scope, id);
    this.environmentName = props.environmentName;
    matching(
      this,
      'environmentName',
      props.environmentName,
      ENVIRONMENT_NAME_PATTERN,
      'the environment name prefixes every repository name',
      'use lower-case letters, digits and "-", e.g. "dev"',
    );
    const stack = Stack.of(this);
    if (props.encryptionKey) {
      this.encryptionKey = props.encryptionKey;
    } else {
      const key = new kms.Key(this, 'Key', {
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
        pendingWindow: Duration.days(30),
        description: `cdk-secure-microservices ${props.environmentName}: container images and scan-finding alerts`,
      });
      // EventBridge (alert rule DLQs) and SNS (e-mail subscription DLQ) write to queues encrypted with this key.
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowAlertDeliveryServicesForThisAccount',
          principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('sns.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      );
      this.encryptionKey = key;
    }
    this.findingsTopic = new sns.Topic(this, 'FindingsTopic', {
      displayName: `Container image scan findings (${props.environmentName}, CRITICAL/HIGH)`,
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    this.findingAlerts = new ScanFindingAlerts(this, 'FindingAlerts', {
      topic: this.findingsTopic,
      topicKey: this.encryptionKey,
      encryptionKey: this.encryptionKey,
      repositoryPrefix: `${props.environmentName}/`,
    });
    subscribeEmails(this, this.findingsTopic, props.alarmEmails ?? [], {
      queueId: 'FindingsDeliveryDeadLetterQueue',
      encryptionKey: this.encryptionKey,
      catches: 'the findings e-mail subscriptions (findings SNS could not deliver)',
    });
  }

  /** The repositories created so far, by service name. */
  public get repositories(): ReadonlyMap<string, SecureRepository> {
    return this.repositoryMap;
  }

  /** The repository of `service` (`<env>/<service>`), created on first use. */
  public repositoryFor(service: string): SecureRepository {
    if (!SERVICE_NAME_PATTERN.test(service)) invalidProp(this, 'repositoryFor.service', service, SERVICE_NAME_PROBLEM, 'use e.g. "orders"');
    let repository = this.repositoryMap.get(service);
    if (!repository) {
      repository = new SecureRepository(this, service, {
        repositoryName: `${this.environmentName}/${service}`,
        encryptionKey: this.encryptionKey,
        findingAlerts: this.findingAlerts,
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      });
      this.repositoryMap.set(service, repository);
    }
    return repository;
  }
}
