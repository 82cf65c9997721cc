import * as kms from 'aws-cdk-lib/aws-kms';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlatformIdentity, PlatformIdentityProps } from '../../lib/identity/platform-identity';
import { expectCfnLintClean } from '../support/checks';
import { expectNoFindings, expectReasonedAcknowledgements, newStack, synthWithGate } from '../support/harness';
import { CfnJson } from '../../lib/private/rule-helpers';

function identityIn(props: Partial<PlatformIdentityProps> = {}) {
  const stack = newStack();
  const logsKey = new kms.Key(stack, 'LogsKey', { enableKeyRotation: true });
  const identity = new PlatformIdentity(stack, 'Identity', { domainPrefix: 'acme-platform-test', logsKey, ...props });
  return { stack, identity, logsKey };
}

describe('PlatformIdentity roles (RBAC) and attribute claims (ABAC)', () => {
  let gate: ReturnType<typeof synthWithGate>;
  let template: Template;

  beforeAll(() => {
    const { stack, identity } = identityIn({ userAttributeClaims: ['tenant'] });
    identity.addResourceServer('orders', ['read', 'write']);
    identity.addUserClient('web', { callbackUrls: ['https://app.example.com/callback'], scopes: ['orders/read', 'orders/write'] });
    identity.addRole('admin', { scopes: ['orders/read', 'orders/write'], description: 'Operators who manage orders', precedence: 0 });
    identity.addRole('reader', { scopes: ['orders/read'], description: 'Staff who look orders up' });
    gate = synthWithGate(stack);
    template = gate.template;
  });

  it('passes every pack, with reasoned acknowledgements only, and cfn-lint', () => {
    expectNoFindings(gate);
    expectReasonedAcknowledgements(gate);
    expectCfnLintClean(gate.templatePaths);
  });

  it('creates one Cognito group per role in the pool', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolGroup', 2);
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: 'admin',
      Description: 'Operators who manage orders',
      Precedence: 0,
      UserPoolId: { Ref: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'reader', Description: 'Staff who look orders up' });
  });

  it('wires a V2_0 pre-token-generation trigger whose environment maps each role to exactly its scopes', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PreTokenGeneration'), 'Arn'] }, LambdaVersion: 'V2_0' },
      },
      UserPoolTier: 'PLUS',
    });
    const [fn] = Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { ROLE_SCOPES: Match.anyValue() } } } }),
    );
    expect(JSON.parse(fn.Properties.Environment.Variables.ROLE_SCOPES)).toEqual({ admin: ['orders/read', 'orders/write'], reader: ['orders/read'] });
    expect(JSON.parse(fn.Properties.Environment.Variables.ATTRIBUTE_CLAIMS)).toEqual({ tenant: 'custom:tenant' });
    expect(fn.Properties.Timeout).toBe(5);
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'cognito-idp.amazonaws.com' });
  });

  it('runs the trigger with least privilege and an encrypted log group with retention', () => {
    const [fn] = Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { ROLE_SCOPES: Match.anyValue() } } } }),
    );
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.Policies).toBeUndefined();
    const resources = template.toJSON().Resources;
    const policies = role.Properties.ManagedPolicyArns.map((arn: { Ref: string }) => resources[arn.Ref]);
    expect(policies).toHaveLength(1);
    const actions = policies.flatMap((p: CfnJson) => p.Properties.PolicyDocument.Statement.flatMap((s: CfnJson) => [s.Action].flat()));
    expect(actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
    expect(resources[logGroupId].Properties).toMatchObject({
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^LogsKey/), 'Arn'] },
      RetentionInDays: 365,
    });
  });

  it('ABAC: the claim comes from a custom attribute that no app client may write', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([Match.objectLike({ Name: 'tenant', AttributeDataType: 'String', Mutable: true })]),
    });
    const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
    expect(client.Properties.WriteAttributes.length).toBeGreaterThan(0);
    expect(client.Properties.WriteAttributes.some((a: string) => a.startsWith('custom:'))).toBe(false);
  });

  describe('rejects bad input with prop, value and fix', () => {
    it('roles with unknown scopes, no scopes, bad names, duplicates or no description', () => {
      const { identity } = identityIn();
      identity.addResourceServer('orders', ['read']);
      expect(() => identity.addRole('admin', { scopes: ['orders/write'], description: 'Operators' })).toThrow(
        /invalid addRole\("admin"\)\.scopes \(received "orders\/write"\).*not published.*Fix: add it first/,
      );
      expect(() => identity.addRole('admin', { scopes: [], description: 'Operators' })).toThrow(
        /invalid addRole\("admin"\)\.scopes.*grants nothing.*Fix:/,
      );
      expect(() => identity.addRole('bad name', { scopes: ['orders/read'], description: 'Operators' })).toThrow(
        /invalid addRole\.name \(received "bad name"\).*Fix:/,
      );
      expect(() => identity.addRole('admin', { scopes: ['orders/read'], description: '' })).toThrow(/invalid addRole\("admin"\)\.description.*Fix:/);
      expect(() => identity.addRole('admin', { scopes: ['orders/read'], description: 'Operators', precedence: -1 })).toThrow(
        /precedence \(received -1\)/,
      );
      identity.addRole('admin', { scopes: ['orders/read'], description: 'Operators' });
      expect(() => identity.addRole('admin', { scopes: ['orders/read'], description: 'Operators' })).toThrow(/already exists/);
    });

    it('roles without a logs key, on an existing pool or on the Lite plan', () => {
      const noKey = new PlatformIdentity(newStack(), 'Identity', { domainPrefix: 'acme-platform-test' });
      noKey.addResourceServer('orders', ['read']);
      expect(() => noKey.addRole('reader', { scopes: ['orders/read'], description: 'Readers' })).toThrow(
        /invalid logsKey.*encrypted.*Fix: pass logsKey/,
      );
      const stack = newStack();
      const existing = new PlatformIdentity(stack, 'Identity', {
        domainPrefix: 'acme-platform-test',
        existingUserPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_abc'),
      });
      existing.addResourceServer('orders', ['read']);
      expect(() => existing.addRole('reader', { scopes: ['orders/read'], description: 'Readers' })).toThrow(
        /can only be added to a user pool this construct creates/,
      );
      const { identity: lite } = identityIn({
        withoutThreatProtection: { plan: cognito.FeaturePlan.LITE, reason: 'A throwaway sandbox without real users' },
      });
      lite.addResourceServer('orders', ['read']);
      expect(() => lite.addRole('reader', { scopes: ['orders/read'], description: 'Readers' })).toThrow(/needs the Essentials or Plus plan/);
    });

    it("a role → scopes map that would not fit the trigger's 4 KB environment fails synth, not the deploy", () => {
      const { stack, identity } = identityIn();
      const scopes = Array.from({ length: 60 }, (_, i) => `scope-number-${i}`);
      identity.addResourceServer('orders', scopes);
      for (let r = 0; r < 6; r++)
        identity.addRole(`role-${r}`, { scopes: scopes.map((s) => `orders/${s}`), description: `Role number ${r} with every scope` });
      expect(() => Template.fromStack(stack)).toThrow(
        /PreTokenGeneration: the function's environment is \d+ bytes .*over the 4096 bytes Lambda allows.*Fix: keep what grows with the app/,
      );
    });

    it('attribute claims that are reserved, malformed or duplicated', () => {
      expect(() => identityIn({ userAttributeClaims: ['scope'] })).toThrow(/invalid userAttributeClaims \(received "scope"\).*Fix:/);
      expect(() => identityIn({ userAttributeClaims: ['Tenant-Id'] })).toThrow(/invalid userAttributeClaims \(received "Tenant-Id"\)/);
      expect(() => identityIn({ userAttributeClaims: ['tenant', 'tenant'] })).toThrow(/listed twice/);
    });
  });
});
