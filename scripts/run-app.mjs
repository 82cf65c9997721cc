// Runs a TypeScript CDK app entry (cdk.json: `node scripts/run-app.mjs bin/app.ts`) as compiled JavaScript.
// The entry and this repository's sources it imports are bundled once by esbuild into cdk.out.app/<entry>.js
// (gitignored; packages such as aws-cdk-lib and cdk-nag stay in node_modules, as they are for any app), and rebuilt
// only when one of those sources, tsconfig.json, package.json or the esbuild version changed (size and mtime of every
// input, listed by esbuild's metafile). Then the bundle runs in this process, without a TypeScript loader hooking
// every require: a synth loads the same modules as with `node --import tsx bin/app.ts`, about 0.4 s of CPU sooner.
// The bundle sits two directories below the repository root, like lib/private/ and dist/private/, so
// lib/private/handler-code.ts finds dist/handlers the same way.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [entryArg, ...appArgs] = process.argv.slice(2);
if (!entryArg) throw new Error('Usage: node scripts/run-app.mjs <entry.ts> [args...] (for example bin/app.ts)');
const entry = resolve(root, entryArg);
const rel = relative(root, entry);
if (!existsSync(entry) || !rel.endsWith('.ts') || rel.split(sep).length !== 2) {
  throw new Error(
    `run-app: "${entryArg}" must be an existing TypeScript file one directory below the repository root (like bin/app.ts), so the bundle keeps lib/private's depth.`,
  );
}
const outfile = join(root, 'cdk.out.app', rel.replace(/\.ts$/, '.js'));
const stampFile = `${outfile}.inputs.json`;
/** Files whose change makes the bundle stale besides its inputs: esbuild's own version and the tsconfig.json it reads. */
const CONFIG = ['tsconfig.json', 'package.json', 'node_modules/esbuild/package.json'];

function fingerprint(file, since = Infinity) {
  try {
    const s = statSync(join(root, file));
    // Changed while the bundle was being built: never counts as fresh.
    return s.mtimeMs >= since ? 'changed during the build' : `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function isFresh() {
  if (!existsSync(outfile) || !existsSync(stampFile)) return false;
  try {
    const files = Object.entries(JSON.parse(readFileSync(stampFile, 'utf8')).files);
    return files.length > 0 && files.every(([file, print]) => fingerprint(file) === print);
  } catch {
    return false;
  }
}

async function bundle() {
  const started = Date.now();
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile,
    write: false,
    bundle: true,
    // aws-cdk-lib, cdk-nag, constructs, ...: loaded from node_modules at run time, as precompiled JavaScript.
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Function and class names as written (tsx does the same), whatever the bundle renames.
    keepNames: true,
    // cdk.out.app/<entry>.js.map: stack traces (errors, and the construct and acknowledgement traces of
    // cdk.out/validation-report.json) name the TypeScript sources, as they do under tsx.
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: root,
  });
  mkdirSync(dirname(outfile), { recursive: true });
  // Written aside and renamed: a synth running at the same time never loads half a bundle.
  for (const out of result.outputFiles) {
    writeFileSync(`${out.path}.${process.pid}.tmp`, out.contents);
    renameSync(`${out.path}.${process.pid}.tmp`, out.path);
  }
  const files = {};
  for (const input of [...Object.keys(result.metafile.inputs), ...CONFIG]) files[input] = fingerprint(input, started);
  writeFileSync(stampFile, JSON.stringify({ files }, undefined, 1));
}

if (!isFresh()) await bundle();
process.setSourceMapsEnabled(true);
process.argv = [process.argv[0], outfile, ...appArgs];
createRequire(import.meta.url)(outfile);
