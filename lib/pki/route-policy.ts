import { HTTP_METHODS, HttpMethod, parseRouteKey } from '../api/route-key';
import type { RouteScopes } from './route-map';

/**
 * Route-exact policies for the mTLS authorizer (no CDK imports: the Lambda bundle and the construct share it).
 *
 * API Gateway caches the authorizer's policy per identity (token + certificate serial) and evaluates it against the
 * method ARN of every later request, whatever its route. In an execute-api ARN, `*` matches any characters including
 * `/` (and `?` any one character), so `GET/v1/orders/*` also matches `GET/v1/orders/42/audit`. The policy therefore
 * lists the routes the token's scopes permit (Allow) and every other route that one of those patterns reaches (Deny,
 * which wins). `conflicts()` finds the route tables where that Deny would also hit a permitted route; the construct
 * refuses them while decisions are cached.
 */

type Segment = { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'param' } | { readonly kind: 'proxy' };

/** One route of the map: its method, path segments, scopes and the ARN path pattern that covers it. */
export interface ParsedRoute {
  /** `"<METHOD> <resource path>"` as in the route map. */
  readonly key: string;
  readonly method: HttpMethod;
  readonly segments: readonly Segment[];
  readonly scopes: readonly string[];
  /** ARN path pattern (no leading `/`): literal segments, `?*` (one or more characters) for `{param}` and `{proxy+}`. */
  readonly pattern: string;
}

/** An execute-api policy: Allow and Deny resources (Deny wins). */
export interface RoutePolicy {
  readonly allow: string[];
  readonly deny: string[];
}

/** A pair of routes a cached decision cannot separate for some scope set (see `RouteTable.conflicts`). */
export interface RouteConflict {
  /** The route that must be denied; its pattern also matches `hidden`. */
  readonly denied: ParsedRoute;
  /** A permitted route whose requests the Deny of `denied` would refuse. */
  readonly hidden: ParsedRoute;
  /** A permitted route whose Allow reaches requests of `denied`, so the Deny is needed. */
  readonly reaching: ParsedRoute;
}

export function parseRoute(key: string, scopes: readonly string[]): ParsedRoute {
  const { method, path } = parseRouteKey(key) ?? {};
  if (!method || path === undefined)
    throw new Error(`invalid route "${key}": expected "<METHOD> /<path>" with a method of ${HTTP_METHODS.join(', ')}`);
  const segments: Segment[] = path
    .split('/')
    .slice(1)
    .filter((s, i, all) => !(s === '' && i === all.length - 1))
    .map((s) => {
      if (/^\{[^{}]+\+\}$/.test(s)) return { kind: 'proxy' as const };
      if (/^\{[^{}]+\}$/.test(s)) return { kind: 'param' as const };
      if (/[*?{}]/.test(s) || s === '') throw new Error(`invalid route "${key}": segment "${s}" is neither a name nor a {parameter}`);
      return { kind: 'literal' as const, value: s };
    });
  const pattern = segments.map((s) => (s.kind === 'literal' ? s.value : '?*')).join('/');
  return { key, method, segments, scopes, pattern };
}

/** `arn:…:<apiId>/<stage>` of a request's method ARN (`arn:…:<apiId>/<stage>/<METHOD>/<path>`). */
export function apiStageArn(methodArn: string): string {
  const [api, stage] = methodArn.split('/');
  if (!api || !stage) throw new Error(`not an execute-api method ARN: ${methodArn}`);
  return `${api}/${stage}`;
}

/** The method ARN pattern of a route under `arn:…:<apiId>/<stage>`. */
export function routeArn(apiStage: string, route: ParsedRoute): string {
  return `${apiStage}/${route.method}/${route.pattern}`;
}

/**
 * Whether `arn` matches an execute-api resource pattern, as API Gateway evaluates an authorizer's policy:
 * `*` any run of characters (including `/`), `?` exactly one character, everything else literally.
 */
export function arnMatches(pattern: string, arn: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(arn);
}

/** Whether a policy allows `arn`: some Allow matches and no Deny does. */
export function policyAllows(policy: RoutePolicy, arn: string): boolean {
  return policy.allow.some((p) => arnMatches(p, arn)) && !policy.deny.some((p) => arnMatches(p, arn));
}

/** The route map with the overlap relation between routes, computed once and memoized. */
export class RouteTable {
  public readonly routes: readonly ParsedRoute[];
  private readonly reachCache = new Map<string, boolean>();

  constructor(routeScopes: RouteScopes) {
    this.routes = Object.entries(routeScopes).map(([key, scopes]) => parseRoute(key, scopes));
  }

  public get(key: string): ParsedRoute | undefined {
    return this.routes.find((r) => r.key === key);
  }

  /** Whether a token with `granted` scopes may call `route` (any one of the route's scopes). */
  public static permits(route: ParsedRoute, granted: ReadonlySet<string>): boolean {
    return route.scopes.some((s) => granted.has(s));
  }

  /**
   * The policy for a token with `granted` scopes: Allow every permitted route, Deny every other route whose requests
   * an Allow pattern would also match.
   */
  public policy(apiStage: string, granted: ReadonlySet<string>): RoutePolicy {
    const permitted = this.routes.filter((r) => RouteTable.permits(r, granted));
    const denied = this.routes.filter((r) => !RouteTable.permits(r, granted) && permitted.some((a) => this.reaches(a, r)));
    return { allow: permitted.map((r) => routeArn(apiStage, r)), deny: denied.map((r) => routeArn(apiStage, r)) };
  }

