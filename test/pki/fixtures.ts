import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import { acknowledgeFindings } from '../../lib/core/acknowledge';
import { createSecureLogGroup } from '../../lib/core/secure-log-group';
import { PrivateCertificateAuthority, PrivateCertificateAuthorityProps } from '../../lib/pki/private-certificate-authority';
import { Truststore } from '../../lib/pki/truststore';
import { SecuritySynthResult } from '../../lib/testing/synth-with-checks';
import { expectCfnLintClean } from '../support/checks';
import { expectNoFindings, expectReasonedAcknowledgements } from '../support/harness';

/** A key, a CA and its truststore: what the mTLS constructs build on. */
export function pkiFixture(
  stack: Stack,
  caProps: Partial<PrivateCertificateAuthorityProps> = {},
): { key: kms.Key; ca: PrivateCertificateAuthority; truststore: Truststore } {
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const ca = new PrivateCertificateAuthority(stack, 'Ca', { subject: { commonName: 'Root' }, encryptionKey: key, ...caProps });
  const truststore = new Truststore(stack, 'Truststore', {
    certificateAuthority: ca.certificateAuthority,
    caChainPem: ca.chainPem,
    encryptionKey: key,
    logsKey: key,
  });
  return { key, ca, truststore };
}

/**
 * A small REST API with access logs, tracing and throttling. What SecureApi (a separate issue) owns — WAF,
 * caching, backend client certificate, validation, authorization — is acknowledged here as out of this test's scope.
 */
export function apiFixture(stack: Stack, logsKey: kms.IKey, authorizer?: apigw.IAuthorizer): { restApi: apigw.RestApi; stage: apigw.Stage } {
  const restApi = new apigw.RestApi(stack, 'Api', { cloudWatchRole: false, deploy: false });
  const method = restApi.root.addResource('orders').addMethod('GET', new apigw.MockIntegration(), { authorizer });
  acknowledgeFindings(
    method,
    [...(authorizer ? [] : ['AwsSolutions::AwsSolutions-APIG4']), 'AwsSolutions::AwsSolutions-COG4'],
    'Test fixture: COG4 wants a Cognito user pool authorizer; the mTLS path uses the Lambda authorizer that also checks revocation.',
  );
  acknowledgeFindings(
    restApi.node.defaultChild!,
    ['AwsSolutions::AwsSolutions-APIG2'],
    'Test fixture: request validation belongs to SecureApi, not to the mTLS constructs under test.',
  );
  const deployment = new apigw.Deployment(stack, 'Deployment', { api: restApi });
  const stage = new apigw.Stage(stack, 'Stage', {
    deployment,
    stageName: 'prod',
    tracingEnabled: true,
    accessLogDestination: new apigw.LogGroupLogDestination(createSecureLogGroup(stack, 'AccessLogs', { encryptionKey: logsKey })),
    accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
    loggingLevel: apigw.MethodLoggingLevel.ERROR,
    throttlingRateLimit: 100,
    throttlingBurstLimit: 50,
  });
  acknowledgeFindings(
    stage.node.defaultChild!,
    [
      'AwsSolutions::AwsSolutions-APIG3',
      'NIST.800.53.R5::NIST.800.53.R5-APIGWAssociatedWithWAF',
      'PCI.DSS.321::PCI.DSS.321-APIGWAssociatedWithWAF',
      'NIST.800.53.R5::NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
      'PCI.DSS.321::PCI.DSS.321-APIGWCacheEnabledAndEncrypted',
      'HIPAA.Security::HIPAA.Security-APIGWCacheEnabledAndEncrypted',
      'NIST.800.53.R5::NIST.800.53.R5-APIGWSSLEnabled',
      'PCI.DSS.321::PCI.DSS.321-APIGWSSLEnabled',
      'HIPAA.Security::HIPAA.Security-APIGWSSLEnabled',
      'PlatformChecks::Platform-RestStageBehindRateLimitedWebAcl',
    ],
    'Test fixture: WAF, caching and the backend client certificate are SecureApi/ApiFirewall settings outside the mTLS domain under test.',
  );
  return { restApi, stage };
}

/** No unacknowledged finding in any pack, a reason on every acknowledgement, and cfn-lint clean (missing fails under CI). */
export function expectGateAndLintClean(result: SecuritySynthResult): void {
  expectNoFindings(result);
  expectReasonedAcknowledgements(result);
  expectCfnLintClean(result.templatePaths);
}
