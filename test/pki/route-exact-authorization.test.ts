import { Duration, Stack } from 'aws-cdk-lib';
import { CfnAuthorizer, JsonSchemaType } from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ClientCertificateAuthorizer, PER_REQUEST_IDENTITY_SOURCES } from '../../lib/pki/client-certificate-authorizer';
import { authorize, AuthorizerDeps, AuthorizerResult } from '../../lib/pki/handlers/client-cert-authorizer.lambda';
import { RouteKey } from '../../lib/api/route-key';
import { decodeRouteScopes, RouteScopes } from '../../lib/pki/route-map';
import { SecureMicroservicePlatform } from '../../lib/platform/secure-microservice-platform';
import { newStack } from '../support/harness';
import { boundCertificate } from './certificates';

/*
 * The authorizer's policy is cached per token + certificate serial and applied to every later request of that pair,
 * whatever its route. These tests model what API Gateway does and check the policy against it, independently of the
 * code under test: `executeApiMatches` implements the wildcard semantics of execute-api resources (`*` any run of
 * characters INCLUDING "/", `?` one character), `resolve` routes a concrete path to a resource (literal before
 * {param} before {proxy+}, backtracking).
 */

// The handler logs one JSON line per decision; thousands of decisions run here.
const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
afterAll(() => quiet.mockRestore());

const API_STAGE = 'arn:aws:execute-api:eu-west-1:111111111111:a1b2c3/prod';
const CLIENT_ID = '4r5t6y7u8i9o0p1a2s3d4f5g6h';

/** Wildcard match as API Gateway evaluates an authorizer policy's Resource (dynamic programming, no regex). */
function executeApiMatches(pattern: string, arn: string): boolean {
  let row = Array<boolean>(arn.length + 1).fill(false);
  row[0] = true;
  for (const p of pattern) {
    const next = Array<boolean>(arn.length + 1).fill(false);
    if (p === '*') {
      for (let j = 0; j <= arn.length; j++) next[j] = row[j] || (j > 0 && next[j - 1]);
    } else {
      for (let j = 1; j <= arn.length; j++) next[j] = row[j - 1] && (p === '?' || p === arn[j - 1]);
    }
    row = next;
  }
  return row[arn.length];
}

/** IAM-style evaluation: allowed when an Allow statement matches and no Deny statement does. */
function evaluate(result: AuthorizerResult, arn: string): boolean {
  const matches = (effect: string) =>
    result.policyDocument.Statement.some((s) => s.Effect === effect && s.Resource.some((r) => executeApiMatches(r, arn)));
  return matches('Allow') && !matches('Deny');
}

/**
 * The route a request reaches in API Gateway (undefined: no resource/method, so the authorizer never runs). Route maps
 * hold no ANY routes (the authorizer refuses them), so a request reaches a route of its own method only.
 */
function resolve(routes: string[], method: string, path: string): RouteKey | undefined {
  const templates = [...new Set(routes.filter((r) => r.startsWith(`${method} `)).map((r) => r.split(' ')[1]))];
  const parts = path.split('/').slice(1);
  const rank = (segment: string) => (segment.endsWith('+}') ? 2 : segment.startsWith('{') ? 1 : 0);
  const walk = (candidates: string[][], i: number): string[] | undefined => {
    const complete = candidates.find((c) => c.length === i && i === parts.length);
    if (complete) return complete;
    if (i >= parts.length) return undefined;
    const bySegment = new Map<string, string[][]>();
    for (const c of candidates.filter((c) => c.length > i)) bySegment.set(c[i], [...(bySegment.get(c[i]) ?? []), c]);
    for (const [segment, group] of [...bySegment].sort(([a], [b]) => rank(a) - rank(b))) {
      if (rank(segment) === 2) return parts[i] !== '' ? group.find((c) => c.length === i + 1) : undefined;
      if (parts[i] === '' || (rank(segment) === 0 && segment !== parts[i])) continue;
      const found = walk(group, i + 1);
      if (found) return found;
    }
    return undefined;
  };
  const found = walk(
    templates.map((t) => t.split('/').slice(1)),
    0,
  );
  if (!found) return undefined;
  const template = `/${found.join('/')}`;
  return routes.includes(`${method} ${template}`) ? (`${method} ${template}` as RouteKey) : undefined;
}

