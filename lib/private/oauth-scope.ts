/**
 * Cognito's character rules for resource-server identifiers and scope names (CreateResourceServer API):
 * printable ASCII without spaces, '"' or '\'; scope names additionally without '/'.
 */
export const RESOURCE_SERVER_ID_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;
export const SCOPE_NAME_PATTERN = /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$/;

/** A custom OAuth scope `<resourceServerId>/<scopeName>`, split on its last "/" (identifiers may hold "/"). */
export function parseScope(scope: string): { readonly resourceServerId: string; readonly scopeName: string } | undefined {
  const at = scope.lastIndexOf('/');
  if (at <= 0) return undefined;
  const resourceServerId = scope.slice(0, at);
  const scopeName = scope.slice(at + 1);
  return RESOURCE_SERVER_ID_PATTERN.test(resourceServerId) && SCOPE_NAME_PATTERN.test(scopeName) ? { resourceServerId, scopeName } : undefined;
}
