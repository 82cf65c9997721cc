import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ApiFirewall, ApiFirewallProps } from '../../lib/api/api-firewall';
import { SecureApi, SecureApiProps, securityHeaderResponseParameters, securityHeadersMethodResponse } from '../../lib/api/secure-api';
import { PlatformKeys } from '../../lib/encryption/platform-keys';
import { newStack } from '../support/harness';

/** A mock backend answering 200 with the security headers (non-proxy integrations must set them). */
export function mockIntegration(): apigw.MockIntegration {
  return new apigw.MockIntegration({
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    integrationResponses: [
      { statusCode: '200', responseParameters: securityHeaderResponseParameters(), responseTemplates: { 'application/json': '{"ok": true}' } },
    ],
  });
}

export const OK_RESPONSE: apigw.MethodResponse = securityHeadersMethodResponse();

/** A stack with platform keys and an imported user pool, ready for a SecureApi. */
export function apiStack(props: Partial<SecureApiProps> = {}, stack: Stack = newStack()) {
  const keys = new PlatformKeys(stack, 'Keys');
  const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_Example1');
  const api = new SecureApi(stack, 'Api', { userPool, logsKey: keys.logsKey, alarmTopicKey: keys.dataKey, ...props });
  return { stack, keys, api };
}

/** Every option of ApiFirewall set, so one synth (and one cfn-lint run) covers IP sets, geo rules and Bot Control. */
export const FULL_FIREWALL_PROPS: Partial<ApiFirewallProps> = {
  webAclName: 'platform-api',
  rateLimitPerIp: 500,
  rateLimitWindow: Duration.minutes(1),
  maxBodyBytes: 4096,
  enableBotControl: true,
  allowedIpv4Cidrs: ['203.0.113.0/24'],
  blockedIpv4Cidrs: ['198.51.100.7/32'],
  allowedCountries: ['DE', 'FR'],
  blockedCountries: ['KP'],
  logRetention: Duration.days(90),
};

export function firewallIn(stack: Stack, keys: PlatformKeys, props: Partial<ApiFirewallProps> = {}) {
  return new ApiFirewall(stack, 'Firewall', { logsKey: keys.logsKey, ...props });
}