/** Concrete requests for every route: parameters filled with plain values and with other routes' literal names. */
function sampleRequests(routeScopes: RouteScopes): { method: string; path: string }[] {
  const routes = Object.keys(routeScopes);
  const literals = [...new Set(routes.flatMap((r) => r.split(' ')[1].split('/')).filter((s) => s && !s.startsWith('{')))];
  const values = ['42', 'x-1', ...literals];
  const proxyValues = ['a', 'a/b', 'x/y/z', ...literals.map((l) => `q/${l}`), ...literals];
  const requests: { method: string; path: string }[] = [];
  for (const route of routes) {
    const [method, template] = route.split(' ');
    let paths = [''];
    for (const segment of template.split('/').slice(1)) {
      const options = segment.endsWith('+}') ? proxyValues : segment.startsWith('{') ? values : [segment];
      paths = paths.flatMap((p) => options.map((o) => `${p}/${o}`)).slice(0, 400);
    }
    for (const path of paths) {
      requests.push({ method, path }, { method, path: `${path}/audit` });
    }
  }
  return requests;
}

function methodArn(method: string, path: string): string {
  return `${API_STAGE}/${method}${path}`;
}

/** The authorizer's decision for a token with `scope` (certificate bound to CLIENT_ID) on one request. */
function decide(
  routeScopes: RouteScopes,
  scope: string,
  method: string,
  path: string,
  resource: string,
  certificatePem: string,
): Promise<AuthorizerResult> {
  const deps: AuthorizerDeps = {
    isRevoked: async () => false,
    verifyAccessToken: async () => ({ sub: 'm', client_id: CLIENT_ID, scope }),
    routeScopes,
  };
  return authorize(
    {
      methodArn: methodArn(method, path),
      httpMethod: method,
      resource,
      headers: { authorization: 'Bearer t' },
      requestContext: { identity: { clientCert: { serialNumber: '0a1b', clientCertPem: certificatePem } } },
    },
    deps,
  );
}

/**
 * For each scope set: every request reaching a route triggers a decision (as a cache miss would), and the policy it
 * returns must allow exactly the sampled requests whose route the scopes permit.
 */
async function expectRouteExact(routeScopes: RouteScopes, scopeSets: string[][], certificatePem: string): Promise<number> {
  const routes = Object.keys(routeScopes);
  const requests = sampleRequests(routeScopes)
    .map((r) => ({ ...r, route: resolve(routes, r.method, r.path) }))
    .filter((r): r is { method: string; path: string; route: RouteKey } => r.route !== undefined);
  const triggers = [...new Map(requests.map((r) => [r.route, r])).values()];
  let checked = 0;
  for (const scopes of scopeSets) {
    const granted = new Set(scopes);
    const permits = (route: RouteKey) => routeScopes[route].some((s) => granted.has(s));
    const deps: AuthorizerDeps = {
      isRevoked: async () => false,
      verifyAccessToken: async () => ({ sub: 'machine', client_id: CLIENT_ID, scope: scopes.join(' ') }),
      routeScopes,
    };
    for (const trigger of triggers) {
      const [, resource] = trigger.route.split(' ');
      const result = await authorize(
        {
          methodArn: methodArn(trigger.method, trigger.path),
          httpMethod: trigger.method,
          resource,
          headers: { Authorization: 'Bearer t' },
          requestContext: { identity: { clientCert: { serialNumber: '0A:1B', clientCertPem: certificatePem } } },
        },
        deps,
      );
      const wrong = requests
        .filter((r) => evaluate(result, methodArn(r.method, r.path)) !== permits(r.route))
        .map((r) => `${r.method} ${r.path} (route ${r.route}, ${permits(r.route) ? 'permitted' : 'not permitted'})`);
      expect(wrong, `scopes [${scopes.join(' ')}], decision made on ${trigger.method} ${trigger.path}`).toEqual([]);
      checked += requests.length;
    }
  }
  return checked;
}

