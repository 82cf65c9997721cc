import { Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { ALL_SECURITY_PACKS, applySecurityChecks, SecurityPack } from '../../lib/checks/apply-security-checks';
import { newApp, newStack, synthWithGate } from '../support/harness';
import { Stack } from 'aws-cdk-lib';
import { PlatformKeys } from '../../lib/encryption/platform-keys';

describe('applySecurityChecks (the synth-time gate)', () => {
  it('registers all six packs by default', () => {
    const plugins = applySecurityChecks(newApp());
    expect(plugins.map((p) => p.name).sort()).toEqual([
      'AwsSolutions',
      'HIPAA.Security',
      'NIST.800.53.R5',
      'PCI.DSS.321',
      'PlatformChecks',
      'Serverless',
    ]);
    expect(ALL_SECURITY_PACKS).toHaveLength(6);
  });

  it('lets a user choose packs', () => {
    const plugins = applySecurityChecks(newApp(), { packs: [SecurityPack.AWS_SOLUTIONS, SecurityPack.PLATFORM] });
    expect(plugins.map((p) => p.name)).toEqual(['AwsSolutions', 'PlatformChecks']);
  });

  it('refuses an empty pack list, which would switch the gate off', () => {
    expect(() => applySecurityChecks(newApp(), { packs: [] })).toThrow(/packs is empty.*Fix: omit packs/);
  });

  it('refuses an unknown pack name', () => {
    expect(() => applySecurityChecks(newApp(), { packs: ['NotAPack' as SecurityPack] })).toThrow(/unknown pack\(s\) NotAPack/);
  });

  it('bites: an insecure log group fails synth and the findings name rule and construct path', () => {
    const stack = newStack('Insecure');
    new logs.LogGroup(stack, 'PlainLogs', { retention: logs.RetentionDays.INFINITE });
    const result = synthWithGate(stack);
    const ids = result.findings.map((f) => `${f.acknowledgeId} @ ${f.constructPath}`);
    expect(ids).toContain('PlatformChecks::Platform-LogGroupEncryptedWithRetention @ Insecure/PlainLogs/Resource');
    expect(ids).toContain('NIST.800.53.R5::NIST.800.53.R5-CloudWatchLogGroupEncrypted @ Insecure/PlainLogs/Resource');
    expect(result.packs).toEqual(
      expect.arrayContaining(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'PlatformChecks', 'Serverless']),
    );
  });

  it('records an acknowledgement with its reason in the validation report, and only for the exact id', () => {
    const stack = newStack('Acked');
    const group = new logs.LogGroup(stack, 'PlainLogs', { retention: logs.RetentionDays.ONE_YEAR });
    Validations.of(group).acknowledge({ id: 'PlatformChecks::Platform-LogGroupEncryptedWithRetention', reason: 'test: reason shows in the report' });
    const result = synthWithGate(stack, { packs: [SecurityPack.PLATFORM, SecurityPack.NIST_800_53_R5] });
    expect(result.acknowledged).toContainEqual(
      expect.objectContaining({
        acknowledgedId: 'PlatformChecks::Platform-LogGroupEncryptedWithRetention',
        reason: 'test: reason shows in the report',
        constructPaths: ['Acked/PlainLogs/Resource'],
      }),
    );
    // The same problem seen by another pack is still a finding: acknowledgements never spill over.
    expect(result.findings.map((f) => f.acknowledgeId)).toContain('NIST.800.53.R5::NIST.800.53.R5-CloudWatchLogGroupEncrypted');
  });

  it('passes a compliant stack', () => {
    const stack: Stack = newStack('Compliant');
    new PlatformKeys(stack, 'Keys');
    const result = synthWithGate(stack);
    expect(result.findings).toEqual([]);
  });
});
