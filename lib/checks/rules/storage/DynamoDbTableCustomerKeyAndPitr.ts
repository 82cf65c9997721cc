import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { asArray, resolvedProperties } from '../../../private/rule-helpers';
import { CfnJson } from '../../../private/rule-helpers';

/**
 * Every DynamoDB table (`AWS::DynamoDB::Table`, and each replica of an `AWS::DynamoDB::GlobalTable`) is encrypted
 * with a customer managed KMS key, has point-in-time recovery on and has deletion protection on.
 */
export const DynamoDbTableCustomerKeyAndPitr: PlatformRule = {
  id: 'DynamoDbTableCustomerKeyAndPitr',
  info: 'The DynamoDB table is not encrypted with a customer managed KMS key, or lacks point-in-time recovery or deletion protection.',
  explanation:
    'Service data at rest is encrypted with a key the platform controls (not the AWS owned or AWS managed key), can be restored to any second of the last 35 days, and cannot be deleted by a stack change or a single API call. cdk-nag checks PITR on AWS::DynamoDB::Table only, and neither the key nor deletion protection.',
  practices: ['P8', 'P11'],
  check(node: CfnResource) {
    if (node.cfnResourceType === 'AWS::DynamoDB::Table') {
      const props = resolvedProperties(node);
      const compliant =
        sseWithKms(props.SSESpecification) &&
        !!props.SSESpecification.KMSMasterKeyId &&
        pitrOn(props.PointInTimeRecoverySpecification) &&
        props.DeletionProtectionEnabled === true;
      return compliant ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    if (node.cfnResourceType === 'AWS::DynamoDB::GlobalTable') {
      const props = resolvedProperties(node);
      const replicas = asArray<CfnJson>(props.Replicas);
      const compliant =
        sseWithKms(props.SSESpecification) &&
        replicas.length > 0 &&
        replicas.every(
          (r) => !!r.SSESpecification?.KMSMasterKeyId && pitrOn(r.PointInTimeRecoverySpecification) && r.DeletionProtectionEnabled === true,
        );
      return compliant ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    return NagRuleCompliance.NOT_APPLICABLE;
  },
};

function sseWithKms(sse: CfnJson | undefined): boolean {
  // SSEType defaults to KMS when SSE is enabled.
  return sse?.SSEEnabled === true && (sse.SSEType === undefined || sse.SSEType === 'KMS');
}

function pitrOn(spec: CfnJson | undefined): boolean {
  return spec?.PointInTimeRecoveryEnabled === true;
}
