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
    const { key, truststore } = pkiFixture(stack, {
      subordinate: { subject: { commonName: 'Issuing' } },
      usageMode: CaUsageMode.SHORT_LIVED_CERTIFICATE,
    });
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_abcdefghi');
    const authorizer = new ClientCertificateAuthorizer(stack, 'ClientCertAuthorizer', {
      userPool,
      routeScopes: { 'GET /orders': ['orders/read'] },
      encryptionKey: key,
      logsKey: key,
      resultsCacheTtl: Duration.seconds(30),
    });
    const { restApi, stage } = apiFixture(stack, key, authorizer.authorizer);
    new MutualTlsDomain(stack, 'Domain', {
      restApi,
      stage,
      truststore,
      versions: ['v1'],
      domainName: 'api.example.com',
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/server'),
    });
    result = synthWithGate(stack);
  });

  test('no unacknowledged finding in any pack; reasons on every acknowledgement; cfn-lint clean', () => {
    expectGateAndLintClean(result);
  });

  test('every acknowledgement is one of the documented ones', () => {
    const ids = [...new Set(result.acknowledged.map((a) => a.acknowledgedId))].sort();
    // Written out (not a snapshot that `-u` rewrites): a new acknowledgement is a reviewed change of this list.
    expect(ids).toEqual([
      'AwsSolutions::AwsSolutions-APIG2',
      'AwsSolutions::AwsSolutions-APIG3',
      'AwsSolutions::AwsSolutions-COG4',
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'HIPAA.Security::HIPAA.Security-APIGWCacheEnabledAndEncrypted',
      'HIPAA.Security::HIPAA.Security-APIGWSSLEnabled',
      'HIPAA.Security::HIPAA.Security-LambdaConcurrency',
      'HIPAA.Security::HIPAA.Security-LambdaDLQ',
      'HIPAA.Security::HIPAA.Security-LambdaInsideVPC',
      'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled',
      'HIPAA.Security::HIPAA.Security-S3DefaultEncryptionKMS',
      'NIST.800.53.R5::NIST.800.53.R5-APIGWAssociatedWithWAF',
      'NIST.800.53.R5::NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
      'NIST.800.53.R5::NIST.800.53.R5-APIGWSSLEnabled',
      'NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency',
      'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ',
      'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC',
      'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
      'NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS',
      'PCI.DSS.321::PCI.DSS.321-APIGWAssociatedWithWAF',
      'PCI.DSS.321::PCI.DSS.321-APIGWCacheEnabledAndEncrypted',
      'PCI.DSS.321::PCI.DSS.321-APIGWSSLEnabled',
      'PCI.DSS.321::PCI.DSS.321-LambdaInsideVPC',
      'PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled',
      'PCI.DSS.321::PCI.DSS.321-S3DefaultEncryptionKMS',
      'PlatformChecks::Platform-PrivateCaRevocationEnabled',
      'PlatformChecks::Platform-RestStageBehindRateLimitedWebAcl',
      'Serverless::Serverless-LambdaDLQ',
    ]);
  });
});
