import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const REPO = path.join(__dirname, '..', '..');
const LIB = path.join(REPO, 'lib');
/** Modules only the command-line tools may load: the construct library must work without them. */
const TOOL_ONLY = /node_modules[\\/](@aws-sdk|@peculiar[\\/]x509|reflect-metadata|fast-check|ajv|ajv-draft-04|json-schema-faker)[\\/]/;

/** Loads `entry` (TypeScript, through tsx) in a fresh node process; returns the loaded files and the export names. */
function load(entry: string): { modules: string[]; exports: string[] } {
  const script = `const m = require(${JSON.stringify(entry)});
process.stdout.write(JSON.stringify({ modules: Object.keys(require.cache), exports: Object.keys(m) }));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

/** lib's top-level folders and which other top-level folders each imports (relative imports only). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  const folderOf = (file: string) => {
    const rel = path.relative(LIB, file).split(path.sep);
    return rel.length > 1 ? rel[0] : '(index)';
  };
  for (const file of walk(LIB)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/from '(\.[^']*)'/g)) {
      const to = folderOf(path.resolve(path.dirname(file), m[1]));
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, trail: string[]): string[] | undefined => {
    if (state.get(node) === 'open') return [...trail.slice(trail.indexOf(node)), node];
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next, [...trail, node]);
      if (cycle) return cycle;
    }
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('entry point', () => {
  let library: { modules: string[]; exports: string[] };
  let tool: { modules: string[]; exports: string[] };
  let fuzzer: { modules: string[]; exports: string[] };
  beforeAll(() => {
    library = load('./lib/index.ts');
    tool = load('./lib/cli/certs/index.ts');
    fuzzer = load('./lib/cli/csm-fuzz.ts');
  });

  it("loading the constructs never loads the AWS SDK, @peculiar/x509, reflect-metadata or the fuzzer's libraries", () => {
    expect(library.modules.filter((m) => TOOL_ONLY.test(m))).toEqual([]);
    expect(library.modules.some((m) => m.includes(`${path.sep}aws-cdk-lib${path.sep}`))).toBe(true);
  });

  it('the certificate tool entry does load them (so the check above can fail)', () => {
    for (const pkg of ['@aws-sdk', '@peculiar', 'reflect-metadata']) {
      expect(
        tool.modules.some((m) => m.includes(`node_modules${path.sep}${pkg}`)),
        pkg,
      ).toBe(true);
    }
    expect(tool.exports).toEqual(
      expect.arrayContaining(['issueClientCertificate', 'revokeClientCertificate', 'listClientCertificates', 'normalizeSerial']),
    );
  });

  it('the csm-fuzz entry loads its libraries but not aws-cdk-lib (it reads the model as JSON)', () => {
    for (const pkg of ['fast-check', 'ajv-draft-04'])
      expect(
        fuzzer.modules.some((m) => m.includes(`node_modules${path.sep}${pkg}`)),
        pkg,
      ).toBe(true);
    expect(fuzzer.modules.some((m) => m.includes(`${path.sep}aws-cdk-lib${path.sep}`))).toBe(false);
    expect(fuzzer.exports).toEqual(['main']);
  });

  it('exports the public API by capability and no internal helper', () => {
    expect(library.exports).toEqual(
      expect.arrayContaining([
        'SecureMicroservicePlatform',
        'PlatformStage',
        'applySecurityChecks',
        'PlatformChecks',
        'PLATFORM_RULES',
        'SecurityReportPlugin',
        'PrivateNetwork',
        'PlatformKeys',
        'PlatformIdentity',
        'SecureApi',
        'ApiFirewall',
        'PrivateCertificateAuthority',
        'Truststore',
        'MutualTlsDomain',
        'ClientCertificateAuthorizer',
        'SecureRepository',
        'PlatformRegistry',
        'RegistryScanning',
        'SecureFargateService',
        'PrivateIntegrationGateway',
        'SecureBucket',
        'SecureTable',
        'acknowledgeFinding',
        'recordOptOut',
        'testing',
      ]),
    );
    const internal = [
      'invalidProp',
      'handlerCode',
      'HANDLERS_DIR',
      'resolvedProperties',
      'asArray',
      'isAnyPrincipal',
      'renderSecurityReport',
      'mapPractices',
      'toMermaid',
      'toDot',
      'PRACTICES',
      'parseScope',
      'grantKeyViaService',
      'toRetentionDays',
      'createInternalLoadBalancer',
      'issueClientCertificate',
      'CertificateToolError',
      'normalizeSerial',
      'PCA_TEMPLATES',
    ];
    expect(library.exports.filter((name) => internal.includes(name))).toEqual([]);
  });
});

describe('folder layout', () => {
  const graph = folderGraph();

  it('lib folders import each other without cycles', () => {
    expect(findCycle(graph)).toBeUndefined();
    // The checker works: a cycle is found when there is one.
    expect(
      findCycle(
        new Map([
          ['a', new Set(['b'])],
          ['b', new Set(['a'])],
        ]),
      ),
    ).toEqual(['a', 'b', 'a']);
  });

  it('the report does not know the gate: it takes the rules it describes as input', () => {
    expect([...(graph.get('report') ?? [])]).not.toContain('checks');
  });

  it('private helpers depend on nothing else in lib; only cli and the entry point choose what is public', () => {
    expect([...(graph.get('private') ?? [])]).toEqual([]);
    const importersOfCli = [...graph].filter(([from, to]) => from !== 'cli' && to.has('cli')).map(([from]) => from);
    expect(importersOfCli).toEqual([]);
    expect([...(graph.get('(index)') ?? [])]).not.toContain('private');
  });
});

describe('examples are CDK apps', () => {
  const examples = fs.readdirSync(path.join(REPO, 'examples')).filter((d) => fs.existsSync(path.join(REPO, 'examples', d, 'app.ts')));

  it.each(examples)('%s takes outdir and context from the CDK CLI and shows the command in its header', (name) => {
    const source = fs.readFileSync(path.join(REPO, 'examples', name, 'app.ts'), 'utf8');
    // A hard-coded outdir makes `cdk synth|ls|deploy --app ...` look for manifest.json where the app did not write it.
    expect(source).not.toMatch(/\boutdir\s*:/);
    expect(source.split('\n').slice(0, 8).join('\n')).toContain(`npx cdk synth --app 'npx tsx examples/${name}/app.ts'`);
  });

  it('.ci/run checks that the API reference (docs/api) is what the TSDoc comments generate', () => {
    expect(fs.readFileSync(path.join(REPO, '.ci', 'run'), 'utf8')).toMatch(/^npm run docs:api:check$/m);
    expect(fs.readFileSync(path.join(REPO, 'docs', 'api', 'README.md'), 'utf8')).toContain('cdk-secure-microservices/certs');
  });

  it('.ci/run synthesizes and lists every example through the real CDK CLI', () => {
    const ci = fs.readFileSync(path.join(REPO, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/for app in examples\/\*\/app\.ts/);
    expect(ci).toContain('npx cdk synth --app "npx tsx $app"');
    expect(ci).toContain('npx cdk ls --app "npx tsx $app"');
  });
});
