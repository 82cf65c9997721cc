// npm run build (and prepack): a clean dist/ with the Lambda handler bundles (dist/handlers/<name>/index.js) and
// the library compiled to CommonJS with declarations (dist/index.js, dist/index.d.ts, dist/cli/csm-certs.js).
// The compiled code finds the bundles at ../../dist/handlers relative to dist/private/handler-code.js, the same
// path the TypeScript sources use from lib/private/, so the repo (tsx, vitest) and the package share one layout.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'scripts', 'bundle-handlers.mjs')], { stdio: 'inherit' });
// TypeScript 7 compiles (the `typescript7` alias; the `typescript` devDependency is 5.9 for typescript-eslint).
const tsc = join(dirname(require.resolve('typescript7/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

// Every bin must exist, start with a node shebang and be executable (npm links it as is).
for (const [name, file] of Object.entries(pkg.bin ?? {})) {
  const target = join(root, file);
  if (!existsSync(target))
    throw new Error(`bin ${name}: ${file} was not built. Fix: its source must be lib/${file.replace(/^dist\//, '').replace(/\.js$/, '.ts')}.`);
  if (!readFileSync(target, 'utf8').startsWith('#!/usr/bin/env node\n'))
    throw new Error(`bin ${name}: ${file} has no "#!/usr/bin/env node" shebang.`);
  chmodSync(target, 0o755);
}
console.log(`built ${pkg.name} into dist/`);
