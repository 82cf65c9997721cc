// API reference from the TSDoc comments: typedoc + typedoc-plugin-markdown write docs/api/ (markdown) for the
// package's entry points (cdk-secure-microservices, /certs, /testing).
//   npm run docs:api          regenerate docs/api/
//   npm run docs:api:check    fail when docs/api/ is not what the sources generate (a .ci/run step)
// typedoc needs TypeScript's JavaScript API (TypeScript 5.x/6.0); the repository compiles with TypeScript 7, so this
// folder is an npm workspace with its own typedoc and TypeScript 5.9 (installed by the root `npm ci`).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const target = path.join(repo, 'docs', 'api');
const check = process.argv.includes('--check');

function generate(out) {
  const typedoc = path.join(here, 'node_modules', 'typedoc', 'bin', 'typedoc');
  if (!fs.existsSync(typedoc)) {
    throw new Error(
      `typedoc is not installed in ${path.relative(repo, here)}. Fix: run "npm ci" at the repository root (it installs the tools/api-docs workspace).`,
    );
  }
  const run = spawnSync(process.execPath, [typedoc, '--options', path.join(here, 'typedoc.json'), '--out', out], { cwd: here, encoding: 'utf8' });
  if (run.status !== 0 || /\[warning\]|\[error\]/.test(run.stdout + run.stderr)) {
    throw new Error(`typedoc failed or warned (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  }
}

function files(dir, base = dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      return e.isDirectory() ? files(full, base) : [path.relative(base, full)];
    })
    .sort();
}

if (!check) {
  fs.rmSync(target, { recursive: true, force: true });
  generate(target);
  console.log(`docs/api: ${files(target).length} files generated`);
} else {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-api-docs-'));
  try {
    generate(tmp);
    const fresh = files(tmp);
    const committed = files(target);
    const differing = [...new Set([...fresh, ...committed])].filter(
      (f) =>
        !fresh.includes(f) || !committed.includes(f) || fs.readFileSync(path.join(tmp, f), 'utf8') !== fs.readFileSync(path.join(target, f), 'utf8'),
    );
    if (differing.length > 0) {
      console.error(
        `docs/api is stale: ${differing.length} file(s) differ from what the TSDoc comments generate:\n  ${differing.slice(0, 20).join('\n  ')}${differing.length > 20 ? '\n  …' : ''}\nFix: run "npm run docs:api" and commit docs/api/.`,
      );
      process.exitCode = 1;
    } else {
      console.log(`docs/api is up to date (${fresh.length} files)`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
