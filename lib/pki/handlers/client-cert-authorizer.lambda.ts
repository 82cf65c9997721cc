import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { decodeRouteScopes, RouteScopes } from '../route-map';
import { normalizeSerial } from '../serial';

/** The parts of an API Gateway REQUEST authorizer event this authorizer reads. */
export interface AuthorizerEvent {
  readonly methodArn: string;
  readonly httpMethod?: string;
  readonly resource?: string;
  readonly headers?: Record<string, string | undefined> | null;
  readonly requestContext?: {
    readonly identity?: {
      readonly clientCert?: { readonly serialNumber?: string; readonly subjectDN?: string; readonly issuerDN?: string } | null;
    };
  };
}

export interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: { Version: '2012-10-17'; Statement: { Action: 'execute-api:Invoke'; Effect: 'Allow' | 'Deny'; Resource: string[] }[] };
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
}

/** API Gateway answers 401 for this exact message (no or malformed credentials). */
const UNAUTHORIZED = 'Unauthorized';

/**
 * Refuses requests without a client certificate, with a revoked one (deny-list), without a valid Cognito access
 * token, or whose token has none of the route's scopes. An Allow covers every route the token's scopes permit, so a
 * cached decision (keyed on token + certificate serial) stays correct across routes.
 */
export async function authorize(event: AuthorizerEvent, deps: AuthorizerDeps): Promise<AuthorizerResult> {
  const clientCert = event.requestContext?.identity?.clientCert;
  if (!clientCert?.serialNumber) return deny(event, 'anonymous', 'no client certificate');
  let serial: string;
  try {
    serial = normalizeSerial(clientCert.serialNumber);
  } catch {
    return deny(event, 'anonymous', 'unreadable client certificate serial');
  }
  if (await deps.isRevoked(serial)) return deny(event, `cert:${serial}`, 'client certificate revoked');

  const header = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw new Error(UNAUTHORIZED);
  let claims: Awaited<ReturnType<AuthorizerDeps['verifyAccessToken']>>;
  try {
    claims = await deps.verifyAccessToken(token);
  } catch {
    throw new Error(UNAUTHORIZED);
  }
  const granted = new Set((claims.scope ?? '').split(' ').filter(Boolean));
  const route = `${event.httpMethod} ${event.resource}`;
  const required = deps.routeScopes[route];
  if (!required || !required.some((s) => granted.has(s))) return deny(event, claims.sub, `token lacks a scope for ${route}`);

  const allowed = Object.entries(deps.routeScopes).filter(([, scopes]) => scopes.some((s) => granted.has(s))).map(([r]) => routeArn(event.methodArn, r));
  return {
    principalId: claims.sub,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: allowed }] },
    context: {
      clientCertSerial: serial, clientCertSubject: clientCert.subjectDN ?? '', clientId: claims.client_id ?? '', scope: claims.scope ?? '',
      ...Object.fromEntries((deps.forwardedClaims ?? []).map((name) => [`claim_${name}`, typeof claims[name] === 'string' ? claims[name] : ''])),
    },
  };
}

/** `arn:...:apiId/stage/GET/orders/{id}` for a route key; path parameters become `*`. */
export function routeArn(methodArn: string, route: string): string {
  // arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path...>
  const [apiArn, stage] = methodArn.split('/');
  const [method, resource] = route.split(' ');
  const path = resource.replace(/^\//, '').replace(/\{[^}]+\}/g, '*');
  return `${apiArn}/${stage}/${method === 'ANY' ? '*' : method}/${path}`;
}

function deny(event: AuthorizerEvent, principalId: string, why: string): AuthorizerResult {
  console.log(JSON.stringify({ decision: 'deny', why, methodArn: event.methodArn }));
  return { principalId, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [event.methodArn] }] } };
}

/** Deny-list lookup against the DynamoDB table (partition key `serial`), strongly consistent. */
export function dynamoDbDenyList(client: Pick<DynamoDBClient, 'send'>, tableName: string): (serial: string) => Promise<boolean> {
  return async (serial) => {
    const out = await client.send(new GetItemCommand({ TableName: tableName, Key: { serial: { S: serial } }, ConsistentRead: true, ProjectionExpression: 'serial' }));
    return out.Item !== undefined;
  };
}

function fromEnvironment(): AuthorizerDeps {
  const clientIds = (process.env.CLIENT_IDS ?? '').split(',').filter(Boolean);
  const verifier = CognitoJwtVerifier.create({ userPoolId: process.env.USER_POOL_ID!, tokenUse: 'access', clientId: clientIds.length ? clientIds : null });
  return {
    isRevoked: dynamoDbDenyList(new DynamoDBClient({}), process.env.DENY_LIST_TABLE!),
    verifyAccessToken: (token) => verifier.verify(token) as Promise<{ sub: string; scope?: string; client_id?: string }>,
    routeScopes: decodeRouteScopes(process.env.ROUTE_SCOPES),
    forwardedClaims: (process.env.FORWARDED_CLAIMS ?? '').split(',').filter(Boolean),
  };
}

// Created once per execution environment (outside the handler); absent only when imported by tests.
const deps: AuthorizerDeps | undefined = process.env.USER_POOL_ID ? fromEnvironment() : undefined;

export async function handler(event: AuthorizerEvent): Promise<AuthorizerResult> {
  if (!deps) throw new Error('authorizer misconfigured: USER_POOL_ID is not set');
  return authorize(event, deps);
}
