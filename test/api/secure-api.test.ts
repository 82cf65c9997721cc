import { Duration, NestedStack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { SecurityPack } from '../../lib/checks/apply-security-checks';
import { SecureApi, SecureApiProps } from '../../lib/api/secure-api';
import { expectCfnLintClean } from '../support/checks';
import { PlatformKeys } from '../../lib/encryption/platform-keys';
import { expectNoFindings, expectReasonedAcknowledgements, newStack, synthWithGate } from '../support/harness';
import { PlatformIdentity } from '../../lib/identity/platform-identity';
import { apiStack, firewallIn, FULL_FIREWALL_PROPS, mockIntegration, OK_RESPONSE } from './fixtures';

const ORDER_SCHEMA: apigw.JsonSchema = {
  type: apigw.JsonSchemaType.OBJECT,
  required: ['item'],
  properties: { item: { type: apigw.JsonSchemaType.STRING, maxLength: 64 } },
  additionalProperties: false,
};

function getRoute(api: SecureApi, extra: Partial<Parameters<SecureApi['addRoute']>[0]> = {}) {
  return api.addRoute({
    version: 'v1',
    path: '/orders/{id}',
    method: 'GET',
    scopes: ['orders/read'],
    integration: mockIntegration(),
    methodResponses: [OK_RESPONSE],
    ...extra,
  });
}

function logicalIdOf(template: Template, type: string, props: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(ids, `${type} ${JSON.stringify(props)}`).toHaveLength(1);
  return ids[0];
}

describe('SecureApi', () => {
  let gate: ReturnType<typeof synthWithGate>;
  let template: Template;
  let api: SecureApi;

  beforeAll(() => {
    // The compliant stack also holds a PlatformIdentity (its pool backs the API) and a full-option firewall, so one
    // cfn-lint run covers all three constructs.
    const stack = newStack();
    const keys = new PlatformKeys(stack, 'Keys');
    const identity = new PlatformIdentity(stack, 'Identity', { domainPrefix: 'acme-api-test' });
    identity.addResourceServer('orders', ['read', 'write', 'admin']);
    identity.addMachineClient('billing-service', ['orders/read']);
    identity.addUserClient('web', {
      callbackUrls: ['https://app.example.com/cb'],
      logoutUrls: ['https://app.example.com/'],
      scopes: ['orders/read'],
    });
    api = new SecureApi(stack, 'Api', {
      userPool: identity.userPool,
      logsKey: keys.logsKey,
      alarmTopicKey: keys.dataKey,
      usageTiers: { free: { rateLimit: 5, burstLimit: 10, quota: 1000, quotaPeriod: apigw.Period.DAY } },
    });
    api.addUsageTier('partner', { rateLimit: 50, burstLimit: 100, quota: 100000, quotaPeriod: apigw.Period.MONTH });
    api.addApiKeyToTier('partner', 'AcmeCorp');
    getRoute(api, { throttle: { rateLimit: 20, burstLimit: 40 }, requestParameters: { 'method.request.querystring.expand': false } });
    api.addRoute({
      version: 'v1',
      path: '/orders',
      method: 'POST',
      scopes: ['orders/write'],
      integration: mockIntegration(),
      methodResponses: [OK_RESPONSE],
      requestModel: ORDER_SCHEMA,
    });
    api.addRoute({
      version: 'v2',
      path: '/orders/{id}',
      method: 'GET',
      scopes: ['orders/read', 'orders/admin'],
      integration: mockIntegration(),
      methodResponses: [OK_RESPONSE],
    });
    api.addRoute({
      version: 'v1',
      path: '/health',
      method: 'GET',
      publicRoute: { reason: 'uptime probe of the status page, returns no data' },
      integration: mockIntegration(),
      methodResponses: [OK_RESPONSE],
    });
    const firewall = firewallIn(stack, keys, FULL_FIREWALL_PROPS);
    firewall.associate(api.stage);
    api.addFirewallAlarm(firewall.metricBlockedRequests());
    gate = synthWithGate(stack);
    template = gate.template;
  });

  it('passes every pack and PlatformChecks; acknowledges only stage caching and the one public route, with reasons', () => {
    expectNoFindings(gate);
    expectReasonedAcknowledgements(gate);
    const acks = gate.acknowledged.map((a) => `${a.acknowledgedId} @ ${a.constructPaths.join(',')}`).sort();
    expect(acks).toEqual([
      'AwsSolutions::AwsSolutions-APIG4 @ TestStack/Api/Resource/Default/v1/health/GET/Resource',
      'AwsSolutions::AwsSolutions-COG4 @ TestStack/Api/Resource/Default/v1/health/GET/Resource',
      'HIPAA.Security::HIPAA.Security-APIGWCacheEnabledAndEncrypted @ TestStack/Api/Resource/DeploymentStage.prod/Resource',
      'NIST.800.53.R5::NIST.800.53.R5-APIGWCacheEnabledAndEncrypted @ TestStack/Api/Resource/DeploymentStage.prod/Resource',
      'PCI.DSS.321::PCI.DSS.321-APIGWCacheEnabledAndEncrypted @ TestStack/Api/Resource/DeploymentStage.prod/Resource',
      'PlatformChecks::Platform-MethodAuthorizedWithScopes @ TestStack/Api/Resource/Default/v1/health/GET/Resource',
    ]);
    const publicAck = gate.acknowledged.find((a) => a.acknowledgedId === 'AwsSolutions::AwsSolutions-COG4');
    expect(publicAck?.reason).toBe('publicRoute opt-out: uptime probe of the status page, returns no data');
  });

  it('passes cfn-lint (SecureApi, full-option ApiFirewall, PlatformIdentity)', () => {
    expectCfnLintClean(gate.templatePaths);
  });

  it('is a regional REST API that leaves the account-wide CloudWatch role alone', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] }, ApiKeySourceType: 'HEADER' });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.resourceCountIs('AWS::IAM::Role', 0);
  });

  it('authorizes every route with the Cognito authorizer and its scopes, and requires an API key', () => {
    const authorizerId = logicalIdOf(template, 'AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS' });
    const validatorId = logicalIdOf(template, 'AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizerId: { Ref: authorizerId },
      AuthorizationScopes: ['orders/read'],
      ApiKeyRequired: true,
      RequestValidatorId: { Ref: validatorId },
      RequestParameters: { 'method.request.path.id': true, 'method.request.querystring.expand': false },
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationScopes: ['orders/read', 'orders/admin'] });
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(4);
    const unauthorized = methods.filter((m) => m.Properties.AuthorizationType !== 'COGNITO_USER_POOLS');
    expect(unauthorized.map((m) => m.Properties.AuthorizationType)).toEqual(['NONE']);
    expect(methods.every((m) => m.Properties.ApiKeyRequired === true && m.Properties.RequestValidatorId)).toBe(true);
  });

  it('validates request bodies against the JSON-schema model', () => {
    const modelId = logicalIdOf(template, 'AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({ required: ['item'], additionalProperties: false }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationScopes: ['orders/write'],
      RequestModels: { 'application/json': { Ref: modelId } },
    });
  });

  it('serves routes under versioned base paths', () => {
    const parts = Object.values(template.findResources('AWS::ApiGateway::Resource'))
      .map((r) => r.Properties.PathPart)
      .sort();
    expect(parts).toEqual(['health', 'orders', 'orders', 'v1', 'v2', '{id}', '{id}']);
  });

  it('lists the routes with their scopes for custom authorizers', () => {
    expect(
      api.routes.map(({ version, method, path, resourcePath, scopes, public: isPublic }) => ({
        version,
        method,
        path,
        resourcePath,
        scopes,
        public: isPublic,
      })),
    ).toEqual([
      { version: 'v1', method: 'GET', path: '/orders/{id}', resourcePath: '/v1/orders/{id}', scopes: ['orders/read'], public: false },
      { version: 'v1', method: 'POST', path: '/orders', resourcePath: '/v1/orders', scopes: ['orders/write'], public: false },
      { version: 'v2', method: 'GET', path: '/orders/{id}', resourcePath: '/v2/orders/{id}', scopes: ['orders/read', 'orders/admin'], public: false },
      { version: 'v1', method: 'GET', path: '/health', resourcePath: '/v1/health', scopes: [], public: true },
    ]);
  });

  it('records per route what api-model.json needs: authorizer, API key, validated parameters, body schema, throttle', () => {
    const [get, post, , health] = api.routes;
    expect(get).toMatchObject({ authorization: 'COGNITO', apiKeyRequired: true, requestModel: undefined });
    expect(get.requestParameters).toEqual(expect.objectContaining({ 'method.request.path.id': true }));
    expect(post).toMatchObject({ authorization: 'COGNITO', requestModel: ORDER_SCHEMA, throttle: undefined });
    expect(health).toMatchObject({ authorization: 'NONE', apiKeyRequired: true });
    expect(api).toMatchObject({
      stageName: 'prod',
      apiKeyRequired: true,
      authorizationType: 'COGNITO',
      throttle: { rateLimit: 50, burstLimit: 100 },
    });
    expect([...api.usageTiers.keys()]).toEqual(['free', 'partner']);
  });

  it('records the public route as an opt-out with its reason', () => {
    const optOuts = api.node.metadata.filter((m) => m.type === 'cdk-secure-microservices:opt-out').map((m) => m.data);
    expect(optOuts).toEqual([{ control: 'authorization on GET /v1/health', reason: 'uptime probe of the status page, returns no data' }]);
  });

  it('offers usage tiers with throttle and quota, and API keys on tiers', () => {
    expect([...api.usagePlans.keys()]).toEqual(['free', 'partner']);
    const stageId = logicalIdOf(template, 'AWS::ApiGateway::Stage', { StageName: 'prod' });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 5, BurstLimit: 10 },
      Quota: { Limit: 1000, Period: 'DAY' },
      ApiStages: [{ ApiId: Match.anyValue(), Stage: { Ref: stageId } }],
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 50, BurstLimit: 100 },
      Quota: { Limit: 100000, Period: 'MONTH' },
    });
    const partnerPlan = logicalIdOf(template, 'AWS::ApiGateway::UsagePlan', { Quota: { Limit: 100000, Period: 'MONTH' } });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', { KeyType: 'API_KEY', UsagePlanId: { Ref: partnerPlan } });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
  });

  it('throttles the whole stage, logs errors only, no data trace, no cache, and overrides throttling per route', () => {
    const common = { LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true, CachingEnabled: false };
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      MethodSettings: [
        { ResourcePath: '/*', HttpMethod: '*', ...common, ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        { ResourcePath: '/~1v1~1orders~1{id}', HttpMethod: 'GET', ...common, ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      ],
      ClientCertificateId: { 'Fn::GetAtt': [Match.stringLikeRegexp('BackendClientCertificate'), 'ClientCertificateId'] },
    });
  });

  it('writes JSON access logs with caller, WAF and authorizer results to a KMS-encrypted log group with finite retention', () => {
    const logGroupId = logicalIdOf(template, 'AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), LogGroupName: Match.absent() });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('KeysLogsKey'), 'Arn'] }, RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    expect(stage.Properties.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      sourceIp: '$context.identity.sourceIp',
      caller: '$context.identity.caller',
      principalId: '$context.authorizer.principalId',
      status: '$context.status',
      responseLatency: '$context.responseLatency',
      wafStatus: '$context.waf.status',
      wafError: '$context.waf.error',
      authorizerError: '$context.authorizer.error',
      authorizeStatus: '$context.authorize.status',
    });
  });

  it('has a resource policy allowing its stage only and denying everything else', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: {
        Statement: [
          {
            Sid: 'AllowInvokeOnThisStage',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 'execute-api:Invoke',
            Resource: 'execute-api:/prod/*/*',
          },
          {
            Sid: 'DenyInvokeOutsideThisStage',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'execute-api:Invoke',
            NotResource: 'execute-api:/prod/*/*',
          },
        ],
        Version: '2012-10-17',
      },
    });
  });

  it('adds a source condition to the resource policy: a request from no listed IP range or VPC endpoint is denied', () => {
    const { stack, api: restricted } = apiStack({
      resourcePolicy: { allowedSourceIpRanges: ['203.0.113.0/24'], allowedSourceVpcEndpoints: ['vpce-0123456789abcdef0'] },
    });
    getRoute(restricted);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: {
        Statement: Match.arrayWith([
          {
            Sid: 'DenyInvokeFromOtherSources',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'execute-api:Invoke',
            Resource: 'execute-api:/*',
            Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] }, StringNotEquals: { 'aws:SourceVpce': ['vpce-0123456789abcdef0'] } },
          },
        ]),
      },
    });
  });

  it('answers errors with generic bodies and security headers', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map((r) => r.Properties);
    expect(responses.map((r) => r.ResponseType)).toEqual(
      expect.arrayContaining([
        'DEFAULT_4XX',
        'DEFAULT_5XX',
        'UNAUTHORIZED',
        'ACCESS_DENIED',
        'MISSING_AUTHENTICATION_TOKEN',
        'BAD_REQUEST_BODY',
        'WAF_FILTERED',
      ]),
    );
    for (const r of responses) {
      expect(r.ResponseParameters).toEqual({
        'gatewayresponse.header.Strict-Transport-Security': "'max-age=31536000; includeSubDomains'",
        'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
        'gatewayresponse.header.Cache-Control': "'no-store'",
        'gatewayresponse.header.X-Frame-Options': "'DENY'",
        'gatewayresponse.header.Content-Security-Policy': "'sandbox'",
      });
      const body = r.ResponseTemplates['application/json'];
      expect(Object.keys(JSON.parse(body))).toEqual(['message', 'requestId']);
      expect(body).not.toMatch(/\$context\.error|\$context\.authorizer/);
    }
  });

  it('alarms on 5XX, 4XX rate, p99 latency and WAF blocks, notifying a KMS-encrypted topic', () => {
    const topicId = logicalIdOf(template, 'AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('KeysDataKey'), 'Arn'] } });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(api.alarms).toHaveLength(4);
    expect(alarms.map((a) => `${a.Namespace}/${a.MetricName}/${a.Statistic ?? a.ExtendedStatistic}`).sort()).toEqual([
      'AWS/ApiGateway/4XXError/Average',
      'AWS/ApiGateway/5XXError/Sum',
      'AWS/ApiGateway/Latency/p99',
      'AWS/WAFV2/BlockedRequests/Sum',
    ]);
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    // The topic's own policy replaces SNS's default one: CloudWatch (of this account) must be allowed to publish.
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topicId },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]),
      },
    });
  });

  it('is associated with the web ACL through the Stage resource', () => {
    const stageId = logicalIdOf(template, 'AWS::ApiGateway::Stage', { StageName: 'prod' });
    const association = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation'))[0];
    expect(JSON.stringify(association.Properties.ResourceArn)).toContain(JSON.stringify({ Ref: stageId }));
  });
});

