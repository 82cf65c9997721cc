import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { beforeAll, describe, expect, test } from 'vitest';
import { CaUsageMode } from '../../lib/pki/private-certificate-authority';
import { ClientCertificateAuthorizer } from '../../lib/pki/client-certificate-authorizer';
import { MutualTlsDomain } from '../../lib/pki/mutual-tls-domain';
import { newStack, synthWithGate } from '../support/harness';
import { apiFixture, expectGateAndLintClean, pkiFixture } from './fixtures';

/**
 * The one full-gate synth of the PKI: a root + short-lived subordinate CA, the truststore, an mTLS domain and the
 * client-certificate authorizer in one stack, through every pack and cfn-lint. Per-construct files assert templates.
 */
describe('PKI stack through the security gate', () => {
  let result: ReturnType<typeof synthWithGate>;
  beforeAll(() => {
    const stack = newStack();
    const { key, truststore } = pkiFixture(stack, { subordinate: { subject: { commonName: 'Issuing' } }, usageMode: CaUsageMode.SHORT_LIVED_CERTIFICATE });
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_abcdefghi');
    const authorizer = new ClientCertificateAuthorizer(stack, 'ClientCertAuthorizer', {
      userPool, routeScopes: { 'GET /orders': ['orders/read'] }, encryptionKey: key, logsKey: key, resultsCacheTtl: Duration.seconds(30),
    });
    const { restApi, stage } = apiFixture(stack, key, authorizer.authorizer);
    new MutualTlsDomain(stack, 'Domain', {
      restApi, stage, truststore, versions: ['v1'], domainName: 'api.example.com',
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/server'),
    });
    result = synthWithGate(stack);
  });

  test('no unacknowledged finding in any pack; reasons on every acknowledgement; cfn-lint clean', () => {
    expectGateAndLintClean(result);
  });

  test('every acknowledgement is one of the documented ones', () => {
    const ids = [...new Set(result.acknowledged.map((a) => a.acknowledgedId))].sort();
    expect(ids).toMatchSnapshot();
  });
});
