import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { asArray, resolvedProperties } from '../../../private/rule-helpers';

/** Every REST API method (except CORS preflight) is authorized with OAuth scopes, or by a custom authorizer. */
export const MethodAuthorizedWithScopes: PlatformRule = {
  id: 'MethodAuthorizedWithScopes',
  info: 'The API method is neither authorized by Cognito with at least one OAuth scope nor by a custom authorizer.',
  explanation:
    'A Cognito authorizer without scopes accepts any token of the pool, so every client can call every route. Least privilege needs per-route scopes (or a custom authorizer that enforces them, e.g. for mTLS); a deliberately public route is acknowledged with its reason.',
  practices: ['P2', 'P3'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::ApiGateway::Method') return NagRuleCompliance.NOT_APPLICABLE;
    const props = resolvedProperties(node);
    if (props.HttpMethod === 'OPTIONS') return NagRuleCompliance.NOT_APPLICABLE;
    if (props.AuthorizationType === 'CUSTOM' && props.AuthorizerId) return NagRuleCompliance.COMPLIANT;
    const scoped = props.AuthorizationType === 'COGNITO_USER_POOLS' && props.AuthorizerId && asArray(props.AuthorizationScopes).length > 0;
    return scoped ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
