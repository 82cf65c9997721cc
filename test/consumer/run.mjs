#!/usr/bin/env node
// Consumer test (a .ci/run step, not part of `npm test`): packs this library, installs the tarball into a fresh
// temporary project that has only the peer dependencies, and proves what a user gets:
//   1. the tarball: compiled JS, .d.ts, bundled Lambda handlers, LICENSE; no TypeScript sources, no tests,
//      no install-time scripts;
//   2. `npm install <tarball>` needs nothing but the peers (and runs no script of ours);
//   3. a plain CommonJS app (`require`) synthesizes the README's PlatformStage with one service through the gate
//      (the README's platform example itself, its imports turned into require calls);
//   4. `npx csm-certs --help` exits 0 and names issue, revoke and list; bad arguments exit non-zero;
//      `npx csm-fuzz --help` exits 0; it reads the app's cdk.out/api-model.json (usage errors exit 2);
//   5. a TypeScript app type-checks under `strict` with `skipLibCheck: false` (TypeScript 5.x);
//   6. a vitest snapshot of that app with the exported hash-stripping serializer is stable across two runs.
// Offline apart from the npm registry (packages come from the npm cache when they are there).
// KEEP=1 keeps the temporary project; its path is printed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = path.join(repo, 'test', 'consumer', 'fixture');
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
/** What a consumer's TypeScript toolchain is (TypeScript 5.x, as the issue and most CDK apps have it). */
const CONSUMER_DEV_DEPENDENCIES = ['typescript@5', `@types/node@${pkg.devDependencies['@types/node']}`, `vitest@${pkg.devDependencies.vitest}`];
const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
const started = Date.now();
const timings = [];

function step(name, fn) {
  const t0 = Date.now();
  process.stdout.write(`consumer: ${name} ... `);
  const result = fn();
  const seconds = (Date.now() - t0) / 1000;
  timings.push([name, seconds]);
  console.log(`ok (${seconds.toFixed(1)} s)`);
  return result;
}

function run(cmd, args, options = {}) {
  // The caller's CDK context must not leak into the consumer's apps.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CDK_')));
  const env = { ...inherited, ...options.env };
  const res = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options, env });
  if (options.allowFailure) return res;
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}${res.error ? ` (${res.error.message})` : ''}\n${res.stdout}\n${res.stderr}`);
  }
  return res;
}

function check(condition, message) {
  if (!condition) throw new Error(`consumer test failed: ${message}`);
}

/** The README's platform example (the first TypeScript snippet that builds a PlatformStage and synthesizes it) as CommonJS. */
function readmePlatformExampleAsCommonJs() {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const snippet = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)]
    .map((m) => m[1])
    .find((code) => /new PlatformStage\(/.test(code) && /app\.synth\(\)/.test(code));
  check(snippet, 'README.md has no platform example (a ts snippet with new PlatformStage(...) and app.synth())');
  const js = snippet.replace(/^import \{([^}]*)\} from '([^']+)';$/gm, (_m, names, from) => `const {${names}} = require('${from}');`);
  check(!/^import /m.test(js), `the README platform example has an import this test cannot turn into require:\n${js}`);
  return `// The platform example of README.md, as a plain CommonJS app.\n${js}`;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-consumer-'));
