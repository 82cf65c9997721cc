import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { describe, expect, it } from 'vitest';
import { UsagePlanThrottleAndQuota } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

function planIn(props: apigw.CfnUsagePlanProps) {
  const stack = newStack();
  new apigw.CfnUsagePlan(stack, 'Plan', props);
  return stack;
}

describe('Platform-UsagePlanThrottleAndQuota', () => {
  it('accepts a plan with throttle and quota', () => {
    expect(
      ruleViolations(UsagePlanThrottleAndQuota, planIn({ throttle: { rateLimit: 10, burstLimit: 20 }, quota: { limit: 1000, period: 'DAY' } })),
    ).toEqual([]);
  });

  it('flags a plan without a quota', () => {
    expect(ruleViolations(UsagePlanThrottleAndQuota, planIn({ throttle: { rateLimit: 10, burstLimit: 20 } }))).toEqual(['TestStack/Plan']);
  });

  it('flags a plan whose throttle lacks a burst limit', () => {
    expect(ruleViolations(UsagePlanThrottleAndQuota, planIn({ throttle: { rateLimit: 10 }, quota: { limit: 1000, period: 'DAY' } }))).toEqual([
      'TestStack/Plan',
    ]);
  });
});
