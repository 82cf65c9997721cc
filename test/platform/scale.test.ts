import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildScalePlatform, CFN_LIMITS, measureTemplates, quotaUsage, quotasPassed, SERVICES_PER_SCOPE_GROUP, StackMetrics } from '../../bench/run';
import { applySecurityChecks } from '../../lib/checks/apply-security-checks';
import { decodeRouteScopes } from '../../lib/pki/route-map';
import { PlatformStage } from '../../lib/platform/platform-stage';
import { SecuritySynthResult, synthesizeWithChecks } from '../../lib/testing/synth-with-checks';
import { expectNoFindings, newApp } from '../support/harness';
import { CfnJson } from '../../lib/private/rule-helpers';

/**
 * The smallest platform that shows the grouping: three nested stacks (8, 8 and 1 services) and two shared gateways
 * (10 and 7 services), so full and partial groups and a gateway spanning nested stacks are checked. The 300-service
 * platform and its quota checks are in the bench (BENCHMARKS.md).
 */
const SERVICES = 17;
const PER_GATEWAY = 10;
/** Lambda's hard quota on a function's environment variables (keys and values together). */
const LAMBDA_ENVIRONMENT_BYTES = 4096;

// One platform of the bench mix (mTLS on) through all six packs.
describe(`platform with ${SERVICES} services`, () => {
  let app: App;
  let stage: PlatformStage;
  let result: SecuritySynthResult;
  let stacks: StackMetrics[];
  let resources: { stack: string; type: string; properties: CfnJson }[];
  beforeAll(() => {
    app = newApp();
    stage = buildScalePlatform(app, SERVICES, { servicesPerGateway: PER_GATEWAY });
    applySecurityChecks(app);
    result = synthesizeWithChecks(app);
    stacks = measureTemplates(result.assemblyDir);
    resources = result.templatePaths.flatMap((p) =>
      Object.values((JSON.parse(fs.readFileSync(p, 'utf8')) as { Resources: Record<string, { Type: string; Properties?: CfnJson }> }).Resources).map(
        (r) => ({ stack: p, type: r.Type, properties: r.Properties ?? {} }),
      ),
    );
  });
  const ofType = (type: string) => resources.filter((r) => r.type === type);

  it('synthesizes through the security gate with no finding', () => {
    expect(stage.platform.services.size).toBe(SERVICES);
    expect(result.packs).toHaveLength(9); // six packs, the SecurityGate audit, the security report, the API model
    // The packs really looked at every nested stack: each one's acknowledged findings (execution role) are reported.
    const unseen = Array.from({ length: Math.ceil(SERVICES / 8) }, (_, i) => `/Services${i + 1}/`).filter(
      (stack) => !result.acknowledged.some((a) => a.acknowledgedAt.includes(stack)),
    );
    expect(unseen).toEqual([]);
    expectNoFindings(result);
  });

  it('groups services 8 to a nested stack; the parent grows only by a nested stack per 8 and a gateway per 10 services', () => {
    expect(stacks.filter((s) => s.nested)).toHaveLength(Math.ceil(SERVICES / 8));
    // The platform's parent stack; the stage's other top-level stacks are the account baseline and the image registry.
    expect(
      stacks
        .filter((s) => !s.nested)
        .map((s) => s.name.replace(/[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual(['devBaseline', 'devPlatform', 'devRegistry']);
    const parent = stacks.filter((s) => !s.nested && s.name.startsWith('devPlatform'));
    expect(parent).toHaveLength(1);
    // Routes live in the services' nested stacks: only the shared version resource /v1 is in the parent.
    const inParent = resources.filter((r) => /devPlatform[0-9A-F]{8}\.template\.json$/.test(r.stack));
    expect(inParent.filter((r) => r.type === 'AWS::ApiGateway::Method')).toEqual([]);
    expect(inParent.filter((r) => r.type === 'AWS::ApiGateway::Resource').map((r) => r.properties.PathPart)).toEqual(['v1']);
    // The same platform with one service: the difference is 2 nested stacks and 1 gateway (NLB, its SG, VPC link).
    const one = newApp();
    const small = buildScalePlatform(one, 1, { servicesPerGateway: PER_GATEWAY });
    const oneParent = Object.keys(Template.fromStack(small.stack).toJSON().Resources).length;
    expect(parent[0].resources - oneParent).toBe(Math.ceil(SERVICES / 8) - 1 + (Math.ceil(SERVICES / PER_GATEWAY) - 1) * 3);
  });

  it('shares a gateway (NLB + VPC link, platform stack) per 10 services across nested stacks, listeners on 8443 + index', () => {
    expect(ofType('AWS::ElasticLoadBalancingV2::LoadBalancer').map((r) => r.stack)).toEqual([
      expect.not.stringContaining('.nested.'),
      expect.not.stringContaining('.nested.'),
    ]);
    expect(ofType('AWS::ApiGateway::VpcLink')).toHaveLength(2);
    const ports = ofType('AWS::ElasticLoadBalancingV2::Listener').map((r) => r.properties.Port);
    expect(ports).toEqual([
      ...Array.from({ length: PER_GATEWAY }, (_, i) => 8443 + i),
      ...Array.from({ length: SERVICES - PER_GATEWAY }, (_, i) => 8443 + i),
    ]);
  });

  it('uses the account quotas per platform, not per service: resource servers per scope group, one rule, shared roles', () => {
    const usage = quotaUsage(result.assemblyDir);
    expect(usage).toMatchObject({ resourceServers: Math.ceil(SERVICES / SERVICES_PER_SCOPE_GROUP), vpcLinks: 2 });
    // One rule for every repository's image findings; the others are the platform's own (revocation sync, baseline).
    expect(ofType('AWS::Events::Rule').filter((r) => JSON.stringify(r.properties.EventPattern).includes('ECR Image Scan'))).toHaveLength(1);
    expect(usage.eventRules).toBeLessThanOrEqual(5);
    // A task role per service, an execution role per nested stack, the platform's own (CA, truststore, authorizer, …).
    const taskRoles = ofType('AWS::IAM::Role').filter((r) => /application role/.test(r.properties.Description ?? ''));
    const executionRoles = ofType('AWS::IAM::Role').filter((r) => /image pull/.test(r.properties.Description ?? ''));
    expect([taskRoles.length, executionRoles.length]).toEqual([SERVICES, Math.ceil(SERVICES / 8)]);
    expect(usage.iamRoles).toBeLessThan(SERVICES + 20);
    expect(quotasPassed(usage)).toEqual([]);
    expect(quotasPassed({ ...usage, vpcLinks: 21 })).toEqual(['vpcLinks 21 > 20']);
  });

  it('keeps every stack under the CloudFormation limits', () => {
    const over = stacks.filter(
      (s) =>
        s.resources > CFN_LIMITS.resources ||
        s.bytes > CFN_LIMITS.templateBytes ||
        s.outputs > CFN_LIMITS.outputs ||
        s.parameters > CFN_LIMITS.parameters,
    );
    expect(over, JSON.stringify(over, null, 2)).toEqual([]);
    // The measurement itself: the templates hold every resource of the services (about 20 per service plus the base).
    expect(stacks.reduce((sum, s) => sum + s.resources, 0)).toBeGreaterThan(20 * SERVICES);
  });

  it("keeps the mTLS authorizer environment (route map) under Lambda's 4 KB with room for the resolved references", () => {
    const template = JSON.parse(
      fs.readFileSync(
        result.templatePaths.find((p) => /devPlatform[0-9A-F]{8}\.template\.json$/.test(p))!,
        'utf8',
      ),
    ) as {
      Resources: Record<string, { Type: string; Properties: { Environment?: { Variables?: Record<string, unknown> } } }>;
    };
    const authorizer = Object.entries(template.Resources).find(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes('ClientCertificateAuthorizer'),
    );
    const variables = authorizer![1].Properties.Environment!.Variables!;
    expect(Object.keys(decodeRouteScopes(variables.ROUTE_SCOPES as string))).toHaveLength(SERVICES);
    // References (table name, pool id) resolve at deploy time: budget 128 bytes each.
    const size = Object.entries(variables).reduce((sum, [key, value]) => sum + key.length + (typeof value === 'string' ? value.length : 128), 0);
    expect(size).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_BYTES);
  });
});

describe("mTLS route map over Lambda's environment quota", () => {
  it('fails synth with the size and the fix instead of failing the deployment', () => {
    const app = newApp();
    const stage = buildScalePlatform(app, 1);
    // Random path segments barely compress: 120 routes of 48 random hex digits overflow the 4 KB even compressed.
    const routes = Array.from({ length: 120 }, () => ({
      version: 'v1',
      path: `/big/${randomBytes(24).toString('hex')}`,
      method: 'GET' as const,
      scopes: ['big/read'],
    }));
    stage.platform.addService('big', { imageTag: '1.0.0', routes });
    expect(() => app.synth()).toThrow(
      /route map of 121 routes is \d+ bytes compressed.*exceed the 4 KB Lambda allows.*Fix: use fewer or shorter routes/,
    );
  });
});
