import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { build as buildFullPlatform } from '../../examples/full-platform/app';
import { build as buildMinimalApi } from '../../examples/minimal-api/app';
import { build as buildMultiEnvironment } from '../../examples/multi-environment/app';
import { PlatformStage } from '../../lib/platform/platform-stage';
import { synthesizeWithChecks } from '../../lib/testing/synth-with-checks';
import { newApp } from '../support/harness';
import { SecureBucket } from '../../lib/storage/secure-bucket';
import { SecureTable } from '../../lib/storage/secure-table';

// What each example is meant to show, checked on its synthesized templates (one synth per example). The gate and
// cfn-lint run over every example in examples.test.ts.

interface Synthesized {
  readonly stages: PlatformStage[];
  /** Template of a stack (or nested stack) of the example, from the synthesized assembly. */
  template(stack: Stack): Template;
}

function synthExample(build: (app: App) => void): Synthesized {
  const app = newApp();
  build(app);
  const { templatePaths } = synthesizeWithChecks(app);
  const stages = app.node.children.filter((c): c is PlatformStage => Stage.isStage(c) && c instanceof PlatformStage);
  return {
    stages,
    template(stack) {
      const file = templatePaths.find((p) => path.basename(p) === stack.templateFile);
      if (!file) throw new Error(`no template ${stack.templateFile} among ${templatePaths.join(', ')}`);
      return Template.fromJSON(JSON.parse(fs.readFileSync(file, 'utf8')));
    },
  };
}

/** Methods other than CORS preflights. */
function routeMethods(template: Template) {
  return Object.values(template.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.HttpMethod !== 'OPTIONS');
}

describe('example minimal-api', () => {
  let ex: Synthesized;
  let platform: Template;
  let services: Template;
  beforeAll(() => {
    ex = synthExample(buildMinimalApi);
    platform = ex.template(ex.stages[0].stack);
    services = ex.template(ex.stages[0].platform.services.get('catalog')!.stack);
  });

  it('is one dev stage with one service', () => {
    expect(ex.stages.map((s) => s.stageName)).toEqual(['dev']);
    services.resourceCountIs('AWS::ECS::Service', 1);
    platform.resourceCountIs('AWS::EC2::Subnet', 2);
  });

  it("has exactly one route, Cognito-authorized with its scope and an API key, in the service's nested stack", () => {
    const methods = routeMethods(services);
    expect(methods).toHaveLength(1);
    expect(routeMethods(platform)).toHaveLength(0);
    expect(methods[0].Properties).toMatchObject({
      HttpMethod: 'GET',
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizationScopes: ['api/catalog.read'],
      ApiKeyRequired: true,
    });
  });

  it('has no mTLS domain, so the execute-api endpoint stays the entry', () => {
    platform.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    platform.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: false });
  });
});

describe('example full-platform', () => {
  let ex: Synthesized;
  let stage: PlatformStage;
  let platform: Template;
  let services: Template;
  beforeAll(() => {
    ex = synthExample(buildFullPlatform);
    stage = ex.stages[0];
    platform = ex.template(stage.stack);
    services = ex.template(stage.platform.services.get('orders')!.stack);
  });

  it('serves the API only on the mTLS domain', () => {
    platform.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      SecurityPolicy: 'TLS_1_2',
      MutualTlsAuthentication: { TruststoreUri: Match.anyValue(), TruststoreVersion: Match.anyValue() },
    });
    platform.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
  });

  it('runs three services, orders with a table and payments with a bucket, payments reachable from orders only', () => {
    expect([...stage.platform.services.keys()]).toEqual(['orders', 'payments', 'catalog']);
    services.resourceCountIs('AWS::ECS::Service', 3);
    services.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(stage.platform.services.get('orders')!.table).toBeInstanceOf(SecureTable);
    expect(stage.platform.services.get('payments')!.bucket).toBeInstanceOf(SecureBucket);
    expect(stage.platform.services.get('catalog')!.bucket).toBeUndefined();
    // orders -> payments is the only call: one VPC Lattice auth policy, naming the orders task role only; no
    // network-only path (no peer rule on the Service Connect port).
    const authPolicies = Object.values(services.findResources('AWS::VpcLattice::AuthPolicy'));
    expect(authPolicies).toHaveLength(1);
    expect(JSON.stringify(authPolicies[0].Properties.Policy.Statement[0].Principal)).toMatch(/ordersServiceTaskRole/);
    expect(Object.values(services.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => r.Properties.FromPort === 15443)).toEqual([]);
  });

  it('has free, standard and premium usage tiers, each with throttle and quota, and partner keys', () => {
    const plans = Object.values(platform.findResources('AWS::ApiGateway::UsagePlan')).map((p) => p.Properties);
    expect(plans).toHaveLength(3);
    expect(plans.map((p) => [p.Throttle, p.Quota])).toEqual(
      expect.arrayContaining([
        [
          { RateLimit: 5, BurstLimit: 10 },
          { Limit: 10_000, Period: 'MONTH' },
        ],
        [
          { RateLimit: 50, BurstLimit: 100 },
          { Limit: 1_000_000, Period: 'MONTH' },
        ],
        [
          { RateLimit: 200, BurstLimit: 400 },
          { Limit: 20_000_000, Period: 'MONTH' },
        ],
      ]),
    );
    platform.resourceCountIs('AWS::ApiGateway::ApiKey', 2);
    platform.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 2);
  });

  it('authorizes every route with the client-certificate authorizer, which knows each route and its scopes', () => {
    const methods = routeMethods(services);
    expect(methods).toHaveLength(6);
    for (const m of methods) expect(m.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', ApiKeyRequired: true });
    expect(stage.platform.api.routes.map((r) => `${r.method} ${r.resourcePath} ${r.scopes.join(',')}`)).toEqual([
      'GET /v1/orders/{id} api/orders.read',
      'POST /v1/orders api/orders.write',
      'GET /v1/payments/{id} api/payments.read',
      'GET /v1/products merchandising/catalog.read',
      'GET /v1/products/{id} merchandising/catalog.read',
      'PUT /v1/products/{id} merchandising/catalog.write',
    ]);
    expect(stage.platform.api.routes.some((r) => r.public)).toBe(false);
  });

  it('validates the POST body against its JSON schema and throttles it below the stage', () => {
    const post = routeMethods(services).find((m) => m.Properties.HttpMethod === 'POST')!;
    expect(Object.keys(post.Properties.RequestModels)).toEqual(['application/json']);
    expect(post.Properties.RequestValidatorId).toEqual({ Ref: expect.stringMatching(/Validator/) });
    platform.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ResourcePath: '/~1v1~1orders', HttpMethod: 'POST', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }),
      ]),
    });
    services.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({ required: ['sku', 'quantity'], additionalProperties: false }),
    });
  });

  it('has admin and reader roles: Cognito groups and a V2 pre-token-generation trigger giving each exactly its scopes', () => {
    const groups = Object.values(platform.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['admin', 'reader']);
    platform.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGenerationConfig: Match.objectLike({ LambdaVersion: 'V2_0' }) },
    });
    const [trigger] = Object.values(
      platform.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { ROLE_SCOPES: Match.anyValue() } } } }),
    );
    expect(JSON.parse(trigger.Properties.Environment.Variables.ROLE_SCOPES)).toEqual({
      admin: ['api/orders.read', 'api/orders.write', 'api/payments.read', 'merchandising/catalog.read', 'merchandising/catalog.write'],
      reader: ['api/orders.read', 'api/payments.read', 'merchandising/catalog.read'],
    });
    for (const m of routeMethods(services)) {
      expect(m.Properties.Integration.RequestParameters).toMatchObject({
        'integration.request.header.x-user-tenant': 'context.authorizer.claim_tenant',
      });
    }
  });

  it('creates the machine clients with client credentials and only their scopes', () => {
    const clients = Object.values(services.findResources('AWS::Cognito::UserPoolClient')).map((c) => c.Properties);
    expect(clients.map((c) => c.ClientName).sort()).toEqual(['finance-reporting', 'fulfilment-worker', 'storefront']);
    for (const c of clients) expect(c.AllowedOAuthFlows).toEqual(['client_credentials']);
    expect(clients.find((c) => c.ClientName === 'storefront')!.AllowedOAuthScopes).toHaveLength(2);
  });

  it('routes alarms to both e-mail addresses', () => {
    platform.resourceCountIs('AWS::SNS::Subscription', 2);
    platform.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform-team@example.com' });
  });
});

