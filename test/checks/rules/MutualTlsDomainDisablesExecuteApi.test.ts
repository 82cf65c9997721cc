import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { describe, expect, test } from 'vitest';
import { MutualTlsDomainDisablesExecuteApi } from '../../../lib/checks/rules/pki/MutualTlsDomainDisablesExecuteApi';
import { PlatformRule } from '../../../lib/checks/rule';
import { ruleViolations } from '../../support/checks';
import { newStack } from '../../support/harness';

const violations = (stack: Stack, rule: PlatformRule) => ruleViolations(rule, stack);

describe('Platform-MutualTlsDomainDisablesExecuteApi', () => {
  function apiBehindDomain(options: { mtls: boolean; disable?: boolean; byName?: boolean }): Stack {
    const stack = newStack();
    const api = new apigw.CfnRestApi(stack, 'Api', { name: 'orders', disableExecuteApiEndpoint: options.disable });
    const domain = new apigw.CfnDomainName(stack, 'Domain', {
      domainName: 'api.example.com',
      regionalCertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/x',
      endpointConfiguration: { types: ['REGIONAL'] },
      securityPolicy: 'TLS_1_2',
      mutualTlsAuthentication: options.mtls ? { truststoreUri: 's3://trust/truststore.pem', truststoreVersion: 'v1' } : undefined,
    });
    new apigw.CfnBasePathMapping(stack, 'Mapping', {
      domainName: options.byName ? 'api.example.com' : domain.ref,
      restApiId: api.ref,
      basePath: 'v1',
      stage: 'prod',
    });
    new apigw.CfnRestApi(stack, 'Unrelated', { name: 'other' });
    return stack;
  }

  test('compliant: the mapped API disables its execute-api endpoint', () => {
    expect(violations(apiBehindDomain({ mtls: true, disable: true }), MutualTlsDomainDisablesExecuteApi)).toEqual([]);
  });

  test('non-compliant: the mapped API keeps execute-api on (domain by reference or by name); unmapped APIs are not flagged', () => {
    expect(violations(apiBehindDomain({ mtls: true }), MutualTlsDomainDisablesExecuteApi)).toEqual(['TestStack/Api']);
    expect(violations(apiBehindDomain({ mtls: true, byName: true }), MutualTlsDomainDisablesExecuteApi)).toEqual(['TestStack/Api']);
  });

  test('not applicable without mutual TLS on the domain', () => {
    expect(violations(apiBehindDomain({ mtls: false }), MutualTlsDomainDisablesExecuteApi)).toEqual([]);
  });
});