describe('SecureApi variants', () => {
  it('customAuthorizer: CUSTOM authorization, COG4 acknowledged per method; manageAccountCloudWatchRole: retained account role', () => {
    const { stack, keys, api: roleApi } = apiStack({ manageAccountCloudWatchRole: true });
    getRoute(roleApi);
    const fn = new lambda.Function(stack, 'AuthFn', {
      runtime: lambda.Runtime.NODEJS_LATEST,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
    const authorizer = new apigw.RequestAuthorizer(stack, 'MtlsAuthorizer', {
      handler: fn,
      identitySources: [apigw.IdentitySource.header('Authorization')],
    });
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'MtlsPool', 'eu-west-1_Example2');
    const api = new SecureApi(stack, 'MtlsApi', {
      userPool,
      logsKey: keys.logsKey,
      alarmTopicKey: keys.dataKey,
      customAuthorizer: { authorizer, reason: 'mTLS clients: the PKI authorizer checks certificate, revocation and route scopes' },
    });
    getRoute(api);
    api.addRoute({
      version: 'v1',
      path: '/orders',
      method: 'DELETE',
      scopes: ['orders/admin'],
      integration: mockIntegration(),
      methodResponses: [OK_RESPONSE],
    });
    const result = synthWithGate(stack, { packs: [SecurityPack.AWS_SOLUTIONS, SecurityPack.PLATFORM] });
    const acks = result.acknowledged.map((a) => `${a.acknowledgedId} @ ${a.constructPaths.join(',')}`);

    const mtlsMethods = Object.values(result.template.findResources('AWS::ApiGateway::Method')).filter((m) =>
      JSON.stringify(m.Properties.RestApiId).includes('MtlsApi'),
    );
    expect(mtlsMethods.map((m) => [m.Properties.AuthorizationType, m.Properties.AuthorizationScopes])).toEqual([
      ['CUSTOM', undefined],
      ['CUSTOM', undefined],
    ]);
    expect(result.findings.filter((f) => /COG4|MethodAuthorizedWithScopes/.test(f.ruleId))).toEqual([]);
    const cog4 = result.acknowledged.filter((a) => a.acknowledgedId === 'AwsSolutions::AwsSolutions-COG4');
    expect(cog4.flatMap((a) => a.constructPaths).sort()).toEqual([
      'TestStack/MtlsApi/Resource/Default/v1/orders/DELETE/Resource',
      'TestStack/MtlsApi/Resource/Default/v1/orders/{id}/GET/Resource',
    ]);
    expect(cog4.every((a) => a.reason === 'customAuthorizer: mTLS clients: the PKI authorizer checks certificate, revocation and route scopes')).toBe(
      true,
    );
    expect(api.routes.map((r) => r.scopes)).toEqual([['orders/read'], ['orders/admin']]);

    result.template.resourceCountIs('AWS::ApiGateway::Account', 1);
    result.template.hasResource('AWS::IAM::Role', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] }),
      }),
    });
    expect(result.findings.filter((f) => f.ruleId.startsWith('AwsSolutions-IAM4') && f.constructPath.includes('CloudWatchRole'))).toEqual([]);
    expect(acks).toContain(
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs] @ TestStack/Api/Resource/CloudWatchRole/Resource',
    );
  });

  it('withoutApiKeys is an explicit opt-out shown at synth', () => {
    const { stack, api } = apiStack({ withoutApiKeys: { reason: 'internal API behind the mesh only' } });
    getRoute(api);
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', { ApiKeyRequired: false });
    Annotations.fromStack(stack).hasInfo(
      '/TestStack/Api',
      Match.stringLikeRegexp('security opt-out.*API keys required.*internal API behind the mesh only'),
    );
  });

  describe('rejects bad input with prop, value and fix', () => {
    it.each([
      ['non-positive rate', { throttle: { rateLimit: 0, burstLimit: 10 } }, /invalid throttle.rateLimit \(received 0\).*Fix:/],
      ['non-positive burst', { throttle: { rateLimit: 1, burstLimit: -1 } }, /invalid throttle.burstLimit \(received -1\).*Fix:/],
      [
        'burst below rate',
        { throttle: { rateLimit: 100, burstLimit: 50 } },
        /invalid throttle.burstLimit \(received 50\).*below the rate limit.*at least 100/,
      ],
      [
        'unknown quota period',
        { usageTiers: { free: { rateLimit: 1, burstLimit: 1, quota: 10, quotaPeriod: 'YEAR' as apigw.Period } } },
        /invalid usageTiers\.free\.quotaPeriod \(received "YEAR"\).*Period.DAY/,
      ],
      [
        'non-positive quota',
        { usageTiers: { free: { rateLimit: 1, burstLimit: 1, quota: 0, quotaPeriod: apigw.Period.DAY } } },
        /invalid usageTiers\.free\.quota \(received 0\)/,
      ],
      [
        'bad tier name',
        { usageTiers: { 'free tier': { rateLimit: 1, burstLimit: 1, quota: 1, quotaPeriod: apigw.Period.DAY } } },
        /invalid usageTiers \(received "free tier"\)/,
      ],
      [
        'log retention out of range',
        { accessLogRetention: Duration.days(4000) },
        /invalid accessLogRetention \(received "Duration.days\(4000\)"\).*Fix: use Duration\.days\(n\) with n one of/,
      ],
      [
        'a custom authorizer without a reason',
        { customAuthorizer: { authorizer: {} as apigw.IAuthorizer, reason: 'mtls' } },
        /invalid customAuthorizer.reason \(received "mtls"\)/,
      ],
      ['bad stage name', { stageName: 'prod-1' }, /invalid stageName \(received "prod-1"\)/],
      [
        'source IP range not a CIDR',
        { resourcePolicy: { allowedSourceIpRanges: ['10.0.0.1'] } },
        /invalid resourcePolicy\.allowedSourceIpRanges \(received "10\.0\.0\.1"\): not a CIDR range/,
      ],
      [
        'empty source IP ranges',
        { resourcePolicy: { allowedSourceIpRanges: [] } },
        /invalid resourcePolicy\.allowedSourceIpRanges \(received \[\]\): an empty list would deny every caller/,
      ],
      [
        'not a VPC endpoint id',
        { resourcePolicy: { allowedSourceVpcEndpoints: ['vpc-123'] } },
        /invalid resourcePolicy\.allowedSourceVpcEndpoints \(received "vpc-123"\)/,
      ],
    ])('%s', (_name, props, error) => {
      expect(() => apiStack(props as Partial<SecureApiProps>)).toThrow(error);
    });

    it.each([
      ['path not starting with "/"', { path: 'orders' }, /invalid addRoute\.path \(received "orders"\).*Fix: use "\/orders"/],
      ['path with a trailing "/"', { path: '/orders/' }, /invalid addRoute\.path \(received "\/orders\/"\)/],
      ['unknown HTTP method', { method: 'FETCH' }, /invalid addRoute\.method \(received "FETCH"\).*GET, POST/],
      ['ANY as method', { method: 'ANY' }, /invalid addRoute\.method \(received "ANY"\)/],
      ['version not matching v<N>', { version: '1' }, /invalid addRoute\.version \(received "1"\).*"v1", "v2"/],
      ['version v0', { version: 'v0' }, /invalid addRoute\.version \(received "v0"\)/],
      ['invalid scope', { scopes: ['orders read'] }, /invalid addRoute\.scopes \(received "orders read"\)/],
      ['scope without resource server', { scopes: ['read'] }, /invalid addRoute\.scopes \(received "read"\)/],
      ['no scopes and not public', { scopes: [] }, /needs at least one OAuth scope.*publicRoute/],
      [
        'a public route without a reason',
        { scopes: undefined, publicRoute: { reason: '' } },
        /invalid addRoute\(GET \/v1\/orders\/\{id\}\).publicRoute.reason/,
      ],
      ['a public route with scopes', { publicRoute: { reason: 'health probe for the LB' } }, /a public route checks no token/],
      ['a body method without a model', { method: 'PUT' }, /invalid addRoute\.requestModel.*JSON schema/],
      ['a malformed request parameter', { requestParameters: { limit: true } }, /invalid addRoute\.requestParameters \(received "limit"\)/],
      [
        'a route throttle with burst below rate',
        { throttle: { rateLimit: 10, burstLimit: 5 } },
        /invalid addRoute\(GET \/v1\/orders\/\{id\}\).throttle.burstLimit \(received 5\)/,
      ],
    ])('%s', (_name, route, error) => {
      const { api } = apiStack();
      expect(() => getRoute(api, route as Partial<Parameters<SecureApi['addRoute']>[0]>)).toThrow(error);
    });

    it('duplicate routes', () => {
      const { api } = apiStack();
      getRoute(api);
      expect(() => getRoute(api)).toThrow(/invalid addRoute \(received "GET \/v1\/orders\/\{id\}"\): this route already exists/);
      expect(() => getRoute(api, { version: 'v2' })).not.toThrow();
    });

    it('an API key on an unknown tier', () => {
      const { api } = apiStack();
      expect(() => api.addApiKeyToTier('gold', 'Acme')).toThrow(/invalid addApiKeyToTier\.tier \(received "gold"\): no such usage tier/);
    });
  });
});

