import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildScalePlatform, CFN_LIMITS, measureTemplates, StackMetrics } from '../../bench/run';
import { applySecurityChecks } from '../../lib/checks/apply-security-checks';
import { decodeRouteScopes } from '../../lib/pki/route-map';
import { PlatformStage } from '../../lib/platform/platform-stage';
import { SecuritySynthResult, synthesizeWithChecks } from '../../lib/testing/synth-with-checks';
import { expectNoFindings, newApp } from '../support/harness';

/**
 * The smallest platform that shows the grouping: three nested stacks (8, 8 and 1 services), so both a full and a
 * partial stack are checked. The 300-service platform and its quota checks are in the bench (BENCHMARKS.md).
 */
const SERVICES = 17;
/** Lambda's hard quota on a function's environment variables (keys and values together). */
const LAMBDA_ENVIRONMENT_BYTES = 4096;

// One platform of the bench mix (mTLS on) through all six packs.
describe(`platform with ${SERVICES} services`, () => {
  let app: App;
  let stage: PlatformStage;
  let result: SecuritySynthResult;
  let stacks: StackMetrics[];
  beforeAll(() => {
    app = newApp();
    stage = buildScalePlatform(app, SERVICES);
    applySecurityChecks(app);
    result = synthesizeWithChecks(app);
    stacks = measureTemplates(result.assemblyDir);
  });

  it('synthesizes through the security gate with no finding', () => {
    expect(stage.platform.services.size).toBe(SERVICES);
    expect(result.packs).toHaveLength(9); // six packs, the SecurityGate audit, the security report, the API model
    // The packs really looked at every service: each one's acknowledged findings are in the validation report.
    const unseen = [...stage.platform.services.keys()].filter((name) => !result.acknowledged.some((a) => a.acknowledgedAt.includes(`/${name}/Service/`)));
    expect(unseen).toEqual([]);
    expect(result.acknowledged.length).toBeGreaterThan(8 * SERVICES);
    expectNoFindings(result);
  });

  it('groups services 8 to a nested stack and keeps routes in the parent', () => {
    expect(stacks.filter((s) => s.nested)).toHaveLength(Math.ceil(SERVICES / 8));
    // The platform's parent stack; the stage's other top-level stack is the account baseline.
    expect(stacks.filter((s) => !s.nested).map((s) => s.name.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['devBaseline', 'devPlatform']);
    const parent = stacks.filter((s) => !s.nested && s.name.startsWith('devPlatform'));
    expect(parent).toHaveLength(1);
    // Each route adds an API resource and a method to the parent (BENCHMARKS.md: ~2 resources per route).
    expect(parent[0].resources).toBeGreaterThan(2 * SERVICES);
  });

  it('shares one internal NLB and one VPC link per nested stack, with a listener per service on 8443 + its index', () => {
    const nested = result.templatePaths.filter((p) => p.endsWith('.nested.template.json'))
      .map((p) => Object.values((JSON.parse(fs.readFileSync(p, 'utf8')) as { Resources: Record<string, { Type: string; Properties: { Port?: number } }> }).Resources));
    expect(nested).toHaveLength(Math.ceil(SERVICES / 8));
    for (const resources of nested) {
      const ofType = (type: string) => resources.filter((r) => r.Type === type);
      expect(ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')).toHaveLength(1);
      expect(ofType('AWS::ApiGateway::VpcLink')).toHaveLength(1);
      const ports = ofType('AWS::ElasticLoadBalancingV2::Listener').map((r) => r.Properties.Port);
      expect(ports).toEqual(Array.from({ length: ofType('AWS::ECS::Service').length }, (_, i) => 8443 + i));
    }
    expect(nested.flat().filter((r) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener')).toHaveLength(SERVICES);
  });

  it('keeps every stack under the CloudFormation limits', () => {
    const over = stacks.filter((s) => s.resources > CFN_LIMITS.resources || s.bytes > CFN_LIMITS.templateBytes
      || s.outputs > CFN_LIMITS.outputs || s.parameters > CFN_LIMITS.parameters);
    expect(over, JSON.stringify(over, null, 2)).toEqual([]);
    // The measurement itself: the templates hold every resource of the services (about 33 per service).
    expect(stacks.reduce((sum, s) => sum + s.resources, 0)).toBeGreaterThan(30 * SERVICES);
  });

  it('keeps the mTLS authorizer environment (route map) under Lambda\'s 4 KB with room for the resolved references', () => {
    const template = JSON.parse(fs.readFileSync(result.templatePaths.find((p) => /devPlatform[0-9A-F]{8}\.template\.json$/.test(p))!, 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Environment?: { Variables?: Record<string, unknown> } } }>;
    };
    const authorizer = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes('ClientCertificateAuthorizer'));
    const variables = authorizer![1].Properties.Environment!.Variables!;
    expect(Object.keys(decodeRouteScopes(variables.ROUTE_SCOPES as string))).toHaveLength(SERVICES);
    // References (table name, pool id) resolve at deploy time: budget 128 bytes each.
    const size = Object.entries(variables).reduce((sum, [key, value]) => sum + key.length + (typeof value === 'string' ? value.length : 128), 0);
    expect(size).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_BYTES);
  });
});

describe('mTLS route map over Lambda\'s environment quota', () => {
  it('fails synth with the size and the fix instead of failing the deployment', () => {
    const app = newApp();
    const stage = buildScalePlatform(app, 1);
    // Random path segments barely compress: 120 routes of 48 random hex digits overflow the 4 KB even compressed.
    const routes = Array.from({ length: 120 }, () => ({ version: 'v1', path: `/big/${randomBytes(24).toString('hex')}`, method: 'GET', scopes: ['big/read'] }));
    stage.platform.addService('big', { imageTag: '1.0.0', routes });
    expect(() => app.synth()).toThrow(/route map of 121 routes is \d+ bytes compressed.*exceed the 4 KB Lambda allows.*Fix: use fewer or shorter routes/);
  });
});
