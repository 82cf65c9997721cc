import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnResource, CustomResource, CustomResourceProvider, CustomResourceProviderRuntime, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { NoEscapeHatchOverride } from '../../../lib/checks/rules';
import { PlatformChecks } from '../../../lib/checks/platform-checks';
import { SecurityPack } from '../../../lib/checks/apply-security-checks';
import { newStack, synthWithGate } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

function logGroup() {
  const stack = newStack();
  const group = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
  return { stack, group, cfn: group.node.defaultChild as logs.CfnLogGroup };
}

function findingIds(stack: ReturnType<typeof newStack>): string[] {
  return new PlatformChecks(undefined, { rules: [NoEscapeHatchOverride] })
    .validateScope(stack)
    .violations.map((v) => v.ruleName)
    .sort();
}

describe('Platform-NoEscapeHatchOverride', () => {
  it('accepts resources without raw overrides, and overrides of template metadata or ordering only', () => {
    const { stack, cfn } = logGroup();
    cfn.addOverride('Metadata.Note', 'documentation only');
    cfn.addOverride('DependsOn', []);
    expect(ruleViolations(NoEscapeHatchOverride, stack)).toEqual([]);
  });

  it('flags each overridden or deleted path as its own finding', () => {
    const { stack, cfn } = logGroup();
    cfn.addPropertyOverride('RetentionInDays', 1);
    cfn.addPropertyDeletionOverride('KmsKeyId');
    cfn.addOverride('DeletionPolicy', 'Delete');
    expect(findingIds(stack)).toEqual([
      'Platform-NoEscapeHatchOverride[DeletionPolicy]',
      'Platform-NoEscapeHatchOverride[Properties.KmsKeyId]',
      'Platform-NoEscapeHatchOverride[Properties.RetentionInDays]',
    ]);
    expect(ruleViolations(NoEscapeHatchOverride, stack)).toEqual(['TestStack/Logs/Resource', 'TestStack/Logs/Resource', 'TestStack/Logs/Resource']);
  });

  it('names the leaves of a nested override and keeps an intrinsic as one value', () => {
    const { stack, cfn } = logGroup();
    cfn.addPropertyOverride('DataProtectionPolicy', { Name: 'p', Statement: [{ Sid: 'a' }] });
    cfn.addPropertyOverride('KmsKeyId', { 'Fn::GetAtt': ['Other', 'Arn'] });
    expect(findingIds(stack)).toEqual([
      'Platform-NoEscapeHatchOverride[Properties.DataProtectionPolicy.Name]',
      'Platform-NoEscapeHatchOverride[Properties.DataProtectionPolicy.Statement]',
      'Platform-NoEscapeHatchOverride[Properties.KmsKeyId]',
    ]);
  });

  it('an acknowledged override path (with its reason) is no finding; the others still are', () => {
    const { stack, group, cfn } = logGroup();
    cfn.addPropertyOverride('RetentionInDays', 3653);
    cfn.addPropertyOverride('LogGroupClass', 'INFREQUENT_ACCESS');
    Validations.of(group).acknowledge({
      id: 'PlatformChecks::Platform-NoEscapeHatchOverride[Properties.RetentionInDays]',
      reason: 'Ten-year retention required by the audit policy; CDK RetentionDays has no such value.',
    });
    const result = synthWithGate(stack, { packs: [SecurityPack.PLATFORM] });
    expect(result.findings.filter((f) => f.ruleId.startsWith('Platform-NoEscapeHatchOverride')).map((f) => f.ruleId)).toEqual([
      'Platform-NoEscapeHatchOverride[Properties.LogGroupClass]',
    ]);
    expect(result.acknowledged).toContainEqual(
      expect.objectContaining({ ruleId: 'Platform-NoEscapeHatchOverride[Properties.RetentionInDays]', constructPaths: ['TestStack/Logs/Resource'] }),
    );
  });

  it('flags an AWS resource declared as a plain CfnResource (the packs match L1 classes and skip it), not a custom resource', () => {
    const stack = newStack();
    new CfnResource(stack, 'RawPolicy', {
      type: 'AWS::IAM::ManagedPolicy',
      properties: { PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
    });
    new CfnResource(stack, 'Custom', { type: 'Custom::Anything', properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:f' } });
    const code = fs.mkdtempSync(path.join(os.tmpdir(), 'provider-'));
    fs.writeFileSync(path.join(code, 'index.js'), 'exports.handler = async () => ({});');
    new CustomResource(stack, 'ViaProvider', {
      serviceToken: CustomResourceProvider.getOrCreate(stack, 'Custom::Provider', {
        codeDirectory: code,
        runtime: CustomResourceProviderRuntime.NODEJS_22_X,
      }),
    });
    expect(findingIds(stack)).toEqual(['Platform-NoEscapeHatchOverride[RawCfnResource]']);
    expect(ruleViolations(NoEscapeHatchOverride, stack)).toEqual(['TestStack/RawPolicy']);
  });
});
