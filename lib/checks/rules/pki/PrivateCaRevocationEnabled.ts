import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { resolvedProperties } from '../../../private/rule-helpers';

/** Every AWS Private CA publishes revocation information: a CRL, OCSP, or both. */
export const PrivateCaRevocationEnabled: PlatformRule = {
  id: 'PrivateCaRevocationEnabled',
  info: 'The private CA has neither a CRL nor OCSP enabled.',
  explanation:
    'Without a CRL or OCSP, relying parties cannot learn that a certificate was revoked, so a leaked client or service key stays valid until it expires. Enable a CRL (PrivateCertificateAuthority does, into a private bucket) or OCSP.',
  practices: ['P7'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::ACMPCA::CertificateAuthority') return NagRuleCompliance.NOT_APPLICABLE;
    const revocation = resolvedProperties(node).RevocationConfiguration ?? {};
    const enabled = revocation.CrlConfiguration?.Enabled === true || revocation.OcspConfiguration?.Enabled === true;
    return enabled ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
