import * as fs from 'node:fs';
import { CfnResource, Validations } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReferenceApp } from '../../bin/reference-app';
import { applySecurityChecks, SecurityPack } from '../../lib/checks/apply-security-checks';
import { SecuritySynthResult, synthesizeWithChecks } from '../../lib/testing/synth-with-checks';
import { newApp } from '../support/harness';

const cdkJson = JSON.parse(fs.readFileSync(`${__dirname}/../../cdk.json`, 'utf8')) as { context: Record<string, unknown> };
const ROOT = 'dev/Platform/Platform';
const DELETE = Symbol('delete');
/** Paths are under the platform construct unless they start with the stage (`dev/Registry/...`). */
const pathOf = (at: string) => (at.startsWith('dev/') ? at : `${ROOT}/${at}`);

/**
 * Controls our constructs set, each switched off by an escape-hatch override the cdk-nag packs cannot see:
 * [construct path under the platform, override path, value (DELETE: addDeletionOverride)].
 */
const OVERRIDES: readonly [string, string, unknown][] = [
  ['Identity/UserPool/Resource', 'Properties.MfaConfiguration', 'OFF'],
  ['Identity/UserPool/Resource', 'Properties.UserPoolAddOns.AdvancedSecurityMode', 'OFF'],
  ['Identity/UserPool/Resource', 'Properties.Policies.PasswordPolicy.MinimumLength', 6],
  ['Identity/UserPool/Resource', 'Properties.DeletionProtection', 'INACTIVE'],
  ['Identity/UserPool/Resource', 'Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly', false],
  ['Identity/UserPool/Resource', 'DeletionPolicy', 'Delete'],
  ['Services1/orders/Client-billing-service/Resource', 'Properties.AllowedOAuthFlows', ['implicit']],
  ['Services1/orders/Bucket/Resource/Resource', 'Properties.PublicAccessBlockConfiguration', DELETE],
  ['Services1/orders/Bucket/Resource/Resource', 'Properties.BucketEncryption', DELETE],
  ['Services1/orders/Bucket/Resource/Resource', 'Properties.VersioningConfiguration.Status', 'Suspended'],
  ['Services1/orders/Bucket/Resource/Resource', 'Properties.LoggingConfiguration', DELETE],
  ['Services1/orders/Bucket/Resource/Policy/Resource', 'Properties.PolicyDocument.Statement', []],
  ['Api/Resource/DeploymentStage.dev/Resource', 'Properties.MethodSettings.0.DataTraceEnabled', true],
  ['Api/Resource/DeploymentStage.dev/Resource', 'Properties.TracingEnabled', false],
  ['Api/Resource/DeploymentStage.dev/Resource', 'Properties.AccessLogSetting', DELETE],
  ['ClientCertificateAuthorizer/Authorizer/Resource', 'Properties.AuthorizerResultTtlInSeconds', 3600],
  ['ClientCertificateAuthorizer/Authorizer/Resource', 'Properties.IdentitySource', 'method.request.header.Authorization'],
  ['Services1/orders/Api/GET_v1_orders_{id}/Resource', 'Properties.AuthorizationType', 'NONE'],
  ['Services1/orders/Api/GET_v1_orders_{id}/Resource', 'Properties.ApiKeyRequired', false],
  ['Api/Resource/Resource', 'Properties.DisableExecuteApiEndpoint', false],
  ['Domain/Resource/Resource', 'Properties.SecurityPolicy', 'TLS_1_0'],
  ['Domain/Resource/Resource', 'Properties.MutualTlsAuthentication', DELETE],
  ['Firewall/Resource', 'Properties.Rules', []],
  ['Firewall/Logging', 'Properties.RedactedFields', []],
  ['Keys/DataKey/Resource', 'Properties.EnableKeyRotation', false],
  ['Keys/DataKey/Resource', 'Properties.KeyPolicy.Statement.1.Condition', DELETE],
  ['Network/FlowLogGroup/Resource', 'Properties.RetentionInDays', 1],
  ['Network/FlowLogGroup/Resource', 'Properties.KmsKeyId', DELETE],
  ['Network/Vpc/FlowLog/FlowLog', 'Properties.TrafficType', 'ACCEPT'],
  ['Network/Vpc/S3Endpoint/Resource', 'Properties.PolicyDocument', DELETE],
  ['Services1/orders/Service/TaskDefinition/Resource', 'Properties.ContainerDefinitions.0.User', '00'],
  ['Services1/orders/Service/TaskDefinition/Resource', 'Properties.ContainerDefinitions.0.ReadonlyRootFilesystem', false],
  ['Services1/orders/Service/TaskDefinition/Resource', 'Properties.ContainerDefinitions.0.Privileged', true],
  ['Services1/orders/Service/Service/Service', 'Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp', 'ENABLED'],
  ['Services1/orders/Service/Service/Service', 'Properties.DeploymentConfiguration.DeploymentCircuitBreaker', DELETE],
  ['Services1/orders/Service/SecurityGroup/Resource', 'Properties.SecurityGroupEgress', [{ CidrIp: '0.0.0.0/1', IpProtocol: '-1' }]],
  ['Services1/orders/Service/Listener/Resource', 'Properties.SslPolicy', 'ELBSecurityPolicy-2016-08'],
  // The repositories live in the registry stack (deployed before the platform).
  ['dev/Registry/Registry/orders/Resource/Resource', 'Properties.ImageTagMutability', 'MUTABLE'],
  ['dev/Registry/Registry/orders/Resource/Resource', 'Properties.ImageScanningConfiguration.ScanOnPush', false],
  ['Services1/orders/Table/Resource/Resource', 'Properties.PointInTimeRecoverySpecification', DELETE],
  ['Services1/orders/Table/Resource/Resource', 'Properties.SSESpecification', DELETE],
  ['Ca/RootCa', 'Properties.RevocationConfiguration', DELETE],
  ['Api/AlarmTopic/Resource', 'Properties.KmsMasterKeyId', DELETE],
];

