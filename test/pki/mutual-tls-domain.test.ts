import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import { MutualTlsDomain, MutualTlsDomainProps } from '../../lib/pki/mutual-tls-domain';
import { newStack } from '../support/harness';
import { apiFixture, pkiFixture } from './fixtures';

const CERT_ARN = 'arn:aws:acm:eu-west-1:111111111111:certificate/server';
const OWNERSHIP_ARN = 'arn:aws:acm:eu-west-1:111111111111:certificate/ownership';

/** A stack with CA, truststore and API, and the props of a valid domain on them. */
function fixture() {
  const stack = newStack();
  const { key, truststore } = pkiFixture(stack);
  const { restApi, stage } = apiFixture(stack, key);
  const props: MutualTlsDomainProps = {
    restApi,
    stage,
    truststore,
    versions: ['v1', 'v2'],
    domainName: 'api.example.com',
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN),
  };
  return { stack, props };
}

describe('MutualTlsDomain (template)', () => {
  let template: Template;
  beforeAll(() => {
    const { stack, props } = fixture();
    new MutualTlsDomain(stack, 'Domain', { ...props, ownershipVerificationCertificate: { certificateArn: OWNERSHIP_ARN } as acm.ICertificate });
    template = Template.fromStack(stack);
  });

  test('regional domain, TLS 1.2, mTLS from the truststore, DependsOn the truststore, ownership verification certificate', () => {
    template.hasResource('AWS::ApiGateway::DomainName', {
      Properties: {
        DomainName: 'api.example.com',
        EndpointConfiguration: { Types: ['REGIONAL'] },
        RegionalCertificateArn: CERT_ARN,
        SecurityPolicy: 'TLS_1_2',
        OwnershipVerificationCertificateArn: OWNERSHIP_ARN,
        MutualTlsAuthentication: {
          TruststoreUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('TruststoreBucket') }, '/truststore.pem']] },
          TruststoreVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Truststore'), 'VersionId'] },
        },
      },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^Truststore[0-9A-F]{8}$')]),
    });
  });

  test('one base-path mapping per version to the stage; the execute-api endpoint is disabled', () => {
    const t = template;
    for (const version of ['v1', 'v2']) {
      t.hasResourceProperties('AWS::ApiGateway::BasePathMapping', {
        BasePath: version,
        Stage: { Ref: Match.stringLikeRegexp('Stage') },
        RestApiId: { Ref: Match.stringLikeRegexp('^Api') },
      });
    }
    t.resourceCountIs('AWS::ApiGateway::BasePathMapping', 2);
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
  });
});

describe('MutualTlsDomain without versions (the API carries /v1, /v2 as resource paths)', () => {
  test('maps the root base path once, so /v1/... and /v2/... pass through; execute-api stays disabled', () => {
    const { stack, props } = fixture();
    new MutualTlsDomain(stack, 'Domain', { ...props, versions: undefined });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    const [mapping] = Object.values(template.findResources('AWS::ApiGateway::BasePathMapping'));
    expect(mapping.Properties.BasePath).toBeUndefined();
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
  });
});

describe('MutualTlsDomain DNS', () => {
  test('with hostedZone: an alias A record to the regional endpoint; regionalDomainName/HostedZoneId are its targets', () => {
    const { stack, props } = fixture();
    const zone = route53.PublicHostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const domain = new MutualTlsDomain(stack, 'Domain', { ...props, hostedZone: zone });
    const template = Template.fromStack(stack);
    const domainId = stack.getLogicalId(domain.domainName.node.defaultChild as apigw.CfnDomainName);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
      },
    });
    expect(stack.resolve(domain.regionalDomainName)).toEqual({ 'Fn::GetAtt': [domainId, 'RegionalDomainName'] });
  });
});

describe('MutualTlsDomain rejects bad input with prop, value and fix', () => {
  let shared: ReturnType<typeof fixture>;
  let n = 0;
  beforeAll(() => {
    shared = fixture();
  });
  test.each<[string, Partial<MutualTlsDomainProps>, RegExp]>([
    ['version without v', { versions: ['1'] }, /invalid versions \(received "1"\).*Fix: use "v1"/],
    ['version with leading zero', { versions: ['v01'] }, /invalid versions \(received "v01"\)/],
    ['version with a slash', { versions: ['v1/beta'] }, /invalid versions \(received "v1\/beta"\)/],
    ['duplicate versions', { versions: ['v1', 'v1'] }, /invalid versions.*only once/],
    ['no versions', { versions: [] }, /invalid versions \(received \[\]\)/],
    ['domain with a scheme', { domainName: 'https://api.example.com' }, /invalid domainName \(received "https:\/\/api.example.com"\).*Fix:/],
    ['single-label domain', { domainName: 'localhost' }, /invalid domainName/],
    ['upper-case domain', { domainName: 'API.example.com' }, /invalid domainName/],
    ['TLS 1.0 requested', { securityPolicy: apigw.SecurityPolicy.TLS_1_0 }, /invalid securityPolicy \(received "TLS_1_0"\).*TLS 1.2 or stricter/],
    ['edge-only policy', { securityPolicy: apigw.SecurityPolicy.TLS12_2018_EDGE }, /invalid securityPolicy/],
    [
      'TLS 1.3 policy without mTLS support',
      { securityPolicy: apigw.SecurityPolicy.TLS13_1_3_2025_09 },
      /invalid securityPolicy.*do not support mutual TLS/,
    ],
  ])('%s', (_name, props, message) => {
    expect(() => new MutualTlsDomain(shared.stack, `Bad${n++}`, { ...shared.props, ...props })).toThrow(message);
  });
});
