/**
 * HTTP methods and route keys (`"<METHOD> <resource path>"`, e.g. `"GET /v1/orders/{id}"`): built and parsed here
 * only, by the API, the platform, the mTLS authorizer (construct and Lambda handler) and csm-fuzz. No CDK imports:
 * the Lambda bundle shares this module.
 */

/** HTTP methods a route may use (no ANY: every verb is a deliberate decision; OPTIONS is CORS preflight, not a route). */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Methods that carry a request body, which must be validated against a JSON schema. */
export const BODY_METHODS: readonly HttpMethod[] = ['POST', 'PUT', 'PATCH'];

export function isHttpMethod(value: unknown): value is HttpMethod {
  return typeof value === 'string' && (HTTP_METHODS as readonly string[]).includes(value);
}

/**
 * Methods a route key may name. SecureApi routes use HttpMethod only; the mTLS authorizer also takes OPTIONS and ANY
 * keys for APIs built without SecureApi (ANY stands for every method, OPTIONS included).
 */
export const ROUTE_KEY_METHODS = [...HTTP_METHODS, 'OPTIONS', 'ANY'] as const;
export type RouteKeyMethod = (typeof ROUTE_KEY_METHODS)[number];

export interface ParsedRouteKey {
  readonly method: RouteKeyMethod;
  /** The resource path, starting with "/". */
  readonly path: string;
}

/** `"<METHOD> <resource path>"`. */
export type RouteKey = `${string} /${string}`;

/** The route key of `method` on `resourcePath` (which starts with "/"). */
export function routeKey(method: RouteKeyMethod, resourcePath: string): RouteKey {
  return `${method} ${resourcePath}` as RouteKey;
}

/** The method and resource path of a route key, or undefined when `key` is not `"<METHOD> /<path>"` with a RouteKeyMethod. */
export function parseRouteKey(key: string): ParsedRouteKey | undefined {
  const space = key.indexOf(' ');
  const method = key.slice(0, space);
  const path = key.slice(space + 1);
  if (!(ROUTE_KEY_METHODS as readonly string[]).includes(method) || !path.startsWith('/') || path.includes(' ')) return undefined;
  return { method: method as RouteKeyMethod, path };
}
