import { X509Certificate } from 'node:crypto';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { boundClientIds } from '../client-binding';
import { decodeRouteScopes, RouteScopes } from '../route-map';
import { apiStageArn, policyAllows, RoutePolicy, RouteTable } from '../route-policy';
import { normalizeSerial } from '../serial';

/** The parts of an API Gateway REQUEST authorizer event this authorizer reads. */
export interface AuthorizerEvent {
  readonly methodArn: string;
  readonly httpMethod?: string;
  readonly resource?: string;
  readonly headers?: Record<string, string | undefined> | null;
  readonly requestContext?: {
    readonly identity?: {
      readonly clientCert?: {
        readonly serialNumber?: string;
        readonly subjectDN?: string;
        readonly issuerDN?: string;
        readonly clientCertPem?: string;
      } | null;
    };
  };
}

type Statement = { Action: 'execute-api:Invoke'; Effect: 'Allow' | 'Deny'; Resource: string[] };

export interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: { Version: '2012-10-17'; Statement: Statement[] };
  readonly context?: Record<string, string>;
}

export type { RouteScopes };

export interface AuthorizerDeps {
  /** True when the normalized serial is on the deny-list. */
  isRevoked(serial: string): Promise<boolean>;
  /** Verifies a Cognito access token (signature, expiry, issuer, token_use, client) and returns its claims. */
  verifyAccessToken(token: string): Promise<{ sub: string; scope?: string; client_id?: string; [claim: string]: unknown }>;
  readonly routeScopes: RouteScopes;
  /** Token claims passed on in the context as `claim_<name>` (the integration maps them to headers). */
  readonly forwardedClaims?: readonly string[];
  /**
   * Refuse a token whose `client_id` is not the OAuth client the certificate is bound to (a
   * `urn:cdk-secure-microservices:oauth-client:<id>` URI SAN). User tokens carry the app client that obtained them,
   * so the same rule applies: the certificate binds the app client, not the user.
   * @default true
   */
  readonly certificateBinding?: boolean;
}

/** API Gateway answers 401 for this exact message (no or malformed credentials). */
const UNAUTHORIZED = 'Unauthorized';

const tables = new WeakMap<RouteScopes, RouteTable>();

/**
 * Refuses requests without a client certificate, with a revoked one (deny-list), without a valid Cognito access
 * token, with a certificate bound to another OAuth client, or whose token has none of the route's scopes. API Gateway
 * caches the policy per token + certificate serial and applies it to every route, so the policy is route-exact: it
 * allows the routes the token's scopes permit and denies every other route those patterns would reach (route-policy.ts).
 */
export async function authorize(event: AuthorizerEvent, deps: AuthorizerDeps): Promise<AuthorizerResult> {
  const apiStage = apiStageArn(event.methodArn);
  const everything = `${apiStage}/*`;
  const clientCert = event.requestContext?.identity?.clientCert;
  if (!clientCert?.serialNumber) return deny(event, 'anonymous', 'no client certificate', everything);
  let serial: string;
  try {
    serial = normalizeSerial(clientCert.serialNumber);
  } catch {
    return deny(event, 'anonymous', 'unreadable client certificate serial', everything);
  }
  if (await deps.isRevoked(serial)) return deny(event, `cert:${serial}`, 'client certificate revoked', everything);

  const header = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw new Error(UNAUTHORIZED);
  let claims: Awaited<ReturnType<AuthorizerDeps['verifyAccessToken']>>;
  try {
    claims = await deps.verifyAccessToken(token);
  } catch {
    throw new Error(UNAUTHORIZED);
  }

  let boundClientId = '';
  if (deps.certificateBinding !== false) {
    const bound = certificateClients(clientCert.clientCertPem, serial);
    if (bound.length !== 1)
      return deny(event, claims.sub, `client certificate bound to ${bound.length === 0 ? 'no' : 'more than one'} OAuth client`, everything);
    if (bound[0] !== claims.client_id)
      return deny(event, claims.sub, `token of client ${claims.client_id} presented with a certificate of client ${bound[0]}`, everything);
    boundClientId = bound[0];
  }

  const granted = new Set((claims.scope ?? '').split(' ').filter(Boolean));
  const table = routeTable(deps.routeScopes);
  const route = table.get(`${event.httpMethod} ${event.resource}`);
  const permitted = route !== undefined && RouteTable.permits(route, granted);
  let policy = table.policy(apiStage, granted);
  if (permitted && !policyAllows(policy, event.methodArn)) {
    // Overlapping routes with different scopes, which the construct accepts only without caching: this request alone.
    policy = /[*?]/.test(event.methodArn) ? { allow: [], deny: [event.methodArn] } : { allow: [event.methodArn], deny: [] };
  } else if (!permitted && policyAllows(policy, event.methodArn)) {
    policy = { allow: policy.allow, deny: [...policy.deny, event.methodArn] };
  }
  console.log(
    JSON.stringify({
      decision: permitted ? 'allow' : 'deny',
      why: permitted ? undefined : `token lacks a scope for ${event.httpMethod} ${event.resource}`,
      methodArn: event.methodArn,
      routesAllowed: policy.allow.length,
    }),
  );
  return {
    principalId: claims.sub,
    policyDocument: { Version: '2012-10-17', Statement: statements(policy, everything) },
    context: {
      clientCertSerial: serial,
      clientCertSubject: clientCert.subjectDN ?? '',
      clientId: claims.client_id ?? '',
      boundClientId,
      scope: claims.scope ?? '',
      ...Object.fromEntries((deps.forwardedClaims ?? []).map((name) => [`claim_${name}`, typeof claims[name] === 'string' ? claims[name] : ''])),
    },
  };
}

