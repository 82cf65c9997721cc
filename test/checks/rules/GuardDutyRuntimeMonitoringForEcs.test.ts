import { App, Stack, Stage } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { describe, expect, it } from 'vitest';
import { GuardDutyRuntimeMonitoringForEcs, PLATFORM_RULES } from '../../../lib/checks/rules';
import { recordOptOut } from '../../../lib/core/opt-out';
import { ACCOUNT_BASELINE_SKIPPED_CONTROL, ORGANIZATION_MANAGED_CONTROLS } from '../../../lib/private/organization-managed';
import { newApp } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

const DEV = { account: '111122223333', region: 'eu-west-1' };
const PROD = { account: '444455556666', region: 'eu-west-1' };
const REASON = { reason: 'Control Tower: the delegated administrator runs GuardDuty for the organization.' };

function service(stack: Stack): void {
  new ecs.CfnService(stack, 'Service', { cluster: 'c', taskDefinition: 't', launchType: 'FARGATE' });
}

function detector(stack: Stack, agentManagement = 'ENABLED'): void {
  new guardduty.CfnDetector(stack, 'Detector', {
    enable: true,
    features: [
      { name: 'RUNTIME_MONITORING', status: 'ENABLED', additionalConfiguration: [{ name: 'ECS_FARGATE_AGENT_MANAGEMENT', status: agentManagement }] },
    ],
  });
}

describe('Platform-GuardDutyRuntimeMonitoringForEcs', () => {
  it('is registered in PlatformChecks', () => {
    expect(PLATFORM_RULES).toContain(GuardDutyRuntimeMonitoringForEcs);
  });

  it('accepts services when a detector of the same account and region (another stack) monitors Fargate at runtime', () => {
    const app = newApp();
    detector(new Stack(app, 'Baseline', { env: DEV }));
    const platform = new Stack(app, 'Platform', { env: DEV });
    service(platform);
    expect(ruleViolations(GuardDutyRuntimeMonitoringForEcs, platform)).toEqual([]);
  });

  it('flags services with no detector, a detector of another account, or one without ECS Fargate agent management', () => {
    const app = newApp();
    const alone = new Stack(app, 'Alone', { env: DEV });
    service(alone);
    expect(ruleViolations(GuardDutyRuntimeMonitoringForEcs, alone)).toEqual(['Alone/Service']);

    detector(new Stack(app, 'ProdBaseline', { env: PROD }));
    expect(ruleViolations(GuardDutyRuntimeMonitoringForEcs, alone)).toEqual(['Alone/Service']);

    const other = newApp();
    detector(new Stack(other, 'Baseline', { env: DEV }), 'DISABLED');
    const platform = new Stack(other, 'Platform', { env: DEV });
    service(platform);
    expect(ruleViolations(GuardDutyRuntimeMonitoringForEcs, platform)).toEqual(['Platform/Service']);
  });

  it('accepts services where GuardDuty is recorded as organization-managed in the same account and region, or the enclosing stage skips the baseline', () => {
    const app = newApp();
    recordOptOut(new Stack(app, 'Baseline', { env: DEV }), 'organizationManaged.guardDuty', ORGANIZATION_MANAGED_CONTROLS.guardDuty, REASON);
    const platform = new Stack(app, 'Platform', { env: DEV });
    service(platform);
    expect(ruleViolations(GuardDutyRuntimeMonitoringForEcs, platform)).toEqual([]);
    const prod = new Stack(app, 'ProdPlatform', { env: PROD });
    service(prod);
    expect(ruleViolations(GuardDutyRuntimeMonitoringForEcs, prod)).toEqual(['ProdPlatform/Service']);

    const stage = new Stage(newApp() as App, 'qa');
    recordOptOut(stage, 'withoutAccountBaseline', ACCOUNT_BASELINE_SKIPPED_CONTROL, {
      reason: 'The dev environment of this account deploys the baseline.',
    });
    const inStage = new Stack(stage, 'Platform');
    service(inStage);
    expect(ruleViolations(GuardDutyRuntimeMonitoringForEcs, inStage)).toEqual([]);
  });
});
