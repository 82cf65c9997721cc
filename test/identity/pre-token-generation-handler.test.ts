import { describe, expect, it } from 'vitest';
import {
  customizeTokens,
  handler,
  policyFromEnvironment,
  PreTokenGenerationV2Event,
  TokenPolicy,
} from '../../lib/identity/handlers/pre-token-generation.lambda';

/**
 * The V2_0 event exactly as the Cognito developer guide documents it ("Pre token generation Lambda trigger",
 * request: userAttributes, groupConfiguration, scopes, clientMetadata; response: claimsAndScopeOverrideDetails null).
 */
function recordedEvent(groups: string[], scopes: string[], userAttributes: Record<string, string> = {}): PreTokenGenerationV2Event {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_EXAMPLE',
    userName: 'jane',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '1example23456789' },
    request: {
      userAttributes: { sub: 'a1b2c3d4', email: 'jane@example.com', email_verified: 'true', 'cognito:user_status': 'CONFIRMED', ...userAttributes },
      groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: null },
      scopes,
    },
    response: { claimsAndScopeOverrideDetails: null },
  };
}

const POLICY: TokenPolicy = {
  roleScopes: { admin: ['orders/read', 'orders/write', 'catalog/write'], reader: ['orders/read', 'catalog/read'] },
  attributeClaims: { tenant: 'custom:tenant' },
};
const REQUESTED = ['openid', 'email', 'orders/read', 'orders/write', 'catalog/read', 'catalog/write'];

const accessScopes = (event: PreTokenGenerationV2Event) => {
  const suppressed = event.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.scopesToSuppress ?? [];
  const added = event.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.scopesToAdd ?? [];
  return [...event.request.scopes!.filter((s) => !suppressed.includes(s)), ...added].sort();
};

describe('pre-token-generation trigger (V2 event, access-token customization)', () => {
  it('a reader token carries only the reader scopes: every other resource-server scope is suppressed', () => {
    const event = customizeTokens(recordedEvent(['reader'], REQUESTED), POLICY);
    expect(event.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.scopesToSuppress).toEqual(['orders/write', 'catalog/write']);
    expect(accessScopes(event)).toEqual(['catalog/read', 'email', 'openid', 'orders/read']);
  });

  it('an admin gets the admin scopes; several groups combine their scopes', () => {
    expect(accessScopes(customizeTokens(recordedEvent(['admin'], REQUESTED), POLICY))).toEqual([
      'catalog/write',
      'email',
      'openid',
      'orders/read',
      'orders/write',
    ]);
    expect(accessScopes(customizeTokens(recordedEvent(['reader', 'admin'], REQUESTED), POLICY))).toEqual([
      'catalog/read',
      'catalog/write',
      'email',
      'openid',
      'orders/read',
      'orders/write',
    ]);
  });

  it('denies by default: no group, an unknown group or a prototype name grants no resource-server scope', () => {
    for (const groups of [[], ['auditors'], ['constructor', '__proto__', 'toString']]) {
      expect(accessScopes(customizeTokens(recordedEvent(groups, REQUESTED), POLICY))).toEqual(['email', 'openid']);
    }
  });

  it('never adds a scope the app client did not request (the client caps the role)', () => {
    const event = customizeTokens(recordedEvent(['admin'], ['openid', 'orders/read']), POLICY);
    expect(event.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.scopesToAdd).toBeUndefined();
    expect(accessScopes(event)).toEqual(['openid', 'orders/read']);
  });

  it('handles an event without scopes (no OAuth scopes in the request)', () => {
    const event = recordedEvent(['admin'], []);
    delete (event.request as { scopes?: string[] }).scopes;
    expect(customizeTokens(event, POLICY).response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.scopesToSuppress).toEqual([]);
  });

  it('copies admin-set attributes into claims of both tokens, and suppresses a claim whose attribute is empty', () => {
    const withTenant = customizeTokens(recordedEvent(['reader'], REQUESTED, { 'custom:tenant': 'acme' }), POLICY).response
      .claimsAndScopeOverrideDetails!;
    expect(withTenant.accessTokenGeneration?.claimsToAddOrOverride).toEqual({ tenant: 'acme' });
    expect(withTenant.idTokenGeneration?.claimsToAddOrOverride).toEqual({ tenant: 'acme' });
    expect(withTenant.accessTokenGeneration?.claimsToSuppress).toEqual([]);
    const without = customizeTokens(recordedEvent(['reader'], REQUESTED), POLICY).response.claimsAndScopeOverrideDetails!;
    expect(without.accessTokenGeneration?.claimsToAddOrOverride).toEqual({});
    expect(without.accessTokenGeneration?.claimsToSuppress).toEqual(['tenant']);
  });

  it('reads the policy the construct writes into the environment and answers through the handler', async () => {
    expect(policyFromEnvironment({ ROLE_SCOPES: JSON.stringify(POLICY.roleScopes), ATTRIBUTE_CLAIMS: '{"tenant":"custom:tenant"}' })).toEqual(POLICY);
    expect(policyFromEnvironment({})).toEqual({ roleScopes: {}, attributeClaims: {} });
    // The module read an empty environment: the handler denies every resource-server scope.
    const event = await handler(recordedEvent(['admin'], REQUESTED));
    expect(accessScopes(event)).toEqual(['email', 'openid']);
  });
});
