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
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
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
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt'],
        resources: ['*'],
      }),
    );
    expect(ruleViolations(KmsKeyPolicyScoped, stack)).toEqual(['TestStack/Key/Resource']);
  });

  it('flags a wildcard principal whose only condition does not scope the account', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { Bool: { 'aws:SecureTransport': 'true' } },
      }),
    );
    expect(ruleViolations(KmsKeyPolicyScoped, stack)).toEqual(['TestStack/Key/Resource']);
  });

  it.each([
    ['a wildcard caller account', { StringLike: { 'kms:CallerAccount': '*' } }],
    ['an IfExists operator (an absent key passes)', { StringEqualsIfExists: { 'kms:CallerAccount': '111122223333' } }],
    ['a negated operator', { StringNotEquals: { 'kms:CallerAccount': '111122223333' } }],
    ['a source ARN with a wildcard account', { ArnLike: { 'aws:SourceArn': 'arn:aws:logs:eu-west-1:*:log-group:*' } }],
    ['an empty value list', { StringEquals: { 'aws:SourceAccount': [] } }],
  ])('flags AWS:* whose condition only looks like scoping: %s', (_name, conditions) => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.addToResourcePolicy(
      new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['kms:Decrypt'], resources: ['*'], conditions }),
    );
    expect(ruleViolations(KmsKeyPolicyScoped, stack)).toEqual(['TestStack/Key/Resource']);
  });

  it('accepts a caller-account condition with this account and an ARN pattern scoped to it', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:CallerAccount': stack.account }, ArnLike: { 'aws:SourceArn': 'arn:aws:logs:eu-west-1:111122223333:*' } },
      }),
    );
    expect(ruleViolations(KmsKeyPolicyScoped, stack)).toEqual([]);
  });
});
