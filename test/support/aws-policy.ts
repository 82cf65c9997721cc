import { CfnJson } from '../../lib/private/rule-helpers';

/**
 * A small test double of IAM policy evaluation, for the deploy-time behaviours synth checks cannot see: it evaluates
 * statements of a synthesized template (intrinsics resolved for one account and region) against one request, the way
 * AWS does for the parts the platform relies on. Explicit Deny wins, then any Allow, else implicit deny. A condition
 * on a key the request does not carry is false (so an S3 gateway endpoint, which does not evaluate
 * `aws:PrincipalAccount`, denies a statement that requires it). `*` in actions and resources matches any characters,
 * `/` included.
 */
export interface PolicyRequest {
  readonly action: string;
  readonly resource: string;
  /** `*` for any principal, or `{ Service: 'cloudwatch.amazonaws.com' }`, or `{ AWS: 'arn:…' }`. */
  readonly principal?: { readonly Service?: string; readonly AWS?: string };
  /** Condition keys the evaluating service supplies with the request. */
  readonly context: Readonly<Record<string, string>>;
}

export interface PseudoParameters {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** Resolves Ref (pseudo parameters and the given logical ids) and Fn::Join in a template value. */
export function resolveIntrinsics(value: unknown, pseudo: PseudoParameters, refs: Readonly<Record<string, string>> = {}): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, pseudo, refs));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if ('Ref' in obj) {
    const name = obj.Ref as string;
    const known: Record<string, string> = {
      'AWS::AccountId': pseudo.account,
      'AWS::Region': pseudo.region,
      'AWS::Partition': pseudo.partition,
      'AWS::URLSuffix': 'amazonaws.com',
      ...refs,
    };
    if (!(name in known)) throw new Error(`unresolved Ref ${name}`);
    return known[name];
  }
  if ('Fn::Join' in obj) {
    const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveIntrinsics(p, pseudo, refs)).join(sep);
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveIntrinsics(v, pseudo, refs)]));
}

/** Evaluates resolved policy statements for one request. */
export function evaluate(statements: readonly CfnJson[], request: PolicyRequest): Decision {
  const matching = statements.filter(
    (s) =>
      principalMatches(s.Principal, request.principal) &&
      asArray(s.Action).some((a) => wildcard(a, request.action)) &&
      (s.Resource === undefined || asArray(s.Resource).some((r) => wildcard(r, request.resource))) &&
      conditionsHold(s.Condition, request.context),
  );
  if (matching.some((s) => s.Effect === 'Deny')) return 'ExplicitDeny';
  return matching.some((s) => s.Effect === 'Allow') ? 'Allow' : 'ImplicitDeny';
}

function principalMatches(statementPrincipal: unknown, requestPrincipal: PolicyRequest['principal']): boolean {
  if (statementPrincipal === undefined) return true; // identity-based policy
  if (statementPrincipal === '*') return true;
  const p = statementPrincipal as Record<string, unknown>;
  if (asArray(p.AWS).includes('*')) return true;
  if (requestPrincipal?.Service && asArray(p.Service).includes(requestPrincipal.Service)) return true;
  return !!requestPrincipal?.AWS && asArray(p.AWS).includes(requestPrincipal.AWS);
}

function conditionsHold(condition: Record<string, Record<string, unknown>> | undefined, context: Readonly<Record<string, string>>): boolean {
  return Object.entries(condition ?? {}).every(([operator, byKey]) =>
    Object.entries(byKey).every(([key, expected]) => {
      const actual = context[key];
      if (actual === undefined) return false;
      const values = asArray(expected).map(String);
      switch (operator) {
        case 'StringEquals':
        case 'Bool':
          return values.includes(actual);
        case 'StringLike':
        case 'ArnLike':
          return values.some((v) => wildcard(v, actual));
        default:
          throw new Error(`condition operator ${operator} is not modelled`);
      }
    }),
  );
}

function wildcard(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}

function asArray(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as string[];
}
