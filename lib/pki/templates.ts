/** AWS Private CA certificate templates the platform uses (`arn:<partition>:acm-pca:::template/<name>`). */
export const PCA_TEMPLATES = {
  root: 'RootCACertificate/V1',
  subordinate: 'SubordinateCACertificate_PathLen0/V1',
  clientAuth: 'EndEntityClientAuthCertificate/V1',
  serverAuth: 'EndEntityServerAuthCertificate/V1',
} as const;

/**
 * The only templates an `acm-pca:IssueCertificate` grant may allow: end-entity client (csm-certs) and server (Service
 * Connect) certificates. Any other template (a CA template, an API-passthrough one) would let the grantee mint
 * certificates that chain to the truststore outside every control.
 */
export const END_ENTITY_TEMPLATES: readonly string[] = [PCA_TEMPLATES.clientAuth, PCA_TEMPLATES.serverAuth];

/** The ARN of an AWS Private CA template in a partition. */
export function pcaTemplateArn(partition: string, name: string): string {
  return `arn:${partition}:acm-pca:::template/${name}`;
}
