import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { allConstructs, resolvedProperties } from '../../../private/rule-helpers';

const MAPPING_TYPES = ['AWS::ApiGateway::BasePathMapping', 'AWS::ApiGateway::BasePathMappingV2'];

/**
 * A REST API mapped to a custom domain with mutual TLS has its default execute-api endpoint disabled; otherwise
 * clients skip the client-certificate check by calling `https://<api-id>.execute-api...` directly.
 */
export const MutualTlsDomainDisablesExecuteApi: PlatformRule = {
  id: 'MutualTlsDomainDisablesExecuteApi',
  info: 'The REST API is mapped to a custom domain with mutual TLS but its default execute-api endpoint is still enabled.',
  explanation:
    'Mutual TLS is enforced only on the custom domain. While the default execute-api endpoint stays on, any client can reach the same API without a client certificate. Set disableExecuteApiEndpoint: true on every API mapped to an mTLS domain (MutualTlsDomain does).',
  practices: ['P1', 'P2'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::ApiGateway::RestApi') return NagRuleCompliance.NOT_APPLICABLE;
    const stack = Stack.of(node);
    const apiId = stack.resolve(node.logicalId);
    const resources = allConstructs(stack).filter((c): c is CfnResource => CfnResource.isCfnResource(c));
    const mtlsDomains = resources.filter(
      (r) => r.cfnResourceType === 'AWS::ApiGateway::DomainName' && resolvedProperties(r).MutualTlsAuthentication?.TruststoreUri,
    );
    if (mtlsDomains.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    const mapped = resources
      .filter((r) => MAPPING_TYPES.includes(r.cfnResourceType))
      .map((r) => resolvedProperties(r))
      .filter((m) => refersTo(m.RestApiId, apiId) && mtlsDomains.some((d) => isDomain(m.DomainName ?? m.DomainNameArn, d)));
    if (mapped.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    return resolvedProperties(node).DisableExecuteApiEndpoint === true ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};

function refersTo(value: unknown, logicalId: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as { Ref?: string }).Ref === logicalId || (value as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0] === logicalId)
  );
}

/** A mapping names its domain by reference or by the literal domain name. */
function isDomain(value: unknown, domain: CfnResource): boolean {
  const stack = Stack.of(domain);
  return refersTo(value, stack.resolve(domain.logicalId)) || (typeof value === 'string' && value === resolvedProperties(domain).DomainName);
}
