import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { asArray, resolvedProperties } from '../../../private/rule-helpers';
import { CfnJson } from '../../../private/rule-helpers';

/** WAF logging configurations redact the Authorization header. */
export const WafLoggingRedactsAuthorization: PlatformRule = {
  id: 'WafLoggingRedactsAuthorization',
  info: 'The WAF logging configuration does not redact the Authorization header.',
  explanation:
    'WAF logs every request header it inspects; without redaction the bearer tokens of all callers land in the log group, where anyone who can read logs can replay them.',
  practices: ['P9', 'P13'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::WAFv2::LoggingConfiguration') return NagRuleCompliance.NOT_APPLICABLE;
    const redacted = asArray<CfnJson>(resolvedProperties(node).RedactedFields);
    const redactsAuthorization = redacted.some(
      (field) => typeof field.SingleHeader?.Name === 'string' && field.SingleHeader.Name.toLowerCase() === 'authorization',
    );
    return redactsAuthorization ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
