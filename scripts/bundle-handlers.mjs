// Bundles every Lambda handler (lib/<area>/handlers/<name>.lambda.ts) with esbuild into
// dist/handlers/<name>/index.js, so synth never needs Docker or network. Runs on `npm ci` in this repo (prepare),
// before the tests (vitest globalSetup), in `npm run build` / prepack (so the bundles ship in the package) and via
// `npm run build:handlers`. Consumers of the package never run it: no install-time scripts.
import { readdirSync, statSync, existsSync, mkdirSync } from 'node:fs';
import { join, dirname, basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const libDir = join(root, 'lib');
const outRoot = join(root, 'dist', 'handlers');

function findHandlers(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...findHandlers(full));
    else if (entry.endsWith('.lambda.ts') && basename(dir) === 'handlers') found.push(full);
  }
  return found;
}

const handlers = existsSync(libDir) ? findHandlers(libDir) : [];
const names = new Map();
for (const file of handlers) {
  const name = basename(file, '.lambda.ts');
  if (names.has(name)) {
    throw new Error(
      `Two handlers are named "${name}": ${relative(root, names.get(name))} and ${relative(root, file)}. Fix: rename one; handler names are global.`,
    );
  }
  names.set(name, file);
}
mkdirSync(outRoot, { recursive: true });
await Promise.all(
  [...names].map(([name, file]) =>
    build({
      entryPoints: [file],
      outfile: join(outRoot, name, 'index.js'),
      bundle: true,
      minify: true,
      sourcemap: false,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // The Lambda Node.js runtime ships AWS SDK v3; everything else is bundled.
      external: ['@aws-sdk/*'],
      legalComments: 'none',
      logLevel: 'warning',
    }),
  ),
);
console.log(`bundled ${names.size} Lambda handler(s) into ${relative(root, outRoot)}`);
