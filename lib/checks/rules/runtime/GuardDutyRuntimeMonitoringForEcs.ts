import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { OPT_OUT_METADATA_TYPE } from '../../../private/metadata';
import { ACCOUNT_BASELINE_SKIPPED_CONTROL, ORGANIZATION_MANAGED_CONTROLS } from '../../../private/organization-managed';
import { allConstructs, asArray, resolvedProperties } from '../../../private/rule-helpers';
import { CfnJson } from '../../../private/rule-helpers';

/**
 * Every ECS service runs in an account and region where this app enables a GuardDuty detector with runtime
 * monitoring and automated ECS Fargate agent management, unless GuardDuty was recorded as run by the organization
 * (`AccountSecurityBaseline` `organizationManaged.guardDuty`, or `PlatformStage` `withoutAccountBaseline` around it).
 */
export const GuardDutyRuntimeMonitoringForEcs: PlatformRule = {
  id: 'GuardDutyRuntimeMonitoringForEcs',
  info: 'The ECS service runs where this app enables no GuardDuty detector with ECS Fargate runtime monitoring, and GuardDuty is not recorded as managed by the organization.',
  explanation:
    'Container hardening limits what a compromise can do; runtime monitoring is what notices it (reverse shells, crypto miners, credential theft from task metadata). Deploy AccountSecurityBaseline (PlatformStage does) or record organizationManaged.guardDuty with the reason.',
  practices: ['P10'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::ECS::Service') return NagRuleCompliance.NOT_APPLICABLE;
    const env = envOf(node);
    const root = node.node.root;
    const monitored = allConstructs(root).some(
      (c) =>
        CfnResource.isCfnResource(c) &&
        c.cfnResourceType === 'AWS::GuardDuty::Detector' &&
        envOf(c) === env &&
        monitorsFargate(resolvedProperties(c)),
    );
    if (monitored) return NagRuleCompliance.COMPLIANT;
    const recorded = allConstructs(root).some((c) =>
      c.node.metadata.some(
        (m) =>
          m.type === OPT_OUT_METADATA_TYPE &&
          [ORGANIZATION_MANAGED_CONTROLS.guardDuty, ACCOUNT_BASELINE_SKIPPED_CONTROL].includes((m.data as { control?: string })?.control ?? '') &&
          covers(c, node, env),
      ),
    );
    return recorded ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};

function monitorsFargate(props: CfnJson): boolean {
  if (props.Enable !== true && props.Enable !== 'true') return false;
  const runtime = asArray<CfnJson>(props.Features).find((f) => f.Name === 'RUNTIME_MONITORING' && f.Status === 'ENABLED');
  return asArray<CfnJson>(runtime?.AdditionalConfiguration).some((a) => a.Name === 'ECS_FARGATE_AGENT_MANAGEMENT' && a.Status === 'ENABLED');
}

/** Account and region of a construct's stack (unresolved, env-agnostic values compare equal). */
function envOf(construct: IConstruct): string {
  const stack = Stack.of(construct);
  const part = (value: string) => (Token.isUnresolved(value) ? '(any)' : value);
  return `${part(stack.account)}/${part(stack.region)}`;
}

/** An opt-out covers the service when recorded on an ancestor (a stage) or in a stack of the same account and region. */
function covers(recordedOn: IConstruct, service: IConstruct, env: string): boolean {
  if (service.node.path.startsWith(`${recordedOn.node.path}/`)) return true;
  const scopes = recordedOn.node.scopes;
  return scopes.some((s) => Stack.isStack(s)) && envOf(recordedOn) === env;
}
