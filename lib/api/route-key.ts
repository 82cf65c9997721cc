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

export interface ParsedRouteKey {
  readonly method: HttpMethod;
  /** The resource path, starting with "/". */
  readonly path: string;
}

/**
 * `"<METHOD> <resource path>"` with a method the API accepts (`"GET /v1/orders/{id}"`): the compiler refuses `ANY` and
 * `OPTIONS` keys, as SecureApi refuses such routes.
 */
export type RouteKey = `${HttpMethod} /${string}`;

/** The route key of `method` on `resourcePath` (which starts with "/"). */
export function routeKey(method: HttpMethod, resourcePath: string): RouteKey {
  return `${method} ${resourcePath}` as RouteKey;
}

/** The method and resource path of a route key, or undefined when `key` is not `"<METHOD> /<path>"` with an HttpMethod. */
export function parseRouteKey(key: string): ParsedRouteKey | undefined {
  const space = key.indexOf(' ');
  const method = key.slice(0, space);
  const path = key.slice(space + 1);
  if (!isHttpMethod(method) || !path.startsWith('/') || path.includes(' ')) return undefined;
  return { method, path };
}
