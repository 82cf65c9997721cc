import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// vitest 5 targets Node 22+; its error reporter calls Map.groupBy, which Node 20 (this machine's runtime) lacks.
if (typeof (Map as unknown as { groupBy?: unknown }).groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', {
    value<K, V>(items: Iterable<V>, key: (item: V, index: number) => K): Map<K, V[]> {
      const groups = new Map<K, V[]>();
      let i = 0;
      for (const item of items) {
        const k = key(item, i++);
        const group = groups.get(k);
        if (group) group.push(item);
        else groups.set(k, [item]);
      }
      return groups;
    },
  });
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // One module graph per worker instead of per file: aws-cdk-lib's import dominates small test files.
    isolate: false,
    // One worker per core (vitest's default leaves one core idle). Each worker loads aws-cdk-lib once for its files.
    maxWorkers: availableParallelism(),
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    globalSetup: ['test/support/global-setup.ts'],
    // The global teardown lints every template the tests collected in one cfn-lint pass (~20-30 s on 2 cores).
    teardownTimeout: 300_000,
  },
});
