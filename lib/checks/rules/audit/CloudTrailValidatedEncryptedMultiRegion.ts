import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { resolvedProperties } from '../../../private/rule-helpers';

/** Every CloudTrail trail is multi-region, validates its log files and encrypts them with a KMS key. */
export const CloudTrailValidatedEncryptedMultiRegion: PlatformRule = {
  id: 'CloudTrailValidatedEncryptedMultiRegion',
  info: 'The CloudTrail trail is not multi-region, does not validate its log files, or does not encrypt them with a KMS key.',
  explanation:
    'A single-region trail misses activity in the other regions (where an attacker would go); without log-file validation a deleted or edited log file goes unnoticed; without a customer key anyone who can read the bucket can read the trail. Use AccountSecurityBaseline.',
  practices: ['P8', 'P9'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::CloudTrail::Trail') return NagRuleCompliance.NOT_APPLICABLE;
    const props = resolvedProperties(node);
    const ok = isTrue(props.IsMultiRegionTrail) && isTrue(props.EnableLogFileValidation) && props.KMSKeyId !== undefined && props.KMSKeyId !== '';
    return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}
