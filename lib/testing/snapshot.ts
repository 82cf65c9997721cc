/** Matches the 64-hex-digit asset hashes that change with every code or dependency change (aws-cdk#13468). */
const ASSET_HASH = /[0-9a-f]{64}/g;
export const HASH_PLACEHOLDER = '[ASSET-HASH]';

/** Returns a deep copy of a template (or any JSON value) with asset hashes replaced by a stable placeholder. */
export function stripAssetHashes<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(ASSET_HASH, HASH_PLACEHOLDER)) as T;
}

/**
 * A snapshot serializer for vitest/jest (`expect.addSnapshotSerializer(assetHashSerializer)`) that strips
 * asset hashes, so snapshots change only when the infrastructure does.
 */
export const assetHashSerializer = {
  test(value: unknown): boolean {
    return typeof value === 'string' && /[0-9a-f]{64}/.test(value);
  },
  // Generic in the config and refs types so it fits both vitest's and jest's serializer signatures without importing either.
  serialize<C, R>(
    value: string,
    config: C,
    indentation: string,
    depth: number,
    refs: R,
    printer: (value: string, config: C, indentation: string, depth: number, refs: R) => string,
  ): string {
    return printer(value.replace(ASSET_HASH, HASH_PLACEHOLDER), config, indentation, depth, refs);
  },
};
