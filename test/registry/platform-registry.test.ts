import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlatformRegistry } from '../../lib/registry/platform-registry';
import { expectCfnLintClean, logicalIdOf } from '../support/checks';
import { expectNoFindings, expectReasonedAcknowledgements, newStack, synthWithGate } from '../support/harness';

describe('PlatformRegistry', () => {
  // GIVEN a registry stack of its own with two services' repositories and e-mail alerts, through the full gate
  let gate: ReturnType<typeof synthWithGate>;
  let template: Template;
  let registry: PlatformRegistry;

  beforeAll(() => {
    const stack = newStack('Registry');
    registry = new PlatformRegistry(stack, 'Registry', { environmentName: 'dev', alarmEmails: ['oncall@example.com'] });
    registry.repositoryFor('orders');
    registry.repositoryFor('payments');
    gate = synthWithGate(stack);
    template = gate.template;
  });

  it('passes every security pack with reasoned acknowledgements, and cfn-lint', () => {
    expectNoFindings(gate);
    expectReasonedAcknowledgements(gate);
    expectCfnLintClean(gate.templatePaths);
  });

  it('names each repository <env>/<service>; removed only with a rolled-back create (the fixed name would block the retry)', () => {
    const repositories = Object.values(template.findResources('AWS::ECR::Repository'));
    expect(repositories.map((r) => r.Properties.RepositoryName)).toEqual(['dev/orders', 'dev/payments']);
    for (const r of repositories) {
      expect([r.DeletionPolicy, r.UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain']);
      expect(r.Properties).toMatchObject({
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS' },
      });
    }
  });

  it('returns the same repository for the same service, and exposes them by name', () => {
    expect(registry.repositoryFor('orders')).toBe(registry.repositories.get('orders'));
    expect([...registry.repositories.keys()]).toEqual(['orders', 'payments']);
  });

  it('encrypts with its own rotating key, which admits EventBridge and SNS (dead-letter queues) for this account only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: ['events.amazonaws.com', 'sns.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  it('sends CRITICAL/HIGH findings of every <env>/ repository through one rule to one encrypted topic with e-mail subscribers and a DLQ', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const topic = logicalIdOf(registry.findingsTopic);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    // One rule for every repository of the registry (not two per repository: the default bus allows 300 rules).
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties.Targets[0].Arn).toEqual({ Ref: topic });
    expect(JSON.stringify(rules[0].Properties.EventPattern)).toContain('{"prefix":"dev/"}');
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: topic },
      RedrivePolicy: Match.anyValue(),
    });
  });

  it('rejects bad environment and service names with the value and the fix', () => {
    expect(() => new PlatformRegistry(newStack(), 'Bad', { environmentName: 'Dev_1' })).toThrow(
      /invalid environmentName \(received "Dev_1"\).*Fix: use lower-case letters/,
    );
    expect(() => registry.repositoryFor('Orders')).toThrow(/invalid repositoryFor\.service \(received "Orders"\).*Fix: use e\.g\. "orders"/);
  });
});
