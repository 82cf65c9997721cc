import { Stack } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import { describe, expect, test } from 'vitest';
import { PrivateCaRevocationEnabled } from '../../../lib/checks/rules/pki/PrivateCaRevocationEnabled';
import { PlatformRule } from '../../../lib/checks/rule';
import { ruleViolations } from '../../support/checks';
import { newStack } from '../../support/harness';

const violations = (stack: Stack, rule: PlatformRule) => ruleViolations(rule, stack);

describe('Platform-PrivateCaRevocationEnabled', () => {
  function ca(revocationConfiguration?: acmpca.CfnCertificateAuthority.RevocationConfigurationProperty): Stack {
    const stack = newStack();
    new acmpca.CfnCertificateAuthority(stack, 'Ca', {
      type: 'ROOT',
      keyAlgorithm: 'EC_prime256v1',
      signingAlgorithm: 'SHA256WITHECDSA',
      subject: { commonName: 'Root' },
      revocationConfiguration,
    });
    return stack;
  }

  test('compliant: CRL enabled, or OCSP enabled', () => {
    expect(violations(ca({ crlConfiguration: { enabled: true, s3BucketName: 'crl' } }), PrivateCaRevocationEnabled)).toEqual([]);
    expect(violations(ca({ ocspConfiguration: { enabled: true } }), PrivateCaRevocationEnabled)).toEqual([]);
  });

  test('non-compliant: no revocation configuration, or both disabled', () => {
    expect(violations(ca(), PrivateCaRevocationEnabled)).toEqual(['TestStack/Ca']);
    expect(violations(ca({ crlConfiguration: { enabled: false }, ocspConfiguration: { enabled: false } }), PrivateCaRevocationEnabled)).toEqual([
      'TestStack/Ca',
    ]);
  });
});
