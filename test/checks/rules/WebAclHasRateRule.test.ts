import { describe, expect, it } from 'vitest';
import { WebAclHasRateRule } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { flaggedBy } from '../../support/rules';
import { webAclIn } from '../../support/web-acl';

describe('Platform-WebAclHasRateRule', () => {
  it('accepts a web ACL with a blocking rate-based rule', () => {
    const stack = newStack();
    webAclIn(stack, 'block');
    expect(flaggedBy(WebAclHasRateRule, stack)).toEqual([]);
  });

  it('flags a web ACL without a rate-based rule', () => {
    const stack = newStack();
    webAclIn(stack, 'none');
    expect(flaggedBy(WebAclHasRateRule, stack)).toEqual(['TestStack/Acl']);
  });

  it('flags a rate-based rule that only counts', () => {
    const stack = newStack();
    webAclIn(stack, 'count');
    expect(flaggedBy(WebAclHasRateRule, stack)).toEqual(['TestStack/Acl']);
  });
});