/** The reference platform (dev) with every override above applied at once; one finding per override path. */
describe('escape-hatch overrides of controls our constructs set fail synth', () => {
  let result: SecuritySynthResult;
  beforeAll(() => {
    const app = newApp({ ...cdkJson.context, env: 'dev' });
    createReferenceApp(app, { securityChecks: false });
    applySecurityChecks(app, { packs: [SecurityPack.PLATFORM] });
    const byPath = new Map(
      app.node
        .findAll()
        .filter(CfnResource.isCfnResource)
        .map((r) => [r.node.path, r]),
    );
    for (const [at, path, value] of OVERRIDES) {
      const resource = byPath.get(pathOf(at));
      if (!resource) throw new Error(`no resource at ${pathOf(at)}`);
      if (value === DELETE) resource.addDeletionOverride(path);
      else resource.addOverride(path, value);
    }
    // The one reviewed override: acknowledged on its resource with a reason, so it is no finding.
    const reviewed = byPath.get(`${ROOT}/Api/AlarmTopic/Resource`)!;
    reviewed.addPropertyOverride('DisplayName', 'Platform alarms');
    Validations.of(reviewed).acknowledge({
      id: 'PlatformChecks::Platform-NoEscapeHatchOverride[Properties.DisplayName]',
      reason: 'The e-mail subject shows the display name; the L2 topic prop is not passed through by SecureApi.',
    });
    result = synthesizeWithChecks(app);
  });

  it(`covers at least 20 property paths across resource types (${OVERRIDES.length})`, () => {
    expect(OVERRIDES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(OVERRIDES.map(([at, path]) => [`${at} ${path}`, at, path]))('%s', (_name, at, path) => {
    const found = result.findings.filter((f) => f.constructPath === pathOf(at) && f.ruleId.startsWith(`Platform-NoEscapeHatchOverride[${path}`));
    expect(found.length, `no override finding for ${path} at ${at}`).toBeGreaterThan(0);
    expect(found[0].description).toMatch(/acknowledge this finding \(the override path is in its id\)/);
  });

  it('fails synth on nothing else of that rule, and a reviewed, acknowledged override is no finding', () => {
    const overrideFindings = result.findings.filter((f) => f.ruleId.startsWith('Platform-NoEscapeHatchOverride'));
    expect(overrideFindings.length).toBe(OVERRIDES.length);
    expect(result.acknowledged).toContainEqual(expect.objectContaining({ ruleId: 'Platform-NoEscapeHatchOverride[Properties.DisplayName]' }));
  });
});
