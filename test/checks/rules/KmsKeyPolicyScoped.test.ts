import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { KmsKeyPolicyScoped } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

describe('Platform-KmsKeyPolicyScoped', () => {
  it('accepts a rotating key whose service-principal statement is scoped to this account', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com')], actions: ['kms:Decrypt'], resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    expect(ruleViolations(KmsKeyPolicyScoped, stack)).toEqual([]);
  });

  it('flags a key without rotation', () => {
    const stack = newStack();
    new kms.Key(stack, 'Key', { enableKeyRotation: false });
    expect(ruleViolations(KmsKeyPolicyScoped, stack)).toEqual(['TestStack/Key/Resource']);
  });

  it('flags a service principal statement without an account-scoping condition', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com')], actions: ['kms:Decrypt'], resources: ['*'],
    }));
    expect(ruleViolations(KmsKeyPolicyScoped, stack)).toEqual(['TestStack/Key/Resource']);
  });

  it('flags a wildcard principal whose only condition does not scope the account', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()], actions: ['kms:Decrypt'], resources: ['*'],
      conditions: { Bool: { 'aws:SecureTransport': 'true' } },
    }));
    expect(ruleViolations(KmsKeyPolicyScoped, stack)).toEqual(['TestStack/Key/Resource']);
  });
});
