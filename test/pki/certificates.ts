import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { clientIdUri } from '../../lib/pki/client-binding';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/**
 * A self-signed client certificate (PEM) with `serial` (hex), bound to each of `clientIds` the way
 * `csm-certs issue --client-id` binds it (URI SAN); no client id gives an unbound certificate.
 */
export async function boundCertificate(clientIds: string | string[], serial: string): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const uris = ([] as string[]).concat(clientIds).map((id) => ({ type: 'url' as const, value: clientIdUri(id) }));
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial,
    name: 'CN=test-client',
    keys,
    signingAlgorithm: EC,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: uris.length > 0 ? [new x509.SubjectAlternativeNameExtension(uris)] : [],
  });
  return certificate.toString('pem');
}
