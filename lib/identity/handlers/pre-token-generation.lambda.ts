/**
 * Cognito pre-token-generation trigger (event version 2, access-token customization): roles are Cognito groups,
 * and the access token carries only the resource-server scopes that the caller's groups grant (RBAC), plus claims
 * copied from user attributes that only administrators can set (ABAC, e.g. `custom:tenant` → `tenant`).
 */

/** The V2_0 (and V3_0) event as Cognito sends it (developer guide, "Pre token generation Lambda trigger"). */
export interface PreTokenGenerationV2Event {
  readonly version: string;
  readonly triggerSource: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly userName?: string;
  readonly callerContext: { readonly awsSdkVersion: string; readonly clientId: string };
  readonly request: {
    readonly userAttributes: Record<string, string>;
    readonly groupConfiguration: {
      readonly groupsToOverride?: string[];
      readonly iamRolesToOverride?: string[];
      readonly preferredRole?: string | null;
    };
    /** Scopes of the token request (absent for flows without OAuth scopes, e.g. admin authentication). */
    readonly scopes?: string[];
    readonly clientMetadata?: Record<string, string>;
  };
  response: { claimsAndScopeOverrideDetails: ClaimsAndScopeOverrideDetails | null };
}

export interface TokenOverrides {
  readonly claimsToAddOrOverride?: Record<string, string>;
  readonly claimsToSuppress?: string[];
  readonly scopesToAdd?: string[];
  readonly scopesToSuppress?: string[];
}

export interface ClaimsAndScopeOverrideDetails {
  readonly idTokenGeneration?: Omit<TokenOverrides, 'scopesToAdd' | 'scopesToSuppress'>;
  readonly accessTokenGeneration?: TokenOverrides;
}

export interface TokenPolicy {
  /** Role (Cognito group) name → the resource-server scopes (`<server>/<scope>`) it grants. */
  readonly roleScopes: Readonly<Record<string, readonly string[]>>;
  /** Claim name → the user attribute it is copied from (e.g. `{ tenant: 'custom:tenant' }`). */
  readonly attributeClaims: Readonly<Record<string, string>>;
}

/** Resource-server scopes are `<identifier>/<name>`; OIDC scopes (openid, email, ...) have no "/". */
const isResourceServerScope = (scope: string) => scope.includes('/');

/**
 * Fills the event's response: every requested resource-server scope that none of the caller's roles grants is
 * suppressed (deny by default: a user without a role gets no resource-server scope), so the token carries exactly
 * the scopes both the app client requested and the user's roles grant. Mapped attributes become claims in both
 * tokens; a claim whose attribute is empty is suppressed, so no other source can fill it.
 */
export function customizeTokens(event: PreTokenGenerationV2Event, policy: TokenPolicy): PreTokenGenerationV2Event {
  const groups = event.request.groupConfiguration?.groupsToOverride ?? [];
  const granted = new Set(
    groups.flatMap((group) => (Object.prototype.hasOwnProperty.call(policy.roleScopes, group) ? policy.roleScopes[group] : [])),
  );
  const scopesToSuppress = (event.request.scopes ?? []).filter((scope) => isResourceServerScope(scope) && !granted.has(scope));
  const claimsToAddOrOverride: Record<string, string> = {};
  const claimsToSuppress: string[] = [];
  for (const [claim, attribute] of Object.entries(policy.attributeClaims)) {
    const value = event.request.userAttributes?.[attribute];
    if (value) claimsToAddOrOverride[claim] = value;
    else claimsToSuppress.push(claim);
  }
  event.response = {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: { claimsToAddOrOverride, claimsToSuppress },
      accessTokenGeneration: { claimsToAddOrOverride, claimsToSuppress, scopesToSuppress },
    },
  };
  return event;
}

/** Reads the policy the construct wrote into the environment (ROLE_SCOPES and ATTRIBUTE_CLAIMS, JSON). */
export function policyFromEnvironment(env: Record<string, string | undefined>): TokenPolicy {
  return {
    roleScopes: JSON.parse(env.ROLE_SCOPES ?? '{}') as Record<string, string[]>,
    attributeClaims: JSON.parse(env.ATTRIBUTE_CLAIMS ?? '{}') as Record<string, string>,
  };
}

const policy = policyFromEnvironment(process.env);

export async function handler(event: PreTokenGenerationV2Event): Promise<PreTokenGenerationV2Event> {
  return customizeTokens(event, policy);
}
