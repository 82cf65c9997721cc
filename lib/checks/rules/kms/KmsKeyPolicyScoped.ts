import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { asArray, resolvedProperties } from '../../../private/rule-helpers';

/**
 * Every KMS key rotates, and no Allow statement of its key policy admits a wildcard principal or a service
 * principal without a condition that scopes it to this account (kms:CallerAccount, aws:SourceAccount,
 * aws:SourceArn, aws:PrincipalAccount or a kms:EncryptionContext key).
 */
export const KmsKeyPolicyScoped: PlatformRule = {
  id: 'KmsKeyPolicyScoped',
  info: 'The KMS key does not rotate, or its key policy lets a wildcard or service principal use it without an account-scoping condition.',
  explanation: 'A key policy statement for "*" or a service principal without a condition lets any account use the key through that service (the confused-deputy problem). Scope such statements with kms:CallerAccount, aws:SourceAccount/SourceArn or an encryption-context condition, and rotate keys yearly.',
  practices: ['P3', 'P8'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::KMS::Key') return NagRuleCompliance.NOT_APPLICABLE;
    const props = resolvedProperties(node);
    const symmetric = props.KeySpec === undefined || props.KeySpec === 'SYMMETRIC_DEFAULT';
    if (symmetric && props.EnableKeyRotation !== true) return NagRuleCompliance.NON_COMPLIANT;
    const statements = asArray<Record<string, any>>(props.KeyPolicy?.Statement);
    const unscoped = statements.some((s) => s.Effect === 'Allow' && isBroadPrincipal(s.Principal) && !isAccountScoped(s.Condition));
    return unscoped ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
};

const SCOPING_KEYS = ['kms:calleraccount', 'aws:sourceaccount', 'aws:sourcearn', 'aws:principalaccount', 'aws:principalorgid'];

function isBroadPrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!principal || typeof principal !== 'object') return false;
  const p = principal as Record<string, unknown>;
  return asArray(p.AWS).includes('*') || asArray(p.Service).length > 0;
}

function isAccountScoped(condition: unknown): boolean {
  if (!condition || typeof condition !== 'object') return false;
  return Object.values(condition as Record<string, Record<string, unknown>>).some((byKey) =>
    Object.keys(byKey ?? {}).some((key) => {
      const k = key.toLowerCase();
      return SCOPING_KEYS.includes(k) || k.startsWith('kms:encryptioncontext:');
    }));
}
