import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { describe, expect, it } from 'vitest';
import { WafLoggingRedactsAuthorization } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

function loggingIn(redactedFields?: wafv2.CfnLoggingConfiguration.FieldToMatchProperty[]) {
  const stack = newStack();
  new wafv2.CfnLoggingConfiguration(stack, 'Logging', {
    resourceArn: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/acl/1234',
    logDestinationConfigs: ['arn:aws:logs:eu-west-1:111111111111:log-group:aws-waf-logs-acl'],
    redactedFields,
  });
  return stack;
}

describe('Platform-WafLoggingRedactsAuthorization', () => {
  it('accepts redaction of the Authorization header, in any case', () => {
    expect(ruleViolations(WafLoggingRedactsAuthorization, loggingIn([{ singleHeader: { Name: 'Authorization' } }]))).toEqual([]);
  });

  it('flags logging without redaction', () => {
    expect(ruleViolations(WafLoggingRedactsAuthorization, loggingIn())).toEqual(['TestStack/Logging']);
  });

  it('flags logging that redacts other headers only', () => {
    expect(ruleViolations(WafLoggingRedactsAuthorization, loggingIn([{ singleHeader: { Name: 'x-api-key' } }, { uriPath: {} }]))).toEqual([
      'TestStack/Logging',
    ]);
  });
});