const project = path.join(work, 'app');
let failed = false;
try {
  // 1. The tarball.
  const tarball = step('npm pack (prepack builds dist/)', () => {
    const out = run('npm', ['pack', '--pack-destination', work, '--json', '--loglevel=error'], { cwd: repo }).stdout;
    const info = JSON.parse(out.slice(out.indexOf('[')))[0];
    const files = info.files.map((f) => f.path);
    const has = (p) => files.includes(p);
    check(has('dist/index.js') && has('dist/index.d.ts'), 'no compiled entry point (dist/index.js, dist/index.d.ts)');
    check(has(pkg.bin['csm-certs']), `the csm-certs bin ${pkg.bin['csm-certs']} is missing`);
    check(has('LICENSE'), 'LICENSE is missing');
    const handlers = fs.readdirSync(path.join(repo, 'dist', 'handlers'));
    check(handlers.length > 0 && handlers.every((h) => has(`dist/handlers/${h}/index.js`)), `handler bundles missing (${handlers.join(', ')})`);
    const sources = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    check(sources.length === 0, `TypeScript sources shipped: ${sources.join(', ')}`);
    const tests = files.filter((f) => /(^|\/)test\/|\.(test|spec)\.|__snapshots__/.test(f));
    check(tests.length === 0, `tests shipped: ${tests.join(', ')}`);
    const installScripts = ['preinstall', 'install', 'postinstall'].filter((s) => pkg.scripts?.[s]);
    check(installScripts.length === 0, `install-time scripts: ${installScripts.join(', ')}`);
    console.log(`\n  ${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(0)} KiB packed`);
    return path.join(work, info.filename);
  });

  // 2. A fresh project with only the peers, then the tarball.
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer-app', version: '1.0.0', private: true }, null, 2));
  step('install the peers and the tarball', () => {
    const peers = Object.keys(pkg.peerDependencies).map((name) => `${name}@${pkg.devDependencies[name]}`);
    run('npm', ['install', ...NPM_FLAGS, ...peers], { cwd: project });
    const res = run('npm', ['install', ...NPM_FLAGS, '--foreground-scripts', tarball], { cwd: project });
    check(!/bundle-handlers|esbuild/.test(res.stdout + res.stderr), `installing the package ran a script:\n${res.stdout}${res.stderr}`);
    for (const devOnly of ['esbuild', 'typescript', 'tsx', 'vitest', 'aws-jwt-verify']) {
      check(!fs.existsSync(path.join(project, 'node_modules', devOnly)), `${devOnly} (a devDependency) was installed into the consumer`);
    }
    check(fs.existsSync(path.join(project, 'node_modules', 'cdk-secure-microservices', 'dist', 'handlers')), 'handler bundles not installed');
    run('npm', ['ls', '--all', '--loglevel=error'], { cwd: project }); // fails on missing or invalid peers
  });

  // 3. Plain CommonJS app through the gate.
  step('node app.js (CommonJS, README platform example, every pack)', () => {
    fs.writeFileSync(path.join(project, 'app.js'), readmePlatformExampleAsCommonJs());
    // CDK_OUTDIR is what the CDK CLI passes (`cdk synth --app 'node app.js'`); without it App() writes to a temp dir.
    run(process.execPath, ['app.js'], { cwd: project, env: { CDK_OUTDIR: 'cdk.out' } });
    const outdir = path.join(project, 'cdk.out');
    const report = fs.readFileSync(path.join(outdir, 'security-report.md'), 'utf8');
    for (const pack of ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security', 'PlatformChecks']) {
      check(report.includes(pack), `the security report does not name pack ${pack}`);
    }
    const stageDir = fs.readdirSync(outdir).find((d) => d.startsWith('assembly-prod'));
    check(stageDir, 'no assembly for the prod stage');
    const templates = fs.readdirSync(path.join(outdir, stageDir)).filter((f) => f.endsWith('.template.json'));
    check(templates.length >= 2, `expected the platform stack and its nested stacks, got ${templates.join(', ')}`);
    const model = JSON.parse(fs.readFileSync(path.join(outdir, 'api-model.json'), 'utf8'));
    check(
      model.apis?.[0]?.routes?.[0]?.path === '/v1/orders/{id}' && fs.existsSync(path.join(outdir, stageDir, 'api-model.json')),
      `cdk.out/api-model.json (and the stage's copy) must describe the orders route: ${JSON.stringify(model).slice(0, 300)}`,
    );
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, stageDir, 'manifest.json'), 'utf8'));
    check(!manifest.missing?.length, `synth needs context lookups (credentials): ${JSON.stringify(manifest.missing)}`);
  });

  // 4. The CLI.
  step('npx csm-certs --help / bad arguments', () => {
    const help = run('npx', ['--no-install', 'csm-certs', '--help'], { cwd: project });
    for (const command of ['issue', 'revoke', 'list']) check(help.stdout.includes(command), `--help does not name ${command}:\n${help.stdout}`);
    const bad = run('npx', ['--no-install', 'csm-certs', 'isue'], { cwd: project, allowFailure: true });
    check(
      bad.status !== 0 && /unknown command "isue"/.test(bad.stderr),
      `a bad command must fail with a message (exit ${bad.status}): ${bad.stderr}`,
    );
    const missing = run('npx', ['--no-install', 'csm-certs', 'issue', '--common-name', 'x'], { cwd: project, allowFailure: true });
    check(
      missing.status !== 0 && /missing --ca-arn/.test(missing.stderr),
      `a missing option must fail with a message (exit ${missing.status}): ${missing.stderr}`,
    );
  });
  step('npx csm-fuzz --help / the synthesized model', () => {
    const help = run('npx', ['--no-install', 'csm-fuzz', '--help'], { cwd: project });
    check(/^Usage: csm-fuzz --model/.test(help.stdout), `csm-fuzz --help:\n${help.stdout}`);
    const mtls = run('npx', ['--no-install', 'csm-fuzz', '--model', 'cdk.out/api-model.json', '--base-url', 'https://127.0.0.1:9'], {
      cwd: project,
      allowFailure: true,
    });
    check(
      mtls.status === 2 && /requires mutual TLS/.test(mtls.stderr),
      `the mTLS model without a client certificate must be a usage error (exit ${mtls.status}): ${mtls.stderr}`,
    );
    // Without mTLS the tool loads its generators (json-schema-faker is ESM, imported dynamically) and sends requests.
    const model = JSON.parse(fs.readFileSync(path.join(project, 'cdk.out', 'api-model.json'), 'utf8'));
    fs.writeFileSync(path.join(project, 'plain-model.json'), JSON.stringify({ ...model, apis: model.apis.map((a) => ({ ...a, mutualTls: false })) }));
    const none = run(
      'npx',
      ['--no-install', 'csm-fuzz', '--model', 'plain-model.json', '--base-url', 'http://127.0.0.1:9', '--requests', '2', '--quiet'],
      { cwd: project, allowFailure: true },
    );
    check(
      none.status === 2 && /no request got an HTTP response/.test(none.stderr),
      `nothing listening must exit 2 (exit ${none.status}): ${none.stdout}${none.stderr}`,
    );
  });

  // 5. Strict TypeScript against the shipped declarations.
  step(`install the consumer's toolchain (${CONSUMER_DEV_DEPENDENCIES.join(', ')})`, () => {
    run('npm', ['install', ...NPM_FLAGS, '--save-dev', ...CONSUMER_DEV_DEPENDENCIES], { cwd: project });
    for (const f of ['typed-app.ts', 'snapshot.spec.ts', 'tsconfig.json', 'vitest.config.mjs'])
      fs.copyFileSync(path.join(fixture, f), path.join(project, f));
  });
  step('tsc --noEmit (strict, skipLibCheck false, TypeScript 5.x)', () => {
    const version = run('npx', ['--no-install', 'tsc', '--version'], { cwd: project }).stdout.trim();
    check(/^Version 5\./.test(version), `expected TypeScript 5.x, got ${version}`);
    run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: project });
    console.log(`\n  ${version}`);
  });

  // 6. Snapshot stable across two runs.
  step('vitest snapshot, twice (second run under CI=true)', () => {
    run('npx', ['--no-install', 'vitest', 'run'], { cwd: project, env: { CI: '' } });
    const snapFile = path.join(project, '__snapshots__', 'snapshot.spec.ts.snap');
    check(fs.existsSync(snapFile), 'the first run wrote no snapshot');
    const snapshot = fs.readFileSync(snapFile, 'utf8');
    check(snapshot.includes('[ASSET-HASH]') && !/[0-9a-f]{64}/.test(snapshot), 'asset hashes were not stripped from the snapshot');
    run('npx', ['--no-install', 'vitest', 'run'], { cwd: project, env: { CI: 'true' } });
    check(fs.readFileSync(snapFile, 'utf8') === snapshot, 'the snapshot changed on the second run');
  });
} catch (e) {
  failed = true;
  console.error(`\n${e.message}`);
  console.error(`the temporary project is kept at ${project}`);
} finally {
  if (!failed && !process.env.KEEP) fs.rmSync(work, { recursive: true, force: true });
  else if (!failed) console.log(`kept ${project}`);
}
console.log(
  `consumer test ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(0)} s (${timings.map(([n, s]) => `${n.split(' (')[0]}: ${s.toFixed(0)} s`).join('; ')})`,
);
process.exitCode = failed ? 1 : 0;
