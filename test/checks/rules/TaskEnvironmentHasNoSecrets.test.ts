import * as ecs from 'aws-cdk-lib/aws-ecs';
import { describe, expect, it } from 'vitest';
import { PlatformChecks } from '../../../lib/checks/platform-checks';
import { TaskEnvironmentHasNoSecrets } from '../../../lib/checks/rules';
import { secretLikeValue } from '../../../lib/private/secret-values';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

const CREDENTIALS = [
  'postgres://orders:hunter2@db.internal:5432/orders',
  'sk_live_51HqLyjWDarjtT1zdp7dc0a',
  'AKIAIOSFODNN7EXAMPLE',
  'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  'xoxb-123456789012-abcdefghijkl',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  '-----BEGIN RSA PRIVATE KEY-----\nMIIE',
];
const CONFIGURATION = [
  'https://api.example.com/v1/orders',
  'eu-west-1',
  'INFO',
  'arn:aws:sns:eu-west-1:111122223333:alerts',
  '0123456789abcdef0123456789abcdef01234567',
  '550e8400-e29b-41d4-a716-446655440000',
];

describe('credential-looking values', () => {
  it.each(CREDENTIALS)('recognizes %s', (value) => expect(secretLikeValue(value)).toBeDefined());
  it.each(CONFIGURATION)('leaves configuration alone: %s', (value) => expect(secretLikeValue(value)).toBeUndefined());
});

describe('Platform-TaskEnvironmentHasNoSecrets', () => {
  it('accepts plain configuration values', () => {
    const stack = newStack();
    new ecs.FargateTaskDefinition(stack, 'Task').addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('x'),
      environment: Object.fromEntries(CONFIGURATION.map((v, i) => [`VAR${i}`, v])),
    });
    expect(ruleViolations(TaskEnvironmentHasNoSecrets, stack)).toEqual([]);
  });

  it('reports each variable holding a credential, with container and name in the finding id', () => {
    const stack = newStack();
    new ecs.FargateTaskDefinition(stack, 'Task').addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('x'),
      environment: { DATABASE_URL: CREDENTIALS[0], LOG_LEVEL: 'INFO', BILLING: CREDENTIALS[1] },
    });
    expect(ruleViolations(TaskEnvironmentHasNoSecrets, stack)).toEqual(['TestStack/Task/Resource', 'TestStack/Task/Resource']);
    const ids = new PlatformChecks(undefined, { rules: [TaskEnvironmentHasNoSecrets] })
      .validateScope(stack)
      .violations.map((v) => v.ruleName)
      .sort();
    expect(ids).toEqual(['Platform-TaskEnvironmentHasNoSecrets[app.BILLING]', 'Platform-TaskEnvironmentHasNoSecrets[app.DATABASE_URL]']);
  });
});
