import { generateKeyPairSync, createSign, randomUUID } from 'node:crypto';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { OPT_OUT_METADATA_TYPE } from '../../lib/core/opt-out';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { Construct } from 'constructs';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { ClientCertificateAuthorizer, ClientCertificateAuthorizerProps } from '../../lib/pki/client-certificate-authorizer';
import { decodeRouteScopes, encodeRouteScopes, RouteScopes } from '../../lib/pki/route-map';
import { authorize, AuthorizerDeps, AuthorizerEvent } from '../../lib/pki/handlers/client-cert-authorizer.lambda';
import { boundCertificate } from './certificates';
import { newStack } from '../support/harness';
import { apiFixture } from './fixtures';

const POOL_ID = 'eu-west-1_TestPool1';
const CLIENT_ID = 'client123';
const OTHER_CLIENT_ID = 'client456';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/GET/orders/42';

/** Signs Cognito-shaped access tokens with a local key and hands aws-jwt-verify the matching JWKS (no network). */
function tokenFactory() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test-key';
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const verifier = CognitoJwtVerifier.create({ userPoolId: POOL_ID, tokenUse: 'access', clientId: [CLIENT_ID, OTHER_CLIENT_ID] });
  verifier.cacheJwks({ keys: [jwk as never] });
  const b64 = (v: object | Buffer) => Buffer.from(v instanceof Buffer ? v : JSON.stringify(v)).toString('base64url');
  const sign = (claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    const body = {
      sub: 'machine-1',
      iss: `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`,
      token_use: 'access',
      client_id: CLIENT_ID,
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
      ...claims,
    };
    const unsigned = `${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${b64(body)}`;
    return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
  };
  return { verifier, sign };
}

/** Certificates by serial: 0x12 and 0x1234 bound to CLIENT_ID, 0x99 to OTHER_CLIENT_ID, 0x77 to none, 0x88 to both. */
const pems: Record<string, string> = {};

function event(serial: string | undefined, token: string | undefined, route = 'GET /orders/{id}', pemSerial = serial): AuthorizerEvent {
  const [httpMethod, resource] = route.split(' ');
  const clientCertPem = pemSerial ? pems[pemSerial.replace(/:/g, '').toLowerCase().replace(/^0+/, '')] : undefined;
  return {
    methodArn: METHOD_ARN,
    httpMethod,
    resource,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    requestContext: { identity: { clientCert: serial ? { serialNumber: serial, subjectDN: 'CN=orders-client', clientCertPem } : null } },
  };
}

const effect = (r: { policyDocument: { Statement: { Effect: string }[] } }) => r.policyDocument.Statement.map((s) => s.Effect).join(',');

