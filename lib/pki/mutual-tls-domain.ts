import { Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { invalidProp } from '../private/errors';
import { Truststore } from './truststore';
import { API_VERSION_PATTERN, DNS_NAME_PATTERN } from '../private/validation';

export interface MutualTlsDomainProps {
  /** The API served on the domain; its default execute-api endpoint is disabled (clients could skip mTLS there). */
  readonly restApi: apigw.RestApi;
  /** The stage every version maps to. */
  readonly stage: apigw.Stage;
  /**
   * API versions, each a base path (`v1`, `v2`, ...) mapped to `stage` (API Gateway strips the base path).
   * Omit it for an API that carries its versions as resource paths (SecureApi's `/v1/...`): one root mapping then
   * passes `/v1/...` and `/v2/...` through unchanged.
   * @default - one root mapping
   */
  readonly versions?: string[];
  /** The custom domain name, e.g. `api.example.com`. */
  readonly domainName: string;
  /** The server certificate (ACM, in the API's region). */
  readonly certificate: acm.ICertificate;
  /** The CA truststore clients' certificates must chain to. */
  readonly truststore: Truststore;
  /**
   * TLS policy of the domain; TLS 1.2 or stricter, regional, and compatible with mutual TLS.
   * @default apigw.SecurityPolicy.TLS_1_2
   */
  readonly securityPolicy?: apigw.SecurityPolicy;
  /**
   * A public ACM certificate for the same domain that proves ownership. Required by API Gateway when
   * `certificate` is imported into ACM or issued by a private CA.
   * @default - none (`certificate` is a public ACM certificate)
   */
  readonly ownershipVerificationCertificate?: acm.ICertificate;
  /**
   * Public hosted zone of `domainName`: an alias A record pointing the name at the domain's regional endpoint is
   * created in it.
   * @default - no record; point the name at `regionalDomainName` (CNAME, or alias with `regionalHostedZoneId`)
   */
  readonly hostedZone?: route53.IHostedZone;
}

/**
 * Policies that keep TLS at 1.2 or above on a regional domain with mutual TLS. The enhanced 2025 policies
 * (TLS 1.3) do not support mTLS (aws-cdk-lib rejects the combination), so TLS_1_2 is the strictest available.
 */
export const MTLS_SECURITY_POLICIES: readonly apigw.SecurityPolicy[] = [apigw.SecurityPolicy.TLS_1_2];

/**
 * A regional custom domain with mutual TLS (P1, P2, P6, P12): TLS 1.2+, the client certificate must chain to
 * the truststore's CA, one base path per API version, and the API's default execute-api endpoint disabled so
 * no request reaches the API without mTLS.
 */
export class MutualTlsDomain extends Construct {
  public readonly domainName: apigw.DomainName;
  /** Base-path mappings by version. */
  public readonly mappings: Record<string, apigw.BasePathMapping> = {};
  /** The regional endpoint the domain name must resolve to (CNAME target or alias target). */
  public readonly regionalDomainName: string;
  /** Route 53 hosted zone id of the regional endpoint (for an alias record). */
  public readonly regionalHostedZoneId: string;
  /** The alias record, with `hostedZone`. */
  public readonly record?: route53.ARecord;

  constructor(scope: Construct, id: string, props: MutualTlsDomainProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.domainName) && !DNS_NAME_PATTERN.test(props.domainName)) {
      invalidProp(
        this,
        'domainName',
        props.domainName,
        'not a valid lower-case DNS name with at least two labels',
        'use a fully qualified name such as "api.example.com"',
      );
    }
    const securityPolicy = props.securityPolicy ?? apigw.SecurityPolicy.TLS_1_2;
    if (!MTLS_SECURITY_POLICIES.includes(securityPolicy)) {
      invalidProp(
        this,
        'securityPolicy',
        securityPolicy,
        'mutual TLS needs TLS 1.2 or stricter on a regional domain, and the enhanced TLS 1.3 policies do not support mutual TLS',
        `use one of ${MTLS_SECURITY_POLICIES.join(', ')}`,
      );
    }
    const versions = props.versions ?? [];
    if (props.versions && versions.length === 0) {
      invalidProp(this, 'versions', props.versions, 'at least one API version is needed', 'pass e.g. ["v1"]');
    }
    for (const version of versions) {
      if (!API_VERSION_PATTERN.test(version)) {
        invalidProp(this, 'versions', version, 'a base-path version is "v" followed by a number without leading zeros', 'use "v1", "v2", ...');
      }
    }
    if (new Set(versions).size !== versions.length) {
      invalidProp(this, 'versions', props.versions, 'each version may be mapped only once', 'remove the duplicates');
    }

    this.domainName = new apigw.DomainName(this, 'Resource', {
      domainName: props.domainName,
      certificate: props.certificate,
      endpointType: apigw.EndpointType.REGIONAL,
      securityPolicy,
      mtls: { bucket: props.truststore.bucket, key: props.truststore.objectKey, version: props.truststore.version },
    });
    const cfnDomain = this.domainName.node.defaultChild as apigw.CfnDomainName;
    // The truststore object must exist before API Gateway validates it (aws-cdk#30859).
    cfnDomain.node.addDependency(props.truststore.resource);
    if (props.ownershipVerificationCertificate) {
      // Not exposed by the L2.
      cfnDomain.ownershipVerificationCertificateArn = props.ownershipVerificationCertificate.certificateArn;
    }

    this.regionalDomainName = this.domainName.domainNameAliasDomainName;
    this.regionalHostedZoneId = this.domainName.domainNameAliasHostedZoneId;
    if (props.hostedZone) {
      this.record = new route53.ARecord(this, 'AliasRecord', {
        zone: props.hostedZone,
        recordName: props.domainName,
        target: route53.RecordTarget.fromAlias(new route53Targets.ApiGatewayDomain(this.domainName)),
      });
    }

    (props.restApi.node.defaultChild as apigw.CfnRestApi).disableExecuteApiEndpoint = true;
    if (!props.versions) {
      // The API carries its versions as resource paths (/v1/..., /v2/...), so one root mapping passes them through.
      this.mappings[''] = new apigw.BasePathMapping(this, 'Mapping', { domainName: this.domainName, restApi: props.restApi, stage: props.stage });
    }
    for (const version of versions) {
      this.mappings[version] = new apigw.BasePathMapping(this, `Mapping${version.toUpperCase()}`, {
        domainName: this.domainName,
        restApi: props.restApi,
        stage: props.stage,
        basePath: version,
      });
    }
  }
}
