import * as fs from 'node:fs';
import { App, CfnWaitConditionHandle, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applySecurityChecks, SecurityPack } from '../../lib/checks/apply-security-checks';
import { AcknowledgementAuditPlugin, strictVerdict } from '../../lib/checks/security-gate';
import { acknowledgeStackWide } from '../../lib/core/acknowledge';
import { OPT_OUT_METADATA_TYPE, recordOptOut } from '../../lib/core/opt-out';
import { synthesizeWithChecks } from '../../lib/testing/synth-with-checks';
import { newApp, newStack, synthWithGate } from '../support/harness';

const GOOD_REASON = 'Test fixture: stands in for a construct whose owner explains the exception here.';
const PLATFORM_ONLY = { packs: [SecurityPack.PLATFORM] };

/**
 * Two tables without point-in-time recovery (AwsSolutions-DDB3, a WARNING); the first one's finding is acknowledged,
 * so the report has a suppression and the second table's warning is the only finding left.
 */
function warningOnlyTables(stack: Stack): void {
  const props = { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } };
  const acked = new dynamodb.Table(stack, 'Acked', props);
  Validations.of(acked).acknowledge({ id: 'AwsSolutions::AwsSolutions-DDB3', reason: GOOD_REASON });
  new dynamodb.Table(stack, 'Table', props);
}

afterEach(() => vi.restoreAllMocks());

describe('the verdict comes from the violations themselves', () => {
  it('aws-cdk-lib alone lets an unacknowledged warning pass once any acknowledgement exists (the gap)', () => {
    const stack = newStack('Gap');
    warningOnlyTables(stack);
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const result = synthesizeWithChecks(app);
    expect(result.findings.map((f) => `${f.ruleId} ${f.severity}`)).toEqual(['AwsSolutions-DDB3 warning']);
    const report = JSON.parse(fs.readFileSync(`${result.assemblyDir}/validation-report.json`, 'utf8'));
    expect(report.pluginReports.find((r: { pluginName: string }) => r.pluginName === 'AwsSolutions').conclusion).toBe('success');
  });

  it("the gate fails synth on the same warning and keeps the pack's rating in the text", () => {
    const stack = newStack('Strict');
    warningOnlyTables(stack);
    const result = synthWithGate(stack, { packs: [SecurityPack.AWS_SOLUTIONS] });
    expect(result.findings).toEqual([
      expect.objectContaining({
        acknowledgeId: 'AwsSolutions::AwsSolutions-DDB3',
        severity: 'error',
        constructPath: 'Strict/Table/Resource',
        description: expect.stringContaining('[rated "warning" by the pack; the gate fails on every unacknowledged finding]'),
      }),
    ]);
    const report = JSON.parse(fs.readFileSync(`${result.assemblyDir}/validation-report.json`, 'utf8'));
    expect(report.pluginReports.find((r: { pluginName: string }) => r.pluginName === 'AwsSolutions').conclusion).toBe('failure');
  });

  it('strictVerdict: success only when no violation is left, whatever the severity', () => {
    const v = { ruleName: 'X', description: 'd', violatingResources: [] };
    expect(strictVerdict({ success: true, violations: [{ ...v, severity: 'info' }] })).toMatchObject({
      success: false,
      violations: [{ severity: 'error' }],
    });
    expect(strictVerdict({ success: true, violations: [{ ...v, severity: 'fatal' }] })).toMatchObject({
      success: false,
      violations: [{ severity: 'fatal' }],
    });
    expect(strictVerdict({ success: false, violations: [] }).success).toBe(true);
  });
});

