import { describe, expect, it } from 'vitest';
import { WebAclHasRateRule } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';
import { webAclIn } from '../../support/web-acl';

describe('Platform-WebAclHasRateRule', () => {
  it('accepts a web ACL with a blocking rate-based rule', () => {
    const stack = newStack();
    webAclIn(stack, 'block');
    expect(ruleViolations(WebAclHasRateRule, stack)).toEqual([]);
  });

  it('flags a web ACL without a rate-based rule', () => {
    const stack = newStack();
    webAclIn(stack, 'none');
    expect(ruleViolations(WebAclHasRateRule, stack)).toEqual(['TestStack/Acl']);
  });

  it('flags a rate-based rule that only counts', () => {
    const stack = newStack();
    webAclIn(stack, 'count');
    expect(ruleViolations(WebAclHasRateRule, stack)).toEqual(['TestStack/Acl']);
  });
});
