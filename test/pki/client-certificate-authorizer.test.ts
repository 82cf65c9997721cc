import { generateKeyPairSync, createSign, randomUUID } from 'node:crypto';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { beforeAll, describe, expect, test } from 'vitest';
import { ClientCertificateAuthorizer, ClientCertificateAuthorizerProps } from '../../lib/pki/client-certificate-authorizer';
import { decodeRouteScopes, encodeRouteScopes } from '../../lib/pki/route-map';
import { authorize, AuthorizerDeps, AuthorizerEvent, routeArn } from '../../lib/pki/handlers/client-cert-authorizer.lambda';
import { newStack } from '../support/harness';
import { apiFixture } from './fixtures';

const POOL_ID = 'eu-west-1_TestPool1';
const CLIENT_ID = 'client123';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/GET/orders/42';

/** Signs Cognito-shaped access tokens with a local key and hands aws-jwt-verify the matching JWKS (no network). */
function tokenFactory() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test-key';
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const verifier = CognitoJwtVerifier.create({ userPoolId: POOL_ID, tokenUse: 'access', clientId: CLIENT_ID });
  verifier.cacheJwks({ keys: [jwk as never] });
  const b64 = (v: object | Buffer) => Buffer.from(v instanceof Buffer ? v : JSON.stringify(v)).toString('base64url');
  const sign = (claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    const body = {
      sub: 'machine-1', iss: `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`, token_use: 'access', client_id: CLIENT_ID,
      iat: now, exp: now + 300, jti: randomUUID(), ...claims,
    };
    const unsigned = `${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${b64(body)}`;
    return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
  };
  return { verifier, sign };
}

function event(serial: string | undefined, token: string | undefined, route = 'GET /orders/{id}'): AuthorizerEvent {
  const [httpMethod, resource] = route.split(' ');
  return {
    methodArn: METHOD_ARN, httpMethod, resource,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    requestContext: { identity: { clientCert: serial ? { serialNumber: serial, subjectDN: 'CN=orders-client' } : null } },
  };
}

describe('authorizer decision (real aws-jwt-verify, fake deny-list)', () => {
  const revoked = new Set(['abcdef01']);
  let tokens: ReturnType<typeof tokenFactory>;
  let deps: AuthorizerDeps;
  beforeAll(() => {
    tokens = tokenFactory();
    deps = {
      isRevoked: async (serial) => revoked.has(serial),
      verifyAccessToken: (t) => tokens.verifier.verify(t) as never,
      routeScopes: { 'GET /orders/{id}': ['orders/read', 'orders/admin'], 'POST /orders': ['orders/write'], 'DELETE /orders/{id}': ['orders/admin'] },
    };
  });

  test('allows a valid certificate and token with a route scope; the Allow covers every route the scopes grant', async () => {
    const result = await authorize(event('12:34', tokens.sign({ scope: 'orders/read orders/write' })), deps);
    expect(result.principalId).toBe('machine-1');
    expect(result.policyDocument.Statement).toEqual([{
      Action: 'execute-api:Invoke', Effect: 'Allow',
      Resource: ['arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/GET/orders/*', 'arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/POST/orders'],
    }]);
    expect(result.context).toMatchObject({ clientCertSerial: '1234', clientCertSubject: 'CN=orders-client', clientId: CLIENT_ID });
  });

  test('passes forwarded token claims (ABAC) in the context as claim_<name>, empty when the token lacks them', async () => {
    const forwarding = { ...deps, forwardedClaims: ['tenant'] };
    const withTenant = await authorize(event('12:34', tokens.sign({ scope: 'orders/read', tenant: 'acme' })), forwarding);
    expect(withTenant.context).toMatchObject({ claim_tenant: 'acme' });
    const without = await authorize(event('12:34', tokens.sign({ scope: 'orders/read' })), forwarding);
    expect(without.context).toMatchObject({ claim_tenant: '' });
    expect((await authorize(event('12:34', tokens.sign({ scope: 'orders/read', tenant: 'acme' })), deps)).context).not.toHaveProperty('claim_tenant');
  });

  test.each(['AB:CD:EF:01', '00:ab:cd:ef:01', 'ABCDEF01'])('refuses the revoked serial in form %s even with a valid token', async (form) => {
    const result = await authorize(event(form, tokens.sign({ scope: 'orders/read' })), deps);
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny', Resource: [METHOD_ARN] });
  });

  test('refuses requests without a client certificate (the default endpoint or a misrouted path)', async () => {
    const result = await authorize(event(undefined, tokens.sign({ scope: 'orders/read' })), deps);
    expect(result.policyDocument.Statement[0].Effect).toBe('Deny');
  });

  test('denies a token without the route scope, and routes not in the map', async () => {
    expect((await authorize(event('12', tokens.sign({ scope: 'orders/write' })), deps)).policyDocument.Statement[0].Effect).toBe('Deny');
    expect((await authorize(event('12', tokens.sign({ scope: 'orders/read' }), 'GET /secrets'), deps)).policyDocument.Statement[0].Effect).toBe('Deny');
  });

  test('answers 401 (Unauthorized) for a missing, expired, foreign-client, ID or tampered token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      undefined,
      tokens.sign({ scope: 'orders/read', exp: now - 10 }),
      tokens.sign({ scope: 'orders/read', client_id: 'someone-else' }),
      tokens.sign({ scope: 'orders/read', token_use: 'id' }),
      `${tokens.sign({ scope: 'orders/read' }).slice(0, -4)}AAAA`,
    ];
    for (const token of bad) {
      await expect(authorize(event('12', token), deps)).rejects.toThrow(/^Unauthorized$/);
    }
  });

  test('routeArn turns path parameters into wildcards and ANY into every method', () => {
    expect(routeArn(METHOD_ARN, 'ANY /orders/{id}/items/{item}')).toBe('arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/*/orders/*/items/*');
  });
});

