import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { restrictsBy } from '../../../private/policy-conditions';
import { asArray, resolvedProperties } from '../../../private/rule-helpers';
import { CfnJson } from '../../../private/rule-helpers';

/**
 * Every KMS key rotates, and no Allow statement of its key policy admits a wildcard principal or a service
 * principal without a condition that scopes it to this account (kms:CallerAccount, aws:SourceAccount,
 * aws:SourceArn, aws:PrincipalAccount or a kms:EncryptionContext key) under a positive operator whose values are
 * specific (no wildcard-only value, no ARN with a wildcard account, no IfExists or negated operator).
 */
export const KmsKeyPolicyScoped: PlatformRule = {
  id: 'KmsKeyPolicyScoped',
  info: 'The KMS key does not rotate, or its key policy lets a wildcard or service principal use it without an account-scoping condition.',
  explanation:
    'A key policy statement for "*" or a service principal without a condition lets any account use the key through that service (the confused-deputy problem). Scope such statements with kms:CallerAccount, aws:SourceAccount/SourceArn or an encryption-context condition, and rotate keys yearly.',
  practices: ['P3', 'P8'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::KMS::Key') return NagRuleCompliance.NOT_APPLICABLE;
    const props = resolvedProperties(node);
    const symmetric = props.KeySpec === undefined || props.KeySpec === 'SYMMETRIC_DEFAULT';
    if (symmetric && props.EnableKeyRotation !== true) return NagRuleCompliance.NON_COMPLIANT;
    const statements = asArray<CfnJson>(props.KeyPolicy?.Statement);
    const unscoped = statements.some((s) => s.Effect === 'Allow' && isBroadPrincipal(s.Principal) && !isAccountScoped(s.Condition));
    return unscoped ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
};

const SCOPING_KEYS = [
  'kms:calleraccount',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:principalaccount',
  'aws:principalorgid',
  'kms:encryptioncontext:',
];

function isBroadPrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!principal || typeof principal !== 'object') return false;
  const p = principal as Record<string, unknown>;
  return asArray(p.AWS).includes('*') || asArray(p.Service).length > 0;
}

/** A scoping key under a positive operator with specific values: `StringLike kms:CallerAccount "*"` scopes nothing. */
function isAccountScoped(condition: unknown): boolean {
  return restrictsBy(condition, SCOPING_KEYS);
}
