import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledgeFindings } from '../lib/core/acknowledge';
import { createSecureLogGroup } from '../lib/core/secure-log-group';
import { PlatformKeys } from '../lib/encryption/platform-keys';
import { ClientCertificateAuthorizer } from '../lib/pki/client-certificate-authorizer';
import { MutualTlsDomain } from '../lib/pki/mutual-tls-domain';
import { CaUsageMode, PrivateCertificateAuthority } from '../lib/pki/private-certificate-authority';
import { Truststore } from '../lib/pki/truststore';

/** Context `pki` (cdk.json): the custom domain, its server certificate and the user pool that issues tokens. */
export interface ReferencePkiSettings {
  readonly domainName: string;
  readonly certificateArn: string;
  readonly userPoolId: string;
  /** @default 'Platform' */
  readonly caCommonName?: string;
}

/** The reference platform's PKI and mTLS edge: CA, truststore, authorizer and a versioned mTLS domain. */
export class ReferencePki extends Construct {
  public readonly ca: PrivateCertificateAuthority;
  public readonly authorizer: ClientCertificateAuthorizer;
  public readonly domain: MutualTlsDomain;

  constructor(scope: Construct, id: string, keys: PlatformKeys, settings: ReferencePkiSettings) {
    super(scope, id);
    const name = settings.caCommonName ?? 'Platform';
    this.ca = new PrivateCertificateAuthority(this, 'Ca', {
      subject: { commonName: `${name} Root CA` },
      subordinate: { subject: { commonName: `${name} Issuing CA` } },
      usageMode: CaUsageMode.SHORT_LIVED_CERTIFICATE,
      encryptionKey: keys.dataKey,
    });
    const truststore = new Truststore(this, 'Truststore', {
      certificateAuthority: this.ca.certificateAuthority,
      caChainPem: this.ca.chainPem,
      encryptionKey: keys.dataKey,
      logsKey: keys.logsKey,
    });
    this.authorizer = new ClientCertificateAuthorizer(this, 'ClientCertAuthorizer', {
      userPool: cognito.UserPool.fromUserPoolId(this, 'UserPool', settings.userPoolId),
      routeScopes: { 'GET /health': ['platform/read'] },
      encryptionKey: keys.dataKey,
      logsKey: keys.logsKey,
    });
    const { restApi, stage } = this.placeholderApi(keys);
    this.domain = new MutualTlsDomain(this, 'Domain', {
      restApi,
      stage,
      truststore,
      versions: ['v1'],
      domainName: settings.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'ServerCertificate', settings.certificateArn),
    });
  }

  /** A minimal API (one mock route) until SecureApi from the parallel branch is wired in here. */
  private placeholderApi(keys: PlatformKeys): { restApi: apigw.RestApi; stage: apigw.Stage } {
    const restApi = new apigw.RestApi(this, 'Api', { cloudWatchRole: false, deploy: false, description: 'Placeholder behind the mTLS domain' });
    const validator = restApi.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    const method = restApi.root.addResource('health').addMethod('GET', new apigw.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      integrationResponses: [{ statusCode: '200' }],
    }), { authorizer: this.authorizer.authorizer, requestValidator: validator, methodResponses: [{ statusCode: '200' }] });
    acknowledgeFindings(method, ['AwsSolutions::AwsSolutions-COG4'],
      'The mTLS path uses ClientCertificateAuthorizer, which verifies the Cognito access token and scopes itself and also refuses revoked client certificates; a Cognito authorizer cannot check revocation.');
    const stage = new apigw.Stage(this, 'Stage', {
      deployment: new apigw.Deployment(this, 'Deployment', { api: restApi }),
      stageName: 'v1',
      tracingEnabled: true,
      accessLogDestination: new apigw.LogGroupLogDestination(createSecureLogGroup(this, 'AccessLogs', { encryptionKey: keys.logsKey })),
      accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      loggingLevel: apigw.MethodLoggingLevel.ERROR,
      throttlingRateLimit: 50,
      throttlingBurstLimit: 20,
    });
    const cfnStage = stage.node.defaultChild!;
    acknowledgeFindings(cfnStage, ['AwsSolutions::AwsSolutions-APIG3', 'NIST.800.53.R5::NIST.800.53.R5-APIGWAssociatedWithWAF', 'PCI.DSS.321::PCI.DSS.321-APIGWAssociatedWithWAF'],
      'Placeholder API with one mock route: the WAF web ACL comes with SecureApi/ApiFirewall (parallel branch), which replaces this API.');
    acknowledgeFindings(cfnStage, ['NIST.800.53.R5::NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', 'PCI.DSS.321::PCI.DSS.321-APIGWCacheEnabledAndEncrypted', 'HIPAA.Security::HIPAA.Security-APIGWCacheEnabledAndEncrypted'],
      'Responses depend on the caller (client certificate and token); a stage cache would need per-caller keys and is off.');
    acknowledgeFindings(cfnStage, ['NIST.800.53.R5::NIST.800.53.R5-APIGWSSLEnabled', 'PCI.DSS.321::PCI.DSS.321-APIGWSSLEnabled', 'HIPAA.Security::HIPAA.Security-APIGWSSLEnabled'],
      'The placeholder API has only a mock integration, so there is no backend to present a client certificate to.');
    return { restApi, stage };
  }
}

/** Adds the PKI to a reference stack when context `pki` is set (cdk.json carries example values). */
export function addReferencePki(stack: Stack, keys: PlatformKeys): ReferencePki | undefined {
  const settings = stack.node.tryGetContext('pki') as ReferencePkiSettings | undefined;
  if (!settings) return undefined;
  for (const field of ['domainName', 'certificateArn', 'userPoolId'] as const) {
    if (typeof settings[field] !== 'string' || settings[field] === '') {
      throw new Error(`Invalid context pki.${field} (received ${JSON.stringify(settings[field])}). Fix: set it in cdk.json, e.g. "pki": { "domainName": "api.dev.example.com", "certificateArn": "arn:aws:acm:...", "userPoolId": "eu-west-1_..." }.`);
    }
  }
  return new ReferencePki(stack, 'Pki', keys, settings);
}