function authorizerIn(props: Partial<ClientCertificateAuthorizerProps> = {}) {
  const stack = newStack();
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const authorizer = new ClientCertificateAuthorizer(stack, 'Authorizer', {
    userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', POOL_ID),
    appClients: [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', CLIENT_ID)],
    routeScopes: { 'GET /orders': ['orders/read'] },
    encryptionKey: key, logsKey: key, ...props,
  });
  apiFixture(stack, key, authorizer.authorizer);
  return { stack, authorizer };
}

describe('ClientCertificateAuthorizer (template)', () => {
  let template: Template;
  beforeAll(() => {
    const { stack, authorizer } = authorizerIn();
    authorizer.grantRevoke(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
    template = Template.fromStack(stack);
  });

  test('REQUEST authorizer keyed on Authorization and the client certificate serial, 60 s cache', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization,context.identity.clientCert.serialNumber',
      AuthorizerResultTtlInSeconds: 60,
    });
  });

  test('deny-list table: KMS, PITR, deletion protection, TTL on expiresAt, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'serial', KeyType: 'HASH' }],
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  test('the function reads only the deny-list and gets its configuration from the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ USER_POOL_ID: POOL_ID, CLIENT_IDS: CLIENT_ID, ROUTE_SCOPES: encodeRouteScopes({ 'GET /orders': ['orders/read'] }) }) },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('AuthorizerDenyList'), 'Arn'] } }]) },
    });
  });

  test('grantRevoke lets an operator put deny-list items', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'dynamodb:PutItem', Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('AuthorizerDenyList'), 'Arn'] }]) })]) },
    });
  });
});

describe('route map encoding (Lambda environment is capped at 4 KB)', () => {
  test('round-trips, and is several times smaller than the JSON for a realistic map', () => {
    const routes = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`GET /v1/service-${i}/items/{id}`, [`service-${i}/read`]]));
    const encoded = encodeRouteScopes(routes);
    expect(decodeRouteScopes(encoded)).toEqual(routes);
    expect(encoded.length * 3).toBeLessThan(JSON.stringify(routes).length);
    expect(decodeRouteScopes(undefined)).toEqual({});
  });
});

describe('ClientCertificateAuthorizer rejects bad input', () => {
  test.each<[string, Partial<ClientCertificateAuthorizerProps>, RegExp]>([
    ['route without method', { routeScopes: { '/orders': ['orders/read'] } }, /invalid routeScopes \(received "\/orders"\).*GET \/v1\/orders\/\{id\}/],
    ['route without scopes', { routeScopes: { 'GET /orders': [] } }, /invalid routeScopes\["GET \/orders"\] \(received \[\]\)/],
    ['scope with a space', { routeScopes: { 'GET /orders': ['orders read'] } }, /invalid routeScopes\["GET \/orders"\]/],
    ['cache longer than 5 minutes', { resultsCacheTtl: Duration.minutes(10) }, /invalid resultsCacheTtl \(received "600s"\).*revoked certificate keeps working/],
  ])('%s', (_name, props, message) => {
    expect(() => authorizerIn(props)).toThrow(message);
  });

  test('an authorizer that allows no route fails synth', () => {
    const { stack } = authorizerIn({ routeScopes: {} });
    expect(() => Template.fromStack(stack)).toThrow(/no route is allowed, so every request would be denied\. Fix: pass routeScopes or call allowRoute/);
  });

  test('allowRoute adds routes after construction (the API exists after its authorizer) and refuses duplicates', () => {
    const { stack, authorizer } = authorizerIn({ routeScopes: {} });
    authorizer.allowRoute('POST /v1/orders', ['orders/write']);
    expect(() => authorizer.allowRoute('POST /v1/orders', ['orders/admin'])).toThrow(/invalid routeScopes \(received "POST \/v1\/orders"\): this route is already allowed/);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ROUTE_SCOPES: encodeRouteScopes({ 'POST /v1/orders': ['orders/write'] }) }) },
    });
  });
});
