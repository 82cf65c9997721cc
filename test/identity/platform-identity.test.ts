import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlatformIdentity, PlatformIdentityProps } from '../../lib/identity/platform-identity';
import { expectNoFindings, expectReasonedAcknowledgements, newStack, synthWithGate } from '../support/harness';

function identityIn(props: Partial<PlatformIdentityProps> = {}) {
  const stack = newStack();
  const identity = new PlatformIdentity(stack, 'Identity', { domainPrefix: 'acme-platform-test', ...props });
  return { stack, identity };
}

describe('PlatformIdentity', () => {
  let gate: ReturnType<typeof synthWithGate>;
  let template: Template;

  beforeAll(() => {
    const { stack, identity } = identityIn();
    identity.addResourceServer('orders', ['read', 'write']);
    identity.addMachineClient('billing-service', ['orders/read']);
    identity.addUserClient('web', { callbackUrls: ['https://app.example.com/callback'], scopes: ['orders/read'] });
    gate = synthWithGate(stack);
    template = gate.template;
  });

  it('passes every security pack and PlatformChecks without acknowledgements', () => {
    expectNoFindings(gate);
    expectReasonedAcknowledgements(gate);
    expect(gate.acknowledged).toEqual([]);
  });

  it('uses the Plus plan with threat protection enforced, TOTP MFA required and a strong password policy', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED', AdvancedSecurityAdditionalFlows: { CustomAuthMode: 'ENFORCED' } },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
          PasswordHistorySize: 5,
        }),
      },
    });
  });

  it('has no self sign-up, email-only recovery, deletion protection and is retained on delete', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
        DeletionProtection: 'ACTIVE',
      }),
    });
  });

  it('publishes resource-server scopes and a Cognito domain with the given prefix', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'orders',
      Scopes: [
        { ScopeName: 'read', ScopeDescription: 'read on orders' },
        { ScopeName: 'write', ScopeDescription: 'write on orders' },
      ],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-platform-test' });
  });

  it('machine clients use client credentials with a secret, short tokens and revocation', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'billing-service',
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: [{ 'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('ResourceServer') }, '/read']] }],
      AccessTokenValidity: 15,
      TokenValidityUnits: Match.objectLike({ AccessToken: 'minutes' }),
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    });
  });

  it('user clients allow only the authorization code grant, without a secret, and hide user existence', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'web',
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://app.example.com/callback'],
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    });
    const flows = Object.values(template.findResources('AWS::Cognito::UserPoolClient')).flatMap((r) => r.Properties.AllowedOAuthFlows);
    expect(flows).not.toContain('implicit');
  });

  it('a cheaper plan is an explicit opt-out whose reason is recorded and acknowledges COG8 on the pool only', () => {
    const { stack, identity } = identityIn({
      withoutThreatProtection: { plan: cognito.FeaturePlan.ESSENTIALS, reason: 'internal sandbox without end users' },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'ESSENTIALS', UserPoolAddOns: Match.absent() });
    const optOuts = identity.node.metadata.filter((m) => m.type === 'cdk-secure-microservices:opt-out');
    expect(optOuts.map((m) => m.data)).toEqual([
      { control: 'Cognito Plus plan with threat protection', reason: 'internal sandbox without end users' },
    ]);
  });

  it('self sign-up only through an explicit opt-out', () => {
    const { stack } = identityIn({ allowSelfSignUp: { reason: 'public consumer app with email verification' } });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPool', { AdminCreateUserConfig: { AllowAdminCreateUserOnly: false } });
  });

  describe('rejects bad input with prop, value and fix', () => {
    it.each([
      ['domain prefix with upper case', { domainPrefix: 'Acme' }, /invalid domainPrefix \(received "Acme"\).*Fix:/],
      ['domain prefix containing cognito', { domainPrefix: 'my-cognito' }, /invalid domainPrefix .*must not contain/],
      ['short passwords', { passwordMinLength: 6 }, /invalid passwordMinLength \(received 6\).*Fix:/],
      ['long machine tokens', { machineAccessTokenValidity: Duration.days(2) }, /invalid machineAccessTokenValidity \(received "2880 minutes"\)/],
      [
        'an opt-out without a reason',
        { withoutThreatProtection: { plan: cognito.FeaturePlan.LITE, reason: '' } },
        /invalid withoutThreatProtection.reason/,
      ],
      [
        'a "cheaper" plan that is Plus',
        { withoutThreatProtection: { plan: cognito.FeaturePlan.PLUS, reason: 'no reason at all really' } },
        /invalid withoutThreatProtection.plan \(received "PLUS"\)/,
      ],
    ])('%s', (_name, props, error) => {
      expect(() => identityIn(props as Partial<PlatformIdentityProps>)).toThrow(error);
    });

    it('invalid resource-server identifiers and scope names (Cognito character rules)', () => {
      const { identity } = identityIn();
      expect(() => identity.addResourceServer('orders service', ['read'])).toThrow(
        /invalid addResourceServer\.identifier \(received "orders service"\).*Fix:/,
      );
      expect(() => identity.addResourceServer('orders', ['read/all'])).toThrow(
        /invalid addResourceServer\("orders"\)\.scopes \(received "read\/all"\).*without spaces/,
      );
      expect(() => identity.addResourceServer('orders', [])).toThrow(/grants nothing/);
      identity.addResourceServer('orders', ['read']);
      expect(() => identity.addResourceServer('orders', ['write'])).toThrow(/already exists/);
    });

    it('a shared resource server: scopes added by several calls, at most 100, each once; a rejected call adds nothing', () => {
      const { stack, identity } = identityIn();
      const server = identity.addResourceServerScopes('api', ['orders.read', 'orders.write']);
      expect(identity.addResourceServerScopes('api', ['billing.read'])).toBe(server);
      expect(() => identity.addResourceServerScopes('api', ['billing.write', 'billing.read'])).toThrow(
        /invalid addResourceServerScopes\("api"\)\.scopes \(received "billing.read"\): the resource server already publishes "api\/billing.read"/,
      );
      identity.addResourceServerScopes(
        'api',
        Array.from({ length: 97 }, (_, i) => `s${i}.read`),
      );
      expect(() => identity.addResourceServerScopes('api', ['one.more'])).toThrow(
        /resource server "api" already has 100 scopes, the most Cognito allows\. Fix: publish further scopes under another resource-server identifier/,
      );
      expect(() => identity.addResourceServerScopes('other', ['ok', 'bad/scope'])).toThrow(
        /invalid addResourceServerScopes\("other"\)\.scopes \(received "bad\/scope"\)/,
      );
      identity.addMachineClient('billing', ['api/orders.read', 'api/billing.read']);
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::Cognito::UserPoolResourceServer', 1);
      const [resourceServer] = Object.values(t.findResources('AWS::Cognito::UserPoolResourceServer'));
      expect(resourceServer.Properties.Identifier).toBe('api');
      expect(resourceServer.Properties.Scopes).toHaveLength(100);
      expect(resourceServer.Properties.Scopes.slice(0, 3)).toEqual(
        ['orders.read', 'orders.write', 'billing.read'].map((name) => ({ ScopeName: name, ScopeDescription: `${name} on api` })),
      );
    });

    it('machine and user clients with unknown scopes, bad names or insecure redirects', () => {
      const { identity } = identityIn();
      identity.addResourceServer('orders', ['read']);
      expect(() => identity.addMachineClient('svc', ['orders/write'])).toThrow(
        /not published by a resource server.*addResourceServer\("orders", \["write"\]\)/,
      );
      expect(() => identity.addMachineClient('svc', ['read'])).toThrow(/invalid addMachineClient\("svc"\)\.scopes \(received "read"\)/);
      expect(() => identity.addMachineClient('svc', [])).toThrow(/at least one resource-server scope/);
      expect(() => identity.addMachineClient('svc/1', ['orders/read'])).toThrow(/invalid client\.name \(received "svc\/1"\)/);
      expect(() => identity.addUserClient('web', { callbackUrls: ['http://app.example.com/cb'] })).toThrow(/must use https/);
    });
  });
});
