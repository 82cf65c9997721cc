/**
 * The client-certificate tool (`csm-certs`) as a library: issue, revoke and list mTLS client certificates.
 * @packageDocumentation
 * @module cdk-secure-microservices/certs
 */
// The client-certificate tool as a library (`cdk-secure-microservices/certs`): what `csm-certs` runs. It loads the
// AWS SDK clients and @peculiar/x509, which is why the construct library's entry point does not export it.
export * from './client-certificates';
export { normalizeSerial } from '../../pki/serial';
export { PCA_TEMPLATES, pcaTemplateArn } from '../../pki/templates';