describe('acknowledgements are audited by the gate', () => {
  function auditOf(scope: Construct): string[] {
    return new AcknowledgementAuditPlugin(scope).audit().map((v) => `${v.ruleName} @ ${v.violatingResources[0].constructPath}`);
  }

  it('an empty reason silences nothing: synth fails naming the acknowledgement, its place and the fix', () => {
    const stack = newStack('EmptyReason');
    const group = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    Validations.of(group).acknowledge({ id: 'PlatformChecks::Platform-LogGroupEncryptedWithRetention', reason: '' });
    const result = synthWithGate(stack, PLATFORM_ONLY);
    const finding = result.findings.find((f) => f.ruleId === 'SecurityGate-AcknowledgementReason');
    expect(finding).toMatchObject({ severity: 'fatal', constructPath: 'EmptyReason/Logs', pack: 'SecurityGate' });
    expect(finding?.description).toMatch(
      /"PlatformChecks::Platform-LogGroupEncryptedWithRetention" on EmptyReason\/Logs has the reason "": .*0 characters.*Fix: Write at least 4 different words/,
    );
  });

  it('an App-wide acknowledgement with reason "legacy" fails twice (reason and place), and cannot acknowledge the audit away', () => {
    const stack = newStack('AppWide');
    new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.INFINITE });
    const app = stack.node.root as App;
    Validations.of(app).acknowledge({ id: 'PlatformChecks::Platform-LogGroupEncryptedWithRetention', reason: 'legacy' });
    Validations.of(app).acknowledge({ id: 'SecurityGate::SecurityGate-AcknowledgementOnRoot', reason: GOOD_REASON });
    Validations.of(app).acknowledge({ id: 'SecurityGate::SecurityGate-AcknowledgementReason', reason: GOOD_REASON });
    const result = synthWithGate(stack, PLATFORM_ONLY);
    const gate = result.findings.filter((f) => f.pack === 'SecurityGate').map((f) => `${f.ruleId} @ ${f.constructPath}`);
    expect(gate).toEqual(expect.arrayContaining(['SecurityGate-AcknowledgementReason @ ', 'SecurityGate-AcknowledgementOnRoot @ ']));
    expect(gate.filter((g) => g.startsWith('SecurityGate-AcknowledgementOnRoot'))).toHaveLength(3);
    expect(result.findings.find((f) => f.ruleId === 'SecurityGate-AcknowledgementOnRoot')?.description).toMatch(
      /an App, Stage or Stack root.*Fix: Acknowledge on the construct that carries the finding/,
    );
  });

  it('refuses acknowledgements on Stage, Stack and nested-stack roots, by any API, but not below them', () => {
    const stack = newStack('Roots');
    const inner = new Construct(stack, 'Inner');
    stack.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { 'AwsSolutions::AwsSolutions-IAM5': GOOD_REASON });
    Validations.of(inner).acknowledge({ id: 'AwsSolutions::AwsSolutions-IAM4', reason: GOOD_REASON });
    expect(auditOf(stack)).toEqual(['SecurityGate-AcknowledgementOnRoot @ Roots']);
  });

  it('junk reasons are refused: repeated characters, repeated words, too few words', () => {
    const stack = newStack('Junk');
    ['xxxxxxxxxxxxxxxxxxxxxxxxx', 'legacy legacy legacy legacy legacy', 'needed for production'].forEach((reason, i) => {
      Validations.of(new Construct(stack, `C${i}`)).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM${i}`, reason });
    });
    expect(auditOf(stack)).toEqual(['C0', 'C1', 'C2'].map((c) => `SecurityGate-AcknowledgementReason @ Junk/${c}`));
  });

  it('acknowledgeStackWide is the one way to a stack-wide acknowledgement: accepted, printed and flagged in the report', () => {
    const stack = newStack('StackWide');
    new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.INFINITE });
    acknowledgeStackWide(stack, 'PlatformChecks::Platform-LogGroupEncryptedWithRetention', GOOD_REASON);
    const printed = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const result = synthWithGate(stack, PLATFORM_ONLY);
    expect(result.findings).toEqual([]);
    expect(printed.mock.calls.map((c) => String(c[0])).join('')).toContain(
      `[security STACK-WIDE acknowledgement] StackWide: PlatformChecks::Platform-LogGroupEncryptedWithRetention: ${GOOD_REASON}`,
    );
    const report = fs.readFileSync(`${result.assemblyDir}/security-report.md`, 'utf8');
    expect(report).toMatch(
      /## WARNING: 1 STACK-WIDE acknowledgement\(s\)[\s\S]*`PlatformChecks::Platform-LogGroupEncryptedWithRetention` \| `StackWide` \|/,
    );
    expect(report).toContain('`PlatformChecks::Platform-LogGroupEncryptedWithRetention` **STACK-WIDE** | `StackWide`');
    expect(() => acknowledgeStackWide(stack.node.root as unknown as Stack, 'A::B', GOOD_REASON)).toThrow(/stack-wide acknowledgements go on a Stack/);
    expect(() => acknowledgeStackWide(stack, 'A::B', 'because')).toThrow(/placeholder/);
  });
});

describe('opt-outs are audited and printed on every synth', () => {
  it('an opt-out recorded by hand with a junk reason fails synth; a reasoned one prints its line', () => {
    const stack = newStack('OptOuts');
    new CfnWaitConditionHandle(stack, 'AnyResource');
    new Construct(stack, 'Hand').node.addMetadata(OPT_OUT_METADATA_TYPE, { control: 'encryption', reason: 'xxxxxxxxxx' });
    recordOptOut(new Construct(stack, 'Proper'), 'publicRoute', 'authorization on GET /v1/health', {
      reason: 'uptime probe of the status page, returns no data',
    });
    const printed = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const result = synthWithGate(stack, PLATFORM_ONLY);
    expect(result.findings.map((f) => `${f.ruleId} @ ${f.constructPath}`)).toEqual(['SecurityGate-OptOutReason @ OptOuts/Hand']);
    const out = printed.mock.calls.map((c) => String(c[0])).join('');
    expect(out).toContain('[security opt-out] OptOuts/Proper: authorization on GET /v1/health: uptime probe of the status page, returns no data');
    expect(out).toContain('[security opt-out] OptOuts/Hand: encryption: xxxxxxxxxx');
  });

  it('the audit covers acknowledgements above the gated scope (an App-wide one reaches a gated Stage)', () => {
    const app = newApp();
    const stage = new Stage(app, 'Env');
    new logs.LogGroup(new Stack(stage, 'S'), 'Logs');
    Validations.of(app).acknowledge({ id: 'PlatformChecks::Platform-LogGroupEncryptedWithRetention', reason: GOOD_REASON });
    expect(new AcknowledgementAuditPlugin(stage).audit().map((v) => v.ruleName)).toEqual(['SecurityGate-AcknowledgementOnRoot']);
    applySecurityChecks(stage, PLATFORM_ONLY);
  });
});