describe('authorizer decision (real aws-jwt-verify, fake deny-list)', () => {
  const revoked = new Set(['abcdef01']);
  let tokens: ReturnType<typeof tokenFactory>;
  let deps: AuthorizerDeps;
  beforeAll(async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    for (const [serial, clients] of [
      ['12', CLIENT_ID],
      ['1234', CLIENT_ID],
      ['99', OTHER_CLIENT_ID],
      ['77', []],
      ['88', [CLIENT_ID, OTHER_CLIENT_ID]],
    ] as const) {
      pems[serial] = await boundCertificate(clients as string | string[], serial);
    }
    tokens = tokenFactory();
    deps = {
      isRevoked: async (serial) => revoked.has(serial),
      verifyAccessToken: (t) => tokens.verifier.verify(t) as never,
      routeScopes: { 'GET /orders/{id}': ['orders/read', 'orders/admin'], 'POST /orders': ['orders/write'], 'DELETE /orders/{id}': ['orders/admin'] },
    };
  });

  test('allows a valid certificate and token with a route scope; the Allow names every route the scopes grant, parameters as "?*"', async () => {
    const result = await authorize(event('12:34', tokens.sign({ scope: 'orders/read orders/write' })), deps);
    expect(result.principalId).toBe('machine-1');
    // DELETE /orders/{id} needs orders/admin, but no Allow pattern reaches a DELETE: nothing to deny.
    expect(result.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: [
          'arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/GET/orders/?*',
          'arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/POST/orders',
        ],
      },
    ]);
    expect(result.context).toMatchObject({
      clientCertSerial: '1234',
      clientCertSubject: 'CN=orders-client',
      clientId: CLIENT_ID,
      boundClientId: CLIENT_ID,
    });
  });

  test("certificate binding: client A's token with client B's certificate is denied, with A's certificate allowed", async () => {
    const tokenOfA = tokens.sign({ scope: 'orders/read', client_id: CLIENT_ID });
    const tokenOfB = tokens.sign({ scope: 'orders/read', client_id: OTHER_CLIENT_ID, sub: 'machine-2' });
    expect(effect(await authorize(event('99', tokenOfA), deps))).toBe('Deny');
    expect(effect(await authorize(event('12', tokenOfA), deps))).toBe('Allow');
    expect(effect(await authorize(event('99', tokenOfB), deps))).toBe('Allow');
    expect(effect(await authorize(event('12', tokenOfB), deps))).toBe('Deny');
    // The Deny covers the whole stage: the cached decision is about this token with this certificate, on any route.
    expect((await authorize(event('99', tokenOfA), deps)).policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ['arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/*'] },
    ]);
  });

  test('certificate binding: unbound, doubly bound, missing or mismatched certificates are denied; user tokens follow their app client', async () => {
    const token = tokens.sign({ scope: 'orders/read' });
    expect(effect(await authorize(event('77', token), deps))).toBe('Deny');
    expect(effect(await authorize(event('88', token), deps))).toBe('Deny');
    expect(effect(await authorize({ ...event('12', token), requestContext: { identity: { clientCert: { serialNumber: '12' } } } }, deps))).toBe(
      'Deny',
    );
    // API Gateway's serial and the PEM must describe the same certificate.
    expect(effect(await authorize(event('1234', token, 'GET /orders/{id}', '12'), deps))).toBe('Deny');
    // A user's access token names the app client that obtained it: the certificate binds that client.
    const userToken = tokens.sign({ scope: 'orders/read', sub: 'user-uuid', username: 'alice', client_id: CLIENT_ID });
    expect(effect(await authorize(event('12', userToken), deps))).toBe('Allow');
    expect(effect(await authorize(event('99', userToken), deps))).toBe('Deny');
  });

  test('without certificate binding (opt-out) any valid certificate carries any valid token', async () => {
    const token = tokens.sign({ scope: 'orders/read' });
    expect(effect(await authorize(event('99', token), { ...deps, certificateBinding: false }))).toBe('Allow');
    expect(effect(await authorize(event('77', token), { ...deps, certificateBinding: false }))).toBe('Allow');
  });

  test('a route map naming ANY or OPTIONS (which the construct never writes) is refused, not expanded', async () => {
    for (const key of ['ANY /misc/{id}', 'OPTIONS /misc/{id}']) {
      const request = { ...event('12', tokens.sign({ scope: 'misc/any' }), key), httpMethod: key.split(' ')[0] };
      await expect(authorize(request, { ...deps, routeScopes: { [key]: ['misc/any'] } as RouteScopes })).rejects.toThrow(
        new RegExp(
          `invalid route "${key.replace(/[{}]/g, '\\$&')}": expected "<METHOD> /<path>" with a method of GET, POST, PUT, PATCH, DELETE, HEAD`,
        ),
      );
    }
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
    expect(result.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ['arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/*'] },
    ]);
  });

  test('refuses requests without a client certificate (the default endpoint or a misrouted path)', async () => {
    const result = await authorize(event(undefined, tokens.sign({ scope: 'orders/read' })), deps);
    expect(result.policyDocument.Statement[0].Effect).toBe('Deny');
  });

  test('denies a token without the route scope (still allowing its other routes), and routes not in the map', async () => {
    const noRead = await authorize(event('12', tokens.sign({ scope: 'orders/write' })), deps);
    expect(noRead.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ['arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/POST/orders'] },
    ]);
    const secrets = await authorize(
      {
        ...event('12', tokens.sign({ scope: 'orders/read' }), 'GET /secrets'),
        methodArn: 'arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/GET/secrets',
      },
      deps,
    );
    expect(secrets.policyDocument.Statement.map((s) => s.Effect)).toEqual(['Allow']);
    expect(secrets.policyDocument.Statement[0].Resource).not.toContain('arn:aws:execute-api:eu-west-1:111111111111:abc123/prod/GET/secrets');
    const unmapped = await authorize(
      { ...event('12', tokens.sign({ scope: 'orders/read' }), 'GET /orders/{id}/secret'), methodArn: `${METHOD_ARN}/secret` },
      deps,
    );
    expect(unmapped.policyDocument.Statement.find((s) => s.Effect === 'Deny')?.Resource).toContain(`${METHOD_ARN}/secret`);
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
});

