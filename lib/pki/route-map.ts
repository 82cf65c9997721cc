import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { RouteKey } from '../api/route-key';

/** `"<METHOD> <resource path>"` (a method the API accepts) → OAuth scopes, any one of which grants the route. */
export type RouteScopes = Record<RouteKey, string[]>;

/**
 * The route map travels in the authorizer's environment, which Lambda caps at 4 KB. Route maps repeat themselves
 * (versions, path prefixes, scope names), so raw DEFLATE + base64 carries several times more routes than JSON.
 */
export function encodeRouteScopes(routes: RouteScopes): string {
  return deflateRawSync(Buffer.from(JSON.stringify(routes)), { level: 9 }).toString('base64');
}

export function decodeRouteScopes(encoded: string | undefined): RouteScopes {
  if (!encoded) return {};
  return JSON.parse(inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8')) as RouteScopes;
}