describe('SecureApi routes placed in other stacks (scope)', () => {
  it("creates resources below the version, the method and the model in the route's stack, reusing another stack's prefix", () => {
    const { stack, api } = apiStack();
    const orders = new NestedStack(stack, 'Orders');
    const audit = new NestedStack(stack, 'Audit');
    api.addRoute({
      version: 'v1',
      path: '/orders',
      method: 'POST',
      scopes: ['orders/write'],
      integration: mockIntegration(),
      methodResponses: [OK_RESPONSE],
      requestModel: ORDER_SCHEMA,
      scope: orders,
    });
    api.addRoute({
      version: 'v1',
      path: '/orders/{id}/audit',
      method: 'GET',
      scopes: ['orders/admin'],
      integration: mockIntegration(),
      methodResponses: [OK_RESPONSE],
      scope: audit,
    });
    const parent = Template.fromStack(stack);
    parent.resourceCountIs('AWS::ApiGateway::Method', 0);
    parent.resourceCountIs('AWS::ApiGateway::Model', 0);
    expect(Object.values(parent.findResources('AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart)).toEqual(['v1']);
    const o = Template.fromStack(orders);
    o.resourceCountIs('AWS::ApiGateway::Model', 1);
    o.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationScopes: ['orders/write'],
      ApiKeyRequired: true,
      RequestModels: { 'application/json': Match.anyValue() },
    });
    expect(Object.values(o.findResources('AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart)).toEqual(['orders']);
    // /v1/orders exists (in Orders): Audit adds only {id} and audit below it, referencing Orders' resource.
    const a = Template.fromStack(audit);
    const added = Object.values(a.findResources('AWS::ApiGateway::Resource')).map((r) => r.Properties);
    expect(added.map((r) => r.PathPart)).toEqual(['{id}', 'audit']);
    expect(JSON.stringify(added[0].ParentId)).toMatch(/Ordersv1orders|referencetoTestStackOrders/);
    a.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationScopes: ['orders/admin'] });
    // The deployment waits for both nested stacks, and its id changes when a route does.
    const [deployment] = Object.values(parent.findResources('AWS::ApiGateway::Deployment'));
    expect(deployment.DependsOn).toEqual(expect.arrayContaining(Object.keys(parent.findResources('AWS::CloudFormation::Stack'))));
    expect(api.routes.map((r) => `${r.method} ${r.resourcePath}`)).toEqual(['POST /v1/orders', 'GET /v1/orders/{id}/audit']);
  });

  it('gives the deployment a new id when a route in another stack changes, so the stage serves it', () => {
    const deploymentId = (scopes: string[]) => {
      const { stack, api } = apiStack();
      api.addRoute({
        version: 'v1',
        path: '/orders',
        method: 'GET',
        scopes,
        integration: mockIntegration(),
        methodResponses: [OK_RESPONSE],
        scope: new NestedStack(stack, 'Orders'),
      });
      return Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Deployment'))[0];
    };
    expect(deploymentId(['orders/read'])).toBe(deploymentId(['orders/read']));
    expect(deploymentId(['orders/read'])).not.toBe(deploymentId(['orders/admin']));
  });
});