function authorizerIn(props: Partial<ClientCertificateAuthorizerProps> = {}, stack = newStack()) {
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const authorizer = new ClientCertificateAuthorizer(stack, 'Authorizer', {
    userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', POOL_ID),
    appClients: [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', CLIENT_ID)],
    routeScopes: { 'GET /orders': ['orders/read'] },
    encryptionKey: key,
    logsKey: key,
    ...props,
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
      Environment: {
        Variables: Match.objectLike({
          USER_POOL_ID: POOL_ID,
          CLIENT_IDS: CLIENT_ID,
          ROUTE_SCOPES: encodeRouteScopes({ 'GET /orders': ['orders/read'] }),
          CERTIFICATE_BINDING: 'required',
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('AuthorizerDenyList'), 'Arn'] } },
        ]),
      },
    });
  });

  test('grantRevoke lets an operator put deny-list items', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'dynamodb:PutItem',
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('AuthorizerDenyList'), 'Arn'] }]),
          }),
        ]),
      },
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
    [
      'route without method',
      { routeScopes: { '/orders': ['orders/read'] } as RouteScopes },
      /invalid routeScopes \(received "\/orders"\): a route key is "<METHOD> <resource path>".*GET \/v1\/orders\/\{id\}/,
    ],
    [
      'an ANY route (which the API refuses)',
      { routeScopes: { 'ANY /orders': ['orders/read'] } as RouteScopes },
      /invalid routeScopes \(received "ANY \/orders"\): "ANY" is not a method the API accepts as a route \(ANY would grant every verb at once; OPTIONS is CORS preflight\)\. Fix: name each route with one of GET, POST, PUT, PATCH, DELETE, HEAD, e\.g\. "GET \/v1\/orders\/\{id\}"/,
    ],
    [
      'an OPTIONS route (CORS preflight, which the API refuses as a route)',
      { routeScopes: { 'OPTIONS /orders/{id}': ['orders/read'] } as RouteScopes },
      /invalid routeScopes \(received "OPTIONS \/orders\/\{id\}"\): "OPTIONS" is not a method the API accepts as a route/,
    ],
    [
      'a lower-case method',
      { routeScopes: { 'get /orders': ['orders/read'] } as RouteScopes },
      /invalid routeScopes \(received "get \/orders"\): a route key is/,
    ],
    [
      'segment mixing a name and a parameter',
      { routeScopes: { 'GET /orders/x{id}': ['orders/read'] } },
      /invalid routeScopes \(received "GET \/orders\/x\{id\}"\): .*segments are names, \{parameter\} or \{proxy\+\}/,
    ],
    ['route without scopes', { routeScopes: { 'GET /orders': [] } }, /invalid routeScopes\["GET \/orders"\] \(received \[\]\)/],
    ['scope with a space', { routeScopes: { 'GET /orders': ['orders read'] } }, /invalid routeScopes\["GET \/orders"\]/],
    [
      'cache longer than 5 minutes',
      { resultsCacheTtl: Duration.minutes(10) },
      /invalid resultsCacheTtl \(received "600s"\).*revoked certificate keeps working/,
    ],
  ])('%s', (_name, props, message) => {
    expect(() => authorizerIn(props)).toThrow(message);
  });

  test('turning certificate binding off needs a reason, which is recorded as an opt-out', () => {
    expect(() => authorizerIn({ withoutCertificateBinding: { reason: 'no' } })).toThrow(
      /invalid withoutCertificateBinding\.reason \(received "no"\)/,
    );
    const { stack, authorizer } = authorizerIn({
      withoutCertificateBinding: { reason: 'Legacy partner certificates predate client binding; re-issued by June.' },
    });
    expect(authorizer.node.metadata.find((m) => m.type === OPT_OUT_METADATA_TYPE)?.data).toEqual({
      control: 'certificate-bound tokens (token client_id = certificate client)',
      reason: 'Legacy partner certificates predate client binding; re-issued by June.',
    });
    const fn = authorizer.handler.node.defaultChild as lambda.CfnFunction;
    expect((stack.resolve(fn.environment) as { variables: Record<string, string> }).variables.CERTIFICATE_BINDING).toBe('off');
  });

  test('a VPC without NAT egress is refused: the function needs the public Cognito JWKS endpoint (public subnets give a Lambda function no public IP)', () => {
    const isolated = (scope: Construct) =>
      new ec2.Vpc(scope, 'IsolatedVpc', { natGateways: 0, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    expect(() => authorizerIn({ vpc: isolated(newStack('Other')) })).toThrow(
      /invalid vpc \(received "Other\/IsolatedVpc"\): the VPC has no private subnets with NAT egress.*the function needs the Cognito JWKS endpoint.*Fix: omit vpc .* or pass a VPC with private subnets behind NAT/,
    );
    const publicOnly = (scope: Construct) =>
      new ec2.Vpc(scope, 'PublicVpc', { natGateways: 0, subnetConfiguration: [{ name: 'pub', subnetType: ec2.SubnetType.PUBLIC }] });
    expect(() => authorizerIn({ vpc: publicOnly(newStack('Other2')) })).toThrow(
      /invalid vpc \(received "Other2\/PublicVpc"\): the VPC has no private subnets with NAT egress/,
    );
  });

  test('in a VPC with isolated and NAT subnets, the function runs in the NAT subnets (the isolated ones cannot reach Cognito)', () => {
    const mixed = newStack('Mixed');
    const { stack, authorizer } = authorizerIn(
      {
        vpc: new ec2.Vpc(mixed, 'MixedVpc', {
          maxAzs: 2,
          natGateways: 1,
          subnetConfiguration: [
            { name: 'pub', subnetType: ec2.SubnetType.PUBLIC },
            { name: 'nat', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            { name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
          ],
        }),
      },
      mixed,
    );
    const fn = authorizer.handler.node.defaultChild as lambda.CfnFunction;
    const subnetIds = JSON.stringify(stack.resolve((fn.vpcConfig as lambda.CfnFunction.VpcConfigProperty).subnetIds));
    expect(subnetIds).toMatch(/MixedVpcnatSubnet1Subnet/);
    expect(subnetIds).toMatch(/MixedVpcnatSubnet2Subnet/);
    expect(subnetIds).not.toMatch(/iso|pub/);
  });

  test('an authorizer that allows no route fails synth', () => {
    const { stack } = authorizerIn({ routeScopes: {} });
    expect(() => Template.fromStack(stack)).toThrow(
      /no route is allowed, so every request would be denied\. Fix: pass routeScopes or call allowRoute/,
    );
  });

  test('allowRoute adds routes after construction (the API exists after its authorizer) and refuses duplicates', () => {
    const { stack, authorizer } = authorizerIn({ routeScopes: {} });
    authorizer.allowRoute('POST /v1/orders', ['orders/write']);
    // The compiler refuses methods the API does not accept (RouteKey names an HttpMethod); the run-time check stays.
    // @ts-expect-error ANY is not an HttpMethod
    expect(() => authorizer.allowRoute('ANY /v1/orders', ['orders/write'])).toThrow(/"ANY" is not a method the API accepts as a route/);
    // @ts-expect-error OPTIONS is not an HttpMethod
    expect(() => authorizer.allowRoute('OPTIONS /v1/orders', ['orders/write'])).toThrow(/"OPTIONS" is not a method the API accepts as a route/);
    expect(() => authorizer.allowRoute('POST /v1/orders', ['orders/admin'])).toThrow(
      /invalid routeScopes \(received "POST \/v1\/orders"\): this route is already allowed/,
    );
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ROUTE_SCOPES: encodeRouteScopes({ 'POST /v1/orders': ['orders/write'] }) }) },
    });
  });
});
