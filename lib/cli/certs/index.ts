// The client-certificate tool as a library (`cdk-secure-microservices/certs`): what `csm-certs` runs. It loads the
// AWS SDK clients and @peculiar/x509, which is why the construct library's entry point does not export it.
export * from './client-certificates';
export { normalizeSerial } from '../../pki/serial';
export { PCA_TEMPLATES, pcaTemplateArn } from '../../pki/templates';
