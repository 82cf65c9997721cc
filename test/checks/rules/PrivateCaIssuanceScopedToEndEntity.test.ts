import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, test } from 'vitest';
import { PrivateCaIssuanceScopedToEndEntity } from '../../../lib/checks/rules/pki/PrivateCaIssuanceScopedToEndEntity';
import { PrivateCertificateAuthority } from '../../../lib/pki/private-certificate-authority';
import { ruleViolations } from '../../support/checks';
import { newStack } from '../../support/harness';

const CA = 'arn:aws:acm-pca:eu-west-1:111111111111:certificate-authority/11111111-2222-3333-4444-555555555555';
const template = (name: string) => `arn:aws:acm-pca:::template/${name}`;
const violations = (stack: Stack) => ruleViolations(PrivateCaIssuanceScopedToEndEntity, stack);

/** A role whose customer managed policy holds `statement` (and an inline-policy role for the Role case). */
function policyWith(statement: Record<string, unknown>, where: 'managed' | 'policy' | 'role' = 'managed'): Stack {
  const stack = newStack();
  const document = iam.PolicyDocument.fromJson({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: CA, ...statement }] });
  const role = new iam.Role(stack, 'Issuer', {
    assumedBy: new iam.AccountRootPrincipal(),
    inlinePolicies: where === 'role' ? { issue: document } : undefined,
  });
  if (where === 'managed') new iam.ManagedPolicy(stack, 'Policy', { document, roles: [role] });
  if (where === 'policy') new iam.Policy(stack, 'Policy', { document, roles: [role] });
  return stack;
}

describe('Platform-PrivateCaIssuanceScopedToEndEntity', () => {
  test('compliant: PrivateCertificateAuthority.grantIssue (partition-joined ARN), client or server template, no IssueCertificate at all', () => {
    const stack = newStack();
    const ca = new PrivateCertificateAuthority(stack, 'Ca', {
      subject: { commonName: 'Root' },
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    });
    ca.grantIssue(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
    expect(violations(stack)).toEqual([]);
    expect(
      violations(
        policyWith(
          {
            Action: 'acm-pca:IssueCertificate',
            Condition: {
              StringEquals: { 'acm-pca:TemplateArn': [template('EndEntityClientAuthCertificate/V1'), template('EndEntityServerAuthCertificate/V1')] },
            },
          },
          'policy',
        ),
      ),
    ).toEqual([]);
    expect(
      violations(
        policyWith(
          { Action: 'acm-pca:IssueCertificate', Condition: { ArnLike: { 'acm-pca:TemplateArn': template('EndEntityServerAuthCertificate/V1') } } },
          'role',
        ),
      ),
    ).toEqual([]);
    expect(violations(policyWith({ Action: ['acm-pca:GetCertificate', 'acm-pca:RevokeCertificate'] }))).toEqual([]);
  });

  test('non-compliant: no condition, a CA template, a wildcard action or template, NotAction, an unrelated condition', () => {
    expect(violations(policyWith({ Action: 'acm-pca:IssueCertificate' }))).toEqual(['TestStack/Policy/Resource']);
    expect(
      violations(
        policyWith({
          Action: 'acm-pca:IssueCertificate',
          Condition: {
            StringEquals: {
              'acm-pca:TemplateArn': [template('EndEntityClientAuthCertificate/V1'), template('SubordinateCACertificate_PathLen0/V1')],
            },
          },
        }),
      ),
    ).toEqual(['TestStack/Policy/Resource']);
    expect(
      violations(policyWith({ Action: 'acm-pca:*', Condition: { StringEquals: { 'aws:PrincipalAccount': '111111111111' } } }, 'policy')),
    ).toEqual(['TestStack/Policy/Resource']);
    expect(violations(policyWith({ Action: 'ACM-PCA:Issue*' }, 'role'))).toEqual(['TestStack/Issuer/Resource']);
    expect(
      violations(policyWith({ Action: 'acm-pca:IssueCertificate', Condition: { StringLike: { 'acm-pca:TemplateArn': template('EndEntity*') } } })),
    ).toEqual(['TestStack/Policy/Resource']);
    expect(violations(policyWith({ NotAction: 's3:*' }))).toEqual(['TestStack/Policy/Resource']);
    expect(
      violations(
        policyWith({
          Action: 'acm-pca:IssueCertificate',
          Condition: { StringNotEquals: { 'acm-pca:TemplateArn': template('RootCACertificate/V1') } },
        }),
      ),
    ).toEqual(['TestStack/Policy/Resource']);
  });
});
