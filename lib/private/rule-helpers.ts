import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * CloudFormation JSON as synthesized (a resource's Properties, a policy statement): no static type exists for it, so
 * code that reads it checks the shape as it goes (asArray, optional chaining, comparisons with literals).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the one place the untyped template JSON is named; see above
export type CfnJson = Record<string, any>;

/**
 * Memory of one validation pass (see `withRulePass`): the constructs below a scope and the resolved properties of a
 * resource, which several rules read for every resource they check. Outside a pass nothing is remembered, so a rule
 * called directly sees the tree as it is now.
 */
interface RulePass {
  readonly constructs: WeakMap<IConstruct, IConstruct[]>;
  readonly properties: WeakMap<CfnResource, CfnJson>;
}
let rulePass: RulePass | undefined;

/**
 * Runs `fn` (a pack's walk over a finished construct tree) remembering `allConstructs` and `resolvedProperties`, so
 * rules that look across the app for every resource cost one walk per pass instead of one per resource (a
 * 300-service app has ~20,000 constructs).
 */
export function withRulePass<T>(fn: () => T): T {
  const outer = rulePass;
  rulePass = outer ?? { constructs: new WeakMap(), properties: new WeakMap() };
  try {
    return fn();
  } finally {
    rulePass = outer;
  }
}

/** `scope.node.findAll()`, walked once per rule pass. */
export function allConstructs(scope: IConstruct): IConstruct[] {
  if (!rulePass) return scope.node.findAll();
  let found = rulePass.constructs.get(scope);
  if (!found) {
    found = scope.node.findAll();
    rulePass.constructs.set(scope, found);
  }
  return found;
}

/** The resolved CloudFormation `Properties` of a resource, as they will appear in the template. */
export function resolvedProperties(node: CfnResource): CfnJson {
  const remembered = rulePass?.properties.get(node);
  if (remembered) return remembered;
  // _toCloudFormation renders the resource exactly as the template will carry it (overrides included).
  const rendered = (node as unknown as { _toCloudFormation(): { Resources: Record<string, { Properties?: CfnJson }> } })._toCloudFormation();
  const resolved = Stack.of(node).resolve(rendered) as { Resources: Record<string, { Properties?: CfnJson }> };
  const [resource] = Object.values(resolved.Resources);
  const properties = resource?.Properties ?? {};
  // Shared by every rule of the pass: frozen, so a rule cannot change what the next one reads.
  if (rulePass) rulePass.properties.set(node, deepFreeze(properties));
  return properties;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
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
