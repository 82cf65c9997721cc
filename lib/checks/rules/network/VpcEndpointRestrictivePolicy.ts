import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { ANY_CONDITION_KEY, restrictsBy } from '../../../private/policy-conditions';
import { asArray, isAnyPrincipal, resolvedProperties } from '../../../private/rule-helpers';
import { CfnJson } from '../../../private/rule-helpers';

/**
 * Every VPC endpoint carries a policy, and no Allow statement in it admits any principal on every resource without
 * a condition that restricts (a positive operator with specific values: `StringLike aws:PrincipalAccount "*"`
 * restricts nothing; the AWS default "full access" policy is exactly that). A statement naming exact resources (ECR's
 * AWS-owned image-layer bucket, which no account condition can match) is scoped by those resources.
 */
export const VpcEndpointRestrictivePolicy: PlatformRule = {
  id: 'VpcEndpointRestrictivePolicy',
  info: 'The VPC endpoint has no policy, or its policy allows any principal on any resource without a condition.',
  explanation:
    "Without an endpoint policy the endpoint lets anything inside the VPC reach any account's resources of that service, an easy exfiltration path. Limit resources to this account (aws:ResourceAccount; S3 gateway endpoints do not evaluate aws:PrincipalAccount) or to named resources, and principals where the endpoint evaluates aws:PrincipalAccount.",
  practices: ['P1', 'P3'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::EC2::VPCEndpoint') return NagRuleCompliance.NOT_APPLICABLE;
    const props = resolvedProperties(node);
    // Gateway Load Balancer endpoints do not support policies.
    if (props.VpcEndpointType === 'GatewayLoadBalancer') return NagRuleCompliance.NOT_APPLICABLE;
    const statements = asArray<CfnJson>(props.PolicyDocument?.Statement);
    if (statements.length === 0) return NagRuleCompliance.NON_COMPLIANT;
    const openAllow = statements.some(
      (s) => s.Effect === 'Allow' && isAnyPrincipal(s.Principal) && !restrictsBy(s.Condition, ANY_CONDITION_KEY) && coversAnyResource(s),
    );
    return openAllow ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
};

/** A statement without Resource, with NotResource, or with `*` among its resources reaches any account's resources. */
function coversAnyResource(statement: CfnJson): boolean {
  if (statement.NotResource !== undefined || statement.Resource === undefined) return true;
  return asArray<unknown>(statement.Resource).some((r) => r === '*' || (typeof r === 'string' && /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(r)));
}