  /**
   * Triples (denied, hidden, reaching) for which some scope set permits `hidden` and `reaching` but not `denied`, while
   * `reaching`'s pattern matches requests of `denied` (so it must be denied) and `denied`'s pattern matches requests
   * of `hidden` (so the Deny refuses a permitted request). Without such a triple every policy is exact.
   */
  public conflicts(): RouteConflict[] {
    const found: RouteConflict[] = [];
    const escapes = (route: ParsedRoute, of: ParsedRoute) => route.scopes.some((s) => !of.scopes.includes(s));
    for (const denied of this.routes) {
      // A literal route's one path resolves to it: API Gateway prefers a literal resource over a {parameter}.
      if (denied.segments.every((s) => s.kind === 'literal')) continue;
      const hidden = this.routes.find((q) => q !== denied && escapes(q, denied) && this.reaches(denied, q));
      if (!hidden) continue;
      const reaching = this.routes.find((a) => a !== denied && escapes(a, denied) && this.reaches(a, denied));
      if (reaching) found.push({ denied, hidden, reaching });
    }
    return found;
  }

  /** Whether `a`'s ARN pattern matches some request path of route `b` (same method). Memoized. */
  public reaches(a: ParsedRoute, b: ParsedRoute): boolean {
    const key = `${a.key}\n${b.key}`;
    let result = this.reachCache.get(key);
    if (result === undefined) {
      result = a.method === b.method && patternMeetsRoute(a.pattern, b.segments);
      this.reachCache.set(key, result);
    }
    return result;
  }
}

/**
 * Whether some request path of a route (literal segments; `{param}` one non-empty segment; `{proxy+}` one or more)
 * matches an ARN path pattern. Product of two small automata over character classes; the literal prefixes settle
 * most pairs at once.
 */
function patternMeetsRoute(pattern: string, segments: readonly Segment[]): boolean {
  const routeTokens: Token[] = [];
  segments.forEach((s, i) => {
    if (i > 0) routeTokens.push({ t: 'char', c: '/' });
    if (s.kind === 'literal') for (const c of s.value) routeTokens.push({ t: 'char', c });
    else routeTokens.push({ t: s.kind });
  });
  const patternTokens: Token[] = pattern.split('').map((c) => (c === '*' ? { t: 'star' } : c === '?' ? { t: 'one' } : { t: 'char', c }));
  const [p, r] = [literalPrefix(patternTokens), literalPrefix(routeTokens)];
  if (!p.startsWith(r) && !r.startsWith(p)) return false;
  return intersects(automaton(patternTokens), automaton(routeTokens));
}

function literalPrefix(tokens: Token[]): string {
  let prefix = '';
  for (const token of tokens) {
    if (token.t !== 'char') break;
    prefix += token.c;
  }
  return prefix;
}

type Token = { t: 'char'; c: string } | { t: 'param' } | { t: 'proxy' } | { t: 'star' } | { t: 'one' };
/** A character class: one character, any character but `/`, or any character. */
type Label = { c: string } | 'segment' | 'any';
/** Edges by source state. */
interface Automaton {
  readonly edges: { label: Label; to: number }[][];
  readonly final: number;
}

function automaton(tokens: Token[]): Automaton {
  const list: { from: number; label: Label; to: number }[] = [];
  const edges = { push: (...added: typeof list) => list.push(...added) };
  let state = 0;
  let next = 1;
  for (const token of tokens) {
    switch (token.t) {
      case 'char':
        edges.push({ from: state, label: { c: token.c }, to: next });
        state = next++;
        break;
      case 'one':
        edges.push({ from: state, label: 'any', to: next });
        state = next++;
        break;
      case 'star':
        edges.push({ from: state, label: 'any', to: state });
        break;
      case 'param': {
        const inSegment = next++;
        edges.push({ from: state, label: 'segment', to: inSegment }, { from: inSegment, label: 'segment', to: inSegment });
        state = inSegment;
        break;
      }
      case 'proxy': {
        const inSegment = next++;
        const afterSlash = next++;
        edges.push(
          { from: state, label: 'segment', to: inSegment },
          { from: inSegment, label: 'segment', to: inSegment },
          { from: inSegment, label: { c: '/' }, to: afterSlash },
          { from: afterSlash, label: 'segment', to: inSegment },
        );
        state = inSegment;
        break;
      }
    }
  }
  const bySource: Automaton['edges'] = Array.from({ length: next }, () => []);
  for (const e of list) bySource[e.from].push({ label: e.label, to: e.to });
  return { edges: bySource, final: state };
}

function labelsMeet(a: Label, b: Label): boolean {
  if (typeof a === 'object' && typeof b === 'object') return a.c === b.c;
  if (typeof a === 'object') return b === 'any' || a.c !== '/';
  if (typeof b === 'object') return a === 'any' || b.c !== '/';
  return true;
}

function intersects(a: Automaton, b: Automaton): boolean {
  const seen = new Set<string>(['0,0']);
  const queue: [number, number][] = [[0, 0]];
  while (queue.length > 0) {
    const [x, y] = queue.shift()!;
    if (x === a.final && y === b.final) return true;
    for (const ea of a.edges[x]) {
      for (const eb of b.edges[y]) {
        if (!labelsMeet(ea.label, eb.label)) continue;
        const key = `${ea.to},${eb.to}`;
        if (!seen.has(key)) {
          seen.add(key);
          queue.push([ea.to, eb.to]);
        }
      }
    }
  }
  return false;
}