function routeTable(routeScopes: RouteScopes): RouteTable {
  let table = tables.get(routeScopes);
  if (!table) {
    table = new RouteTable(routeScopes);
    tables.set(routeScopes, table);
  }
  return table;
}

/** The client ids the presented certificate is bound to; none when the PEM is missing, unreadable or another serial. */
function certificateClients(pem: string | undefined, serial: string): string[] {
  if (!pem) return [];
  try {
    if (normalizeSerial(new X509Certificate(pem).serialNumber) !== serial) return [];
    return boundClientIds(pem);
  } catch {
    return [];
  }
}

function statements(policy: RoutePolicy, everything: string): Statement[] {
  const list: Statement[] = [];
  if (policy.allow.length > 0) list.push({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: policy.allow });
  if (policy.deny.length > 0) list.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: policy.deny });
  return list.length > 0 ? list : [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [everything] }];
}

function deny(event: AuthorizerEvent, principalId: string, why: string, resource: string): AuthorizerResult {
  console.log(JSON.stringify({ decision: 'deny', why, methodArn: event.methodArn }));
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [resource] }] },
  };
}

/** Deny-list lookup against the DynamoDB table (partition key `serial`), strongly consistent. */
export function dynamoDbDenyList(client: Pick<DynamoDBClient, 'send'>, tableName: string): (serial: string) => Promise<boolean> {
  return async (serial) => {
    const out = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { serial: { S: serial } }, ConsistentRead: true, ProjectionExpression: 'serial' }),
    );
    return out.Item !== undefined;
  };
}

function fromEnvironment(): AuthorizerDeps {
  const clientIds = (process.env.CLIENT_IDS ?? '').split(',').filter(Boolean);
  const verifier = CognitoJwtVerifier.create({
    userPoolId: process.env.USER_POOL_ID!,
    tokenUse: 'access',
    clientId: clientIds.length ? clientIds : null,
  });
  return {
    isRevoked: dynamoDbDenyList(new DynamoDBClient({}), process.env.DENY_LIST_TABLE!),
    verifyAccessToken: (token) => verifier.verify(token) as Promise<{ sub: string; scope?: string; client_id?: string }>,
    routeScopes: decodeRouteScopes(process.env.ROUTE_SCOPES),
    forwardedClaims: (process.env.FORWARDED_CLAIMS ?? '').split(',').filter(Boolean),
    certificateBinding: process.env.CERTIFICATE_BINDING !== 'off',
  };
}

// Created once per execution environment (outside the handler); absent only when imported by tests.
const deps: AuthorizerDeps | undefined = process.env.USER_POOL_ID ? fromEnvironment() : undefined;

export async function handler(event: AuthorizerEvent): Promise<AuthorizerResult> {
  if (!deps) throw new Error('authorizer misconfigured: USER_POOL_ID is not set');
  return authorize(event, deps);
}
