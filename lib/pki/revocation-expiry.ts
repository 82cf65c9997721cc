import { X509Certificate } from 'node:crypto';
import { ACMPCAClient, DescribeCertificateAuthorityCommand, GetCertificateAuthorityCertificateCommand } from '@aws-sdk/client-acm-pca';

/** Validity cap of certificates from a CA in short-lived mode. */
const SHORT_LIVED_DAYS = 7;
export const DAY_SECONDS = 86_400;

/**
 * When a deny-list entry may expire (epoch seconds) if the certificate itself is unknown: a day after the latest moment
 * a certificate of this CA revoked at `revokedAt` can expire — 7 days after issuance (at most the revocation) for a CA
 * in short-lived mode, else the CA certificate's own expiry (no certificate outlives its issuer's). Undefined when the
 * CA cannot be read: the entry is then kept for good. Used by the revocation sync and csm-certs (SDK only; no CDK).
 */
export async function certificateExpiryBound(pca: Pick<ACMPCAClient, 'send'>, caArn: string, revokedAt: Date): Promise<number | undefined> {
  try {
    const described = await pca.send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: caArn }));
    if (described.CertificateAuthority?.UsageMode === 'SHORT_LIVED_CERTIFICATE') {
      return Math.floor(revokedAt.getTime() / 1000) + (SHORT_LIVED_DAYS + 1) * DAY_SECONDS;
    }
    const { Certificate } = await pca.send(new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: caArn }));
    return Certificate ? Math.floor(new Date(new X509Certificate(Certificate).validTo).getTime() / 1000) + DAY_SECONDS : undefined;
  } catch (e) {
    console.log(
      JSON.stringify({ warning: 'cannot bound the certificate expiry: the deny-list entry will not expire', caArn, error: (e as Error).message }),
    );
    return undefined;
  }
}
