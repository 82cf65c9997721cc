import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { resolvedProperties } from '../../../private/rule-helpers';

/** Every CloudWatch Logs log group is encrypted with a customer managed KMS key and has a finite retention. */
export const LogGroupEncryptedWithRetention: PlatformRule = {
  id: 'LogGroupEncryptedWithRetention',
  info: 'The log group is not encrypted with a customer managed KMS key or keeps its events forever.',
  explanation:
    'Audit logs can carry request metadata and identifiers; they must be encrypted with a key the platform controls and expire on a schedule the retention policy states.',
  practices: ['P8', 'P9'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::Logs::LogGroup') return NagRuleCompliance.NOT_APPLICABLE;
    const props = resolvedProperties(node);
    const retention = props.RetentionInDays;
    const hasRetention = retention !== undefined && retention !== null && !(typeof retention === 'number' && retention <= 0);
    return props.KmsKeyId && hasRetention ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
