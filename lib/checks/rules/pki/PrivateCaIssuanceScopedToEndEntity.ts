import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { END_ENTITY_TEMPLATES } from '../../../pki/templates';
import { PlatformRule } from '../../rule';
import { asArray, resolvedProperties } from '../../../private/rule-helpers';
import { CfnJson } from '../../../private/rule-helpers';

const ISSUE = 'acm-pca:issuecertificate';
/** Operators that limit a key to the listed values (the Like forms only when the values hold no wildcard). */
const LIMITING_OPERATORS = ['stringequals', 'arnequals', 'stringlike', 'arnlike'];
const ALLOWED = new RegExp(`^arn:aws[a-z-]*:acm-pca:::template/(${END_ENTITY_TEMPLATES.map((t) => t.replace(/[/.]/g, '\\$&')).join('|')})$`);

/**
 * Every IAM policy statement (identity policies: AWS::IAM::Policy, ManagedPolicy, and the inline policies of roles,
 * users and groups) that allows acm-pca:IssueCertificate carries an acm-pca:TemplateArn condition limited to the
 * end-entity client and server templates.
 */
export const PrivateCaIssuanceScopedToEndEntity: PlatformRule = {
  id: 'PrivateCaIssuanceScopedToEndEntity',
  info: 'An IAM policy allows acm-pca:IssueCertificate without an acm-pca:TemplateArn condition limited to EndEntityClientAuthCertificate/V1 or EndEntityServerAuthCertificate/V1.',
  explanation:
    'IssueCertificate without a template condition lets the grantee request any template, including SubordinateCACertificate ones: from a CA that issues client certificates (the root, in dev) it can mint a subordinate CA and then client certificates offline that chain to the mTLS truststore and that no deny-list knows. Condition every grant on acm-pca:TemplateArn (PrivateCertificateAuthority.grantIssue does).',
  practices: ['P3', 'P7'],
  check(node: CfnResource) {
    const documents = policyDocuments(node);
    if (documents === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const statements = documents.flatMap((d) => asArray<CfnJson>(d?.Statement));
    const unscoped = statements.some((s) => s.Effect === 'Allow' && allowsIssue(s) && !limitedToEndEntity(s.Condition));
    return unscoped ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
};

function policyDocuments(node: CfnResource): CfnJson[] | undefined {
  switch (node.cfnResourceType) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      return [resolvedProperties(node).PolicyDocument];
    case 'AWS::IAM::Role':
    case 'AWS::IAM::User':
    case 'AWS::IAM::Group':
      return asArray<CfnJson>(resolvedProperties(node).Policies).map((p) => p.PolicyDocument);
    default:
      return undefined;
  }
}

/** IAM action patterns: `*` any run of characters, `?` one, case-insensitive. */
function actionMatches(pattern: unknown, action: string): boolean {
  if (typeof pattern !== 'string') return false;
  const source = pattern
    .toLowerCase()
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(action);
}

function allowsIssue(statement: CfnJson): boolean {
  if (statement.NotAction !== undefined) return !asArray(statement.NotAction).some((a) => actionMatches(a, ISSUE));
  return asArray(statement.Action).some((a) => actionMatches(a, ISSUE));
}

function limitedToEndEntity(condition: unknown): boolean {
  if (!condition || typeof condition !== 'object') return false;
  return Object.entries(condition as Record<string, Record<string, unknown>>).some(([operator, keys]) => {
    if (!LIMITING_OPERATORS.includes(operator.toLowerCase()) || !keys || typeof keys !== 'object') return false;
    const like = operator.toLowerCase().endsWith('like');
    return Object.entries(keys).some(([key, values]) => {
      if (key.toLowerCase() !== 'acm-pca:templatearn') return false;
      const arns = asArray(values).map(flatten);
      return arns.length > 0 && arns.every((arn) => arn !== undefined && ALLOWED.test(arn) && !(like && /[*?]/.test(arn)));
    });
  });
}

/** A literal ARN, or one joined from literals and the partition; undefined for anything else. */
function flatten(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!join || join[0] !== '') return undefined;
  const parts = join[1].map((p) => (typeof p === 'string' ? p : (p as { Ref?: string })?.Ref === 'AWS::Partition' ? 'aws' : undefined));
  return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
}
