import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, resolvedProperties, CfnJson } from '../../../private/rule-helpers';
import { secretLikeValue } from '../../../private/secret-values';
import { PlatformRule } from '../../rule';

/**
 * No container environment value of an ECS task definition looks like a credential: a URL with user:password, a
 * well-known key format (sk_live_, AKIA, ghp_, xox…, private keys, JWTs) or a long high-entropy string. One finding
 * per variable: `Platform-TaskEnvironmentHasNoSecrets[<container>.<NAME>]`.
 */
export const TaskEnvironmentHasNoSecrets: PlatformRule = {
  id: 'TaskEnvironmentHasNoSecrets',
  info: 'A container environment variable holds a value that looks like a credential (URL with password, API key, token, private key or long random string).',
  explanation:
    'Plain environment values are stored in the task definition: anyone who can describe task definitions, read the template or the console sees them, and they never rotate. Put credentials in Secrets Manager or SSM and pass them through `secrets` (ecs.Secret.fromSecretsManager / fromSsmParameter), which injects them at start.',
  practices: ['P3', 'P13'],
  check(node: CfnResource): NagRuleResult {
    if (node.cfnResourceType !== 'AWS::ECS::TaskDefinition') return NagRuleCompliance.NOT_APPLICABLE;
    const findings = asArray<CfnJson>(resolvedProperties(node).ContainerDefinitions).flatMap((c) =>
      asArray<CfnJson>(c.Environment)
        .filter((e) => typeof e.Value === 'string' && secretLikeValue(e.Value) !== undefined)
        .map((e) => `${c.Name}.${e.Name}`),
    );
    return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
  },
};
