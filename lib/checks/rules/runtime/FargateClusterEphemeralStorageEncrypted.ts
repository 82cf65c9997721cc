import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { resolvedProperties } from '../../../private/rule-helpers';

/** Every ECS cluster encrypts the ephemeral storage of its Fargate tasks with a customer managed KMS key. */
export const FargateClusterEphemeralStorageEncrypted: PlatformRule = {
  id: 'FargateClusterEphemeralStorageEncrypted',
  info: 'The ECS cluster does not encrypt Fargate ephemeral storage with a customer managed KMS key (ManagedStorageConfiguration.FargateEphemeralStorageKmsKeyId).',
  explanation:
    'Fargate ephemeral storage (writable layers, volumes, pulled images) is encrypted with an AWS owned key by default; a customer key puts its use under the key policy and CloudTrail, and lets the platform revoke it. SecureFargateService creates its cluster with the data key.',
  practices: ['P8'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::ECS::Cluster') return NagRuleCompliance.NOT_APPLICABLE;
    const key = resolvedProperties(node).Configuration?.ManagedStorageConfiguration?.FargateEphemeralStorageKmsKeyId;
    return key !== undefined && key !== '' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
