import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { describe, expect, it } from 'vitest';
import { MethodAuthorizedWithScopes } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

function methodIn(props: Partial<apigw.CfnMethodProps>) {
  const stack = newStack();
  new apigw.CfnMethod(stack, 'Method', { restApiId: 'api123', resourceId: 'res123', httpMethod: 'GET', ...props });
  return stack;
}

describe('Platform-MethodAuthorizedWithScopes', () => {
  it('accepts a Cognito-authorized method with a scope, and a CUSTOM-authorized one', () => {
    expect(
      ruleViolations(
        MethodAuthorizedWithScopes,
        methodIn({ authorizationType: 'COGNITO_USER_POOLS', authorizerId: 'auth1', authorizationScopes: ['orders/read'] }),
      ),
    ).toEqual([]);
    expect(ruleViolations(MethodAuthorizedWithScopes, methodIn({ authorizationType: 'CUSTOM', authorizerId: 'auth1' }))).toEqual([]);
  });

  it('ignores CORS preflight (OPTIONS)', () => {
    expect(ruleViolations(MethodAuthorizedWithScopes, methodIn({ httpMethod: 'OPTIONS', authorizationType: 'NONE' }))).toEqual([]);
  });

  it('flags a Cognito-authorized method without scopes (any token of the pool passes)', () => {
    expect(ruleViolations(MethodAuthorizedWithScopes, methodIn({ authorizationType: 'COGNITO_USER_POOLS', authorizerId: 'auth1' }))).toEqual([
      'TestStack/Method',
    ]);
  });

  it('flags an unauthorized method and an IAM-only one', () => {
    expect(ruleViolations(MethodAuthorizedWithScopes, methodIn({ authorizationType: 'NONE' }))).toEqual(['TestStack/Method']);
    expect(ruleViolations(MethodAuthorizedWithScopes, methodIn({ authorizationType: 'AWS_IAM' }))).toEqual(['TestStack/Method']);
  });
});
