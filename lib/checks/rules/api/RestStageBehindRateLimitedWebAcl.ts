import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { allConstructs, resolvedProperties } from '../../../private/rule-helpers';
import { hasBlockingRateRule } from './WebAclHasRateRule';

/**
 * Every REST API stage is associated (in its own stack) with a web ACL of that stack that has a blocking
 * rate-based rule; the association must reference the Stage resource, not a literal stage name.
 */
export const RestStageBehindRateLimitedWebAcl: PlatformRule = {
  id: 'RestStageBehindRateLimitedWebAcl',
  info: 'The REST API stage has no WAF web ACL association referencing it, or its web ACL has no blocking rate-based rule.',
  explanation:
    'The stage is the single public entry point; WAF managed rules and a per-IP rate limit must sit in front of it. An association built from a literal stage name is not tied to the Stage resource and can be created before it exists.',
  practices: ['P4', 'P5', 'P10'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::ApiGateway::Stage') return NagRuleCompliance.NOT_APPLICABLE;
    const stack = Stack.of(node);
    const stageRef = JSON.stringify({ Ref: stack.getLogicalId(node) });
    const resources = allConstructs(stack).filter((c): c is CfnResource => CfnResource.isCfnResource(c));
    const webAcls = new Map(resources.filter((r) => r.cfnResourceType === 'AWS::WAFv2::WebACL').map((r) => [stack.getLogicalId(r), r]));
    const protectedByRateLimitedAcl = resources
      .filter((r) => r.cfnResourceType === 'AWS::WAFv2::WebACLAssociation')
      .map((r) => resolvedProperties(r))
      .filter((assoc) => JSON.stringify(assoc.ResourceArn ?? '').includes(stageRef))
      .some((assoc) => {
        const aclLogicalId = assoc.WebACLArn?.['Fn::GetAtt']?.[0];
        const acl = typeof aclLogicalId === 'string' ? webAcls.get(aclLogicalId) : undefined;
        return acl !== undefined && hasBlockingRateRule(resolvedProperties(acl));
      });
    return protectedByRateLimitedAcl ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
