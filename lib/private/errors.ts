import { ValidationError } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Throws a ValidationError that names the prop, the value received and how to fix it, so the
 * synth output tells the user exactly what to change.
 */
export function invalidProp(scope: IConstruct, prop: string, value: unknown, problem: string, fix: string): never {
  throw new ValidationError(
    // aws-cdk-lib brands error names as literal strings; ours is one.
    'InvalidPlatformProp' as ConstructorParameters<typeof ValidationError>[0],
    `${scope.node.path}: invalid ${prop} (received ${describe(value)}): ${problem}. Fix: ${fix}`,
    scope,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
