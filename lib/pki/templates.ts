/** AWS Private CA certificate templates the platform uses (`arn:<partition>:acm-pca:::template/<name>`). */
export const PCA_TEMPLATES = {
  root: 'RootCACertificate/V1',
  subordinate: 'SubordinateCACertificate_PathLen0/V1',
  clientAuth: 'EndEntityClientAuthCertificate/V1',
} as const;

/** The ARN of an AWS Private CA template in a partition. */
export function pcaTemplateArn(partition: string, name: string): string {
  return `arn:${partition}:acm-pca:::template/${name}`;
}
