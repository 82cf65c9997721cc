import { X509Certificate } from 'node:crypto';

/**
 * Certificate ↔ OAuth client binding (in the spirit of RFC 8705 certificate-bound tokens). `csm-certs issue --client-id`
 * puts the Cognito app client id into the certificate as a URI subject alternative name; the authorizer accepts a
 * token only with a certificate bound to the token's `client_id`. No CDK imports: the Lambda bundle uses it.
 */
export const CLIENT_ID_URI_PREFIX = 'urn:cdk-secure-microservices:oauth-client:';

/** Cognito app client ids: 1–128 word characters or "+". */
export const CLIENT_ID = /^[\w+]{1,128}$/;

/** The SAN URI that binds a certificate to `clientId`. */
export function clientIdUri(clientId: string): string {
  if (!CLIENT_ID.test(clientId)) throw new Error(`invalid OAuth client id "${clientId}": 1-128 letters, digits, "_" or "+"`);
  return `${CLIENT_ID_URI_PREFIX}${clientId}`;
}

/** The client ids a certificate (PEM) is bound to, from its URI subject alternative names. */
export function boundClientIds(certificatePem: string): string[] {
  const san = new X509Certificate(certificatePem).subjectAltName ?? '';
  // Node prints "URI:<uri>, DNS:<name>, …"; our URIs contain neither ", " nor quotes.
  return san
    .split(', ')
    .filter((entry) => entry.startsWith(`URI:${CLIENT_ID_URI_PREFIX}`))
    .map((entry) => entry.slice(`URI:${CLIENT_ID_URI_PREFIX}`.length));
}
