import { CfnResource, Stack } from 'aws-cdk-lib';

/**
 * CloudFormation JSON as synthesized (a resource's Properties, a policy statement): no static type exists for it, so
 * code that reads it checks the shape as it goes (asArray, optional chaining, comparisons with literals).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the one place the untyped template JSON is named; see above
export type CfnJson = Record<string, any>;

/** The resolved CloudFormation `Properties` of a resource, as they will appear in the template. */
export function resolvedProperties(node: CfnResource): CfnJson {
  // _toCloudFormation renders the resource exactly as the template will carry it (overrides included).
  const rendered = (node as unknown as { _toCloudFormation(): { Resources: Record<string, { Properties?: CfnJson }> } })._toCloudFormation();
  const resolved = Stack.of(node).resolve(rendered) as { Resources: Record<string, { Properties?: CfnJson }> };
  const [resource] = Object.values(resolved.Resources);
  return resource?.Properties ?? {};
}

/** Wraps a value that CloudFormation allows as a single item or a list into a list. */
export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** True when a policy statement's Principal is everyone (`"*"` or `{ AWS: "*" }`). */
export function isAnyPrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object') {
    return asArray((principal as Record<string, unknown>).AWS).includes('*');
  }
  return false;
}
