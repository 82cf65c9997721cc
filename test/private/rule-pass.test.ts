import { CfnResource, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { allConstructs, resolvedProperties, withRulePass } from '../../lib/private/rule-helpers';
import { newStack } from '../support/harness';

describe('rule pass memory (allConstructs, resolvedProperties)', () => {
  const queueIn = (stack: Stack, id: string) => new sqs.CfnQueue(stack, id, { queueName: id });

  it('outside a pass, every call sees the tree as it is now', () => {
    const stack = newStack();
    queueIn(stack, 'A');
    const before = allConstructs(stack).length;
    queueIn(stack, 'B');
    expect(allConstructs(stack).length).toBe(before + 1);
  });

  it('within a pass, the tree is walked once per scope and resolved properties are shared, frozen', () => {
    const stack = newStack();
    const a = queueIn(stack, 'A');
    withRulePass(() => {
      const first = allConstructs(stack);
      expect(allConstructs(stack)).toBe(first);
      const props = resolvedProperties(a as CfnResource);
      expect(props).toEqual({ QueueName: 'A' });
      expect(resolvedProperties(a as CfnResource)).toBe(props);
      expect(Object.isFrozen(props)).toBe(true);
      // Nested passes share the outer one.
      withRulePass(() => expect(allConstructs(stack)).toBe(first));
    });
    // After the pass, nothing is remembered.
    queueIn(stack, 'B');
    expect(allConstructs(stack).some((c) => c.node.id === 'B')).toBe(true);
    expect(Object.isFrozen(resolvedProperties(queueIn(stack, 'C')))).toBe(false);
  });
});