describe('route-exact decisions over every route of a platform with nested and {proxy+} routes', () => {
  let routeScopes: RouteScopes;
  let identitySource: string;
  let certificatePem: string;

  beforeAll(async () => {
    const stack = newStack('RouteExact');
    const platform = new SecureMicroservicePlatform(stack, 'Platform', {
      environmentName: 'test',
      serviceDomain: 'internal.example.com',
      serviceCertificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      s3PrefixListId: 'pl-6da54004',
      mutualTls: {
        domainName: 'api.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000001',
      },
    });
    const body = { type: JsonSchemaType.OBJECT };
    platform.addService('orders', {
      imageTag: '1.0.0',
      scopes: ['read', 'write', 'admin'],
      routes: [
        { version: 'v1', path: '/orders', method: 'GET', scopes: ['orders/read'] },
        { version: 'v1', path: '/orders', method: 'POST', scopes: ['orders/write'], requestModel: body },
        { version: 'v1', path: '/orders/{id}', method: 'GET', scopes: ['orders/read', 'orders/admin'] },
        { version: 'v1', path: '/orders/{id}', method: 'DELETE', scopes: ['orders/admin'] },
        { version: 'v1', path: '/orders/{id}/audit', method: 'GET', scopes: ['orders/admin'] },
        { version: 'v1', path: '/orders/{id}/items', method: 'GET', scopes: ['orders/read'] },
        { version: 'v1', path: '/orders/{id}/items/{item}', method: 'PUT', scopes: ['orders/write'], requestModel: body },
        { version: 'v1', path: '/orders/search', method: 'GET', scopes: ['orders/admin'] },
        { version: 'v2', path: '/orders/{id}', method: 'GET', scopes: ['orders/read'] },
      ],
    });
    platform.addService('files', {
      imageTag: '1.0.0',
      routes: [
        { version: 'v1', path: '/files', method: 'GET', scopes: ['files/read'] },
        { version: 'v1', path: '/files/{proxy+}', method: 'GET', scopes: ['files/read'] },
        { version: 'v1', path: '/files/{proxy+}', method: 'PUT', scopes: ['files/write'], requestModel: body },
      ],
    });
    const handler = platform.clientCertificateAuthorizer!.handler.node.defaultChild as lambda.CfnFunction;
    const variables = Stack.of(handler).resolve(handler.environment) as { variables: Record<string, string> };
    routeScopes = decodeRouteScopes(variables.variables.ROUTE_SCOPES);
    identitySource = Stack.of(handler).resolve((platform.clientCertificateAuthorizer!.authorizer.node.defaultChild as CfnAuthorizer).identitySource);
    certificatePem = await boundCertificate(CLIENT_ID, '0a1b');
  });

  test('the platform registered every route with the authorizer (nested and proxy among them)', () => {
    expect(Object.keys(routeScopes)).toHaveLength(12);
    expect(routeScopes).toMatchObject({ 'PUT /v1/orders/{id}/items/{item}': ['orders/write'], 'PUT /v1/files/{proxy+}': ['files/write'] });
    // No overlap needs the route in the cache key: decisions are cached per token and certificate.
    expect(identitySource).toBe('method.request.header.Authorization,context.identity.clientCert.serialNumber');
  });

  test('for each scope set, a decision cached from any route allows exactly the routes the scopes permit', async () => {
    const scopeSets = [
      ['orders/read'],
      ['orders/admin'],
      ['orders/write'],
      ['files/read'],
      ['orders/read', 'files/write'],
      ['orders/read', 'orders/write', 'orders/admin', 'files/read', 'files/write'],
      ['other/scope'],
    ];
    const checked = await expectRouteExact(routeScopes, scopeSets, certificatePem);
    expect(checked).toBeGreaterThan(10_000);
  });

  test('the hole this closes: orders/read no longer reaches GET /v1/orders/{id}/audit or /v1/orders/search through /v1/orders/*', async () => {
    const result = await decide(routeScopes, 'orders/read', 'GET', '/v1/orders/42', '/v1/orders/{id}', certificatePem);
    expect(evaluate(result, methodArn('GET', '/v1/orders/7'))).toBe(true);
    expect(evaluate(result, methodArn('GET', '/v1/orders/7/audit'))).toBe(false);
    expect(evaluate(result, methodArn('GET', '/v1/orders/search'))).toBe(false);
    expect(evaluate(result, methodArn('GET', '/v1/orders/7/items'))).toBe(true);
    expect(evaluate(result, methodArn('PUT', '/v1/orders/7/items/1'))).toBe(false);
    expect(evaluate(result, methodArn('DELETE', '/v1/orders/7'))).toBe(false);
    // The evaluator is not the code under test: a bare "*" pattern really does cross "/".
    expect(executeApiMatches(`${API_STAGE}/GET/v1/orders/*`, methodArn('GET', '/v1/orders/7/audit'))).toBe(true);
  });

  test('a token that may not call the requested route still gets the routes it may call (no blanket cached Deny)', async () => {
    const result = await decide(routeScopes, 'files/read', 'GET', '/v1/orders/42', '/v1/orders/{id}', certificatePem);
    expect(evaluate(result, methodArn('GET', '/v1/orders/42'))).toBe(false);
    expect(evaluate(result, methodArn('GET', '/v1/files/reports/2026/q1.pdf'))).toBe(true);
    expect(evaluate(result, methodArn('PUT', '/v1/files/reports/2026/q1.pdf'))).toBe(false);
  });
});