describe('example multi-environment', () => {
  let ex: Synthesized;
  let dev: PlatformStage;
  let prod: PlatformStage;
  beforeAll(() => {
    ex = synthExample(buildMultiEnvironment);
    [dev, prod] = ex.stages;
  });

  it('has a dev and a prod stage in their own accounts and regions', () => {
    expect(ex.stages.map((s) => [s.stageName, s.account, s.region])).toEqual([
      ['dev', '111122223333', 'eu-west-1'],
      ['prod', '444455556666', 'eu-central-1'],
    ]);
    expect(prod.stack.terminationProtection).toBe(true);
    expect(dev.stack.terminationProtection).toBe(false);
  });

  it('gives each account its own security baseline stack, locked by its profile', () => {
    ex.template(dev.baselineStack!).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 90 } } },
    });
    ex.template(prod.baselineStack!).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
    });
    for (const stage of [dev, prod]) {
      ex.template(stage.baselineStack!).resourceCountIs('AWS::CloudTrail::Trail', 1);
      ex.template(stage.baselineStack!).resourceCountIs('AWS::GuardDuty::Detector', 1);
    }
  });

  it('spreads dev over 2 AZs and prod over 3', () => {
    ex.template(dev.stack).resourceCountIs('AWS::EC2::Subnet', 2);
    ex.template(prod.stack).resourceCountIs('AWS::EC2::Subnet', 3);
  });

  it('routes prod alarms by e-mail; dev has no subscriber', () => {
    ex.template(prod.stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'security-oncall@example.com' });
    ex.template(dev.stack).resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('runs the same services and routes in both', () => {
    for (const stage of [dev, prod]) {
      expect([...stage.platform.services.keys()]).toEqual(['orders', 'payments']);
      ex.template(stage.platform.services.get('orders')!.stack).resourceCountIs('AWS::ECS::Service', 2);
    }
    expect(prod.platform.api.routes).toEqual(dev.platform.api.routes);
    expect(dev.platform.api.routes).toHaveLength(3);
  });

  it("uses each region's own certificates and S3 and DynamoDB prefix lists", () => {
    for (const stage of [dev, prod]) {
      ex.template(stage.stack).hasResourceProperties('AWS::ApiGateway::DomainName', {
        RegionalCertificateArn: Match.stringLikeRegexp(`^arn:aws:acm:${stage.region}:${stage.account}:certificate/`),
      });
    }
    const prefixLists = (stage: PlatformStage) =>
      JSON.stringify(ex.template(stage.platform.services.get('orders')!.stack).toJSON()).match(/pl-[0-9a-f]+/g);
    expect(new Set(prefixLists(dev))).toEqual(new Set(['pl-6da54004', 'pl-6fa54006']));
    expect(new Set(prefixLists(prod))).toEqual(new Set(['pl-6ea54007', 'pl-66a5400f']));
  });
});
