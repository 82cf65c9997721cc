import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { isRootUser } from '../../../private/container-user';
import { PlatformRule } from '../../rule';
import { asArray, resolvedProperties } from '../../../private/rule-helpers';
import { CfnJson } from '../../../private/rule-helpers';

/** Every container of a Fargate task definition runs as a non-root user, with a read-only root filesystem, unprivileged. */
export const FargateTaskHardened: PlatformRule = {
  id: 'FargateTaskHardened',
  info: 'A container of the Fargate task definition runs as root (no user, "root" or uid 0 in any spelling: "0", "00", "0:0"), has a writable root filesystem, or is privileged.',
  explanation:
    'A process that is root inside a writable container can install tools and persist changes after a compromise; set a non-root user (e.g. "1000:1000"), ReadonlyRootFilesystem: true and never Privileged. Use SecureFargateService.',
  practices: ['P15'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::ECS::TaskDefinition') return NagRuleCompliance.NOT_APPLICABLE;
    const props = resolvedProperties(node);
    if (!asArray<string>(props.RequiresCompatibilities).includes('FARGATE')) return NagRuleCompliance.NOT_APPLICABLE;
    const containers = asArray<CfnJson>(props.ContainerDefinitions);
    const hardened = containers.every((c) => isNonRoot(c.User) && isTrue(c.ReadonlyRootFilesystem) && !isTrue(c.Privileged));
    return hardened ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};

function isNonRoot(user: unknown): boolean {
  return typeof user === 'string' && !isRootUser(user);
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}