describe('route tables a policy cached per token cannot separate', () => {
  // A token with orders/read may call GET /v1/orders/{id}/items/{item} with item "audit", whose path also matches the
  // Deny that GET /v1/orders/{id}/audit needs (its requests are reached by the Allow of GET /v1/orders/{id}).
  const conflicting: RouteScopes = {
    'GET /v1/orders/{id}': ['orders/read'],
    'GET /v1/orders/{id}/audit': ['orders/admin'],
    'GET /v1/orders/{id}/items/{item}': ['orders/read'],
  };

  function authorizerWith(routeScopes: RouteScopes, resultsCacheTtl?: Duration) {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const authorizer = new ClientCertificateAuthorizer(stack, 'Authorizer', {
      userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_TestPool1'),
      routeScopes,
      encryptionKey: key,
      logsKey: key,
      resultsCacheTtl,
    });
    const messages = stack.node.findAll().flatMap((c) => c.node.validate());
    const info = authorizer.node.metadata.filter((m) => m.type === 'aws:cdk:info').map((m) => String(m.data));
    return { messages, info, identitySource: stack.resolve((authorizer.authorizer.node.defaultChild as CfnAuthorizer).identitySource) };
  }

  test("put the request's method and path into the cache key and say so at synth", () => {
    const built = authorizerWith(conflicting);
    expect(built.messages).toEqual([]);
    expect(built.identitySource).toBe(
      ['method.request.header.Authorization', 'context.identity.clientCert.serialNumber', ...PER_REQUEST_IDENTITY_SOURCES].join(','),
    );
    expect(built.info.join('\n')).toMatch(
      /Routes "GET \/v1\/orders\/\{id\}\/audit" \(orders\/admin\) and "GET \/v1\/orders\/\{id\}\/items\/\{item\}" \(orders\/read\) overlap.*cached per request \(method and path\)/,
    );
    // The same routes with the same scopes, or no cache at all, need no per-request key.
    expect(authorizerWith({ ...conflicting, 'GET /v1/orders/{id}/audit': ['orders/read'] }).identitySource).not.toContain('context.path');
    expect(authorizerWith(conflicting, Duration.seconds(0)).identitySource).not.toContain('context.path');
  });

  test('a decision is exact for its own request (all a per-request cache entry is used for)', async () => {
    const pem = await boundCertificate(CLIENT_ID, '0a1b');
    const routes = Object.keys(conflicting);
    const paths = ['/v1/orders/1', '/v1/orders/1/audit', '/v1/orders/1/items/audit', '/v1/orders/1/items/2', '/v1/orders/search'];
    for (const scope of ['orders/read', 'orders/admin']) {
      for (const path of paths) {
        const route = resolve(routes, 'GET', path)!;
        const result = await decide(conflicting, scope, 'GET', path, route.split(' ')[1], pem);
        expect(evaluate(result, methodArn('GET', path)), `${scope} ${path}`).toBe(conflicting[route].includes(scope));
      }
    }
  });
});
