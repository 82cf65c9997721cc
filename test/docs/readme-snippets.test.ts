import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as library from '../../lib/index';

// Every ```ts block of README.md is type-checked against the library, and every complete app in it (one that calls
// app.synth()) is synthesized through the gate, so the README cannot drift from the code.
// A block that starts with `import` is a complete file. Any other block is a fragment of a construct's constructor
// (`this` is the scope) that uses names introduced by earlier sections: CONTEXT declares them with their types.

const REPO = path.join(__dirname, '..', '..');
const OUT = path.join(REPO, '.test-out', 'readme-snippets');
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
const PACKAGE = 'cdk-secure-microservices';
const ENTRY_POINTS: Record<string, string> = {
  [PACKAGE]: 'lib/index.ts',
  [`${PACKAGE}/certs`]: 'lib/cli/certs/index.ts',
  [`${PACKAGE}/testing`]: 'lib/testing/index.ts',
};

const CONSUMER_APP = ['typed-app.ts', 'snapshot.spec.ts'].map((f) => path.join(REPO, 'test', 'consumer', 'fixture', f));

/** Names the README's fragments take from earlier sections, and their types. */
const CONTEXT: Record<string, string> = {
  app: 'App',
  stack: 'Stack',
  keys: 'csm.PlatformKeys',
  network: 'csm.PrivateNetwork',
  identity: 'csm.PlatformIdentity',
  api: 'csm.SecureApi',
  firewall: 'csm.ApiFirewall',
  ca: 'csm.PrivateCertificateAuthority',
  platform: 'csm.SecureMicroservicePlatform',
  ordersRepo: 'csm.SecureRepository',
  table: 'csm.SecureTable',
  ordersOptions: 'csm.PlatformServiceOptions',
  paymentsProps: 'csm.SecureFargateServiceProps',
  integration: 'apigw.Integration',
  schema: 'apigw.JsonSchema',
  restApi: 'apigw.RestApi',
  stage: 'apigw.Stage',
  issuerRole: 'iam.IRole',
  taskRole: 'iam.IRole',
  certificate: 'acm.ICertificate',
  dbSecret: 'secretsmanager.ISecret',
  caArn: 'string',
  devSettings: "Omit<csm.PlatformStageProps, 'profile' | 'env'>",
  prodSettings: "Omit<csm.PlatformStageProps, 'profile' | 'env'>",
};
/** Modules fragments use by their usual alias. */
const MODULES: Record<string, string> = {
  App: "import { App } from 'aws-cdk-lib';",
  Stack: "import { Stack } from 'aws-cdk-lib';",
  Duration: "import { Duration } from 'aws-cdk-lib';",
  apigw: "import * as apigw from 'aws-cdk-lib/aws-apigateway';",
  iam: "import * as iam from 'aws-cdk-lib/aws-iam';",
  ec2: "import * as ec2 from 'aws-cdk-lib/aws-ec2';",
  ecs: "import * as ecs from 'aws-cdk-lib/aws-ecs';",
  acm: "import * as acm from 'aws-cdk-lib/aws-certificatemanager';",
  acmpca: "import * as acmpca from 'aws-cdk-lib/aws-acmpca';",
  secretsmanager: "import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';",
  AttributeType: "import { AttributeType } from 'aws-cdk-lib/aws-dynamodb';",
};

interface Snippet {
  readonly index: number;
  readonly line: number;
  readonly code: string;
  readonly complete: boolean;
  readonly synth: boolean;
  readonly file: string;
}

// A use is the bare name (a spread `...name` counts; a property `x.name` does not).
const uses = (code: string, name: string) => new RegExp(`(^|[^.\\w$]|\\.\\.\\.)${name}\\b`).test(code);
const declares = (code: string, name: string) => new RegExp(`\\b(const|let|class|function)\\s+${name}\\b`).test(code);

function fragmentFile(code: string): string {
  const context = Object.keys(CONTEXT).filter((name) => uses(code, name) && !declares(code, name));
  const text = code + context.map((name) => CONTEXT[name]).join(' ');
  const exported = Object.keys(library).filter((name) => name !== 'testing' && uses(code, name));
  return [
    "import { Construct } from 'constructs';",
    `import * as csm from '${PACKAGE}';`,
    exported.length ? `import { ${exported.join(', ')} } from '${PACKAGE}';` : '',
    ...Object.keys(MODULES)
      .filter((name) => uses(text, name))
      .map((name) => MODULES[name]),
    '',
    ...context.map((name) => `declare const ${name}: ${CONTEXT[name]};`),
    'export class Snippet extends Construct {',
    '  constructor(scope: Construct, id: string) {',
    '    super(scope, id);',
    code.replace(/^/gm, '    '),
    '  }',
    '}',
    'void csm;',
  ].join('\n');
}

const snippets: Snippet[] = [...README.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```/gm)].map((m, index) => {
  const code = m[1];
  const complete = /^import /.test(code.trimStart());
  return {
    index,
    line: README.slice(0, m.index).split('\n').length + 1,
    code,
    complete,
    synth: complete && /\bapp\.synth\(\)/.test(code),
    file: path.join(OUT, `snippet-${index}.ts`),
  };
});

describe('README.md TypeScript snippets', () => {
  let typecheck: { status: number | null; errors: string[]; wrong: string[] };
  beforeAll(() => {
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    for (const s of snippets) fs.writeFileSync(s.file, `// README.md line ${s.line}\n${s.complete ? s.code : fragmentFile(s.code)}`);
    // A wrong snippet in the same run proves the check can fail.
    fs.writeFileSync(path.join(OUT, 'wrong.ts'), fragmentFile("new PlatformKeys(this, 'Keys', { aliasPrefix: 42 });"));
    const paths = Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, file]) => [name, [path.relative(OUT, path.join(REPO, file))]]));
    fs.writeFileSync(
      path.join(OUT, 'tsconfig.json'),
      JSON.stringify(
        {
          extends: path.relative(OUT, path.join(REPO, 'tsconfig.json')),
          compilerOptions: { noUnusedLocals: false, noUnusedParameters: false, paths },
          // The consumer test's TypeScript app (test/consumer) is checked here too, so an API change that breaks it
          // fails npm test, not only the slower CI step.
          include: [],
          files: [...snippets.map((s) => path.basename(s.file)), 'wrong.ts', ...CONSUMER_APP.map((f) => path.relative(OUT, f))],
        },
        null,
        2,
      ),
    );
    const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', path.join(OUT, 'tsconfig.json'), '--pretty', 'false'], { cwd: REPO, encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`.split('\n').filter((l) => l.trim() !== '');
    typecheck = { status: run.status, errors: output.filter((l) => !l.includes('wrong.ts')), wrong: output.filter((l) => l.includes('wrong.ts')) };
  });

  it('has the snippets the README is built around, complete apps among them', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(10);
    expect(snippets.filter((s) => s.synth).length).toBeGreaterThanOrEqual(2);
  });

  it('imports only the package entry points, aws-cdk-lib and constructs', () => {
    for (const s of snippets) {
      for (const [, from] of s.code.matchAll(/from '([^']+)'/g)) {
        expect(from, `README.md line ${s.line}`).toMatch(new RegExp(`^(aws-cdk-lib(/[\\w-]+)?|constructs|${PACKAGE}(/certs|/testing)?)$`));
      }
    }
  });

  it('type-checks every snippet against the library (strict)', () => {
    expect(typecheck.errors, 'errors name .test-out/readme-snippets/snippet-<n>.ts, whose line 1 gives the README line').toEqual([]);
  });

  it('the type check fails on a snippet that is wrong (so the check above can fail)', () => {
    expect(typecheck.status).not.toBe(0);
    expect(typecheck.wrong.join('\n')).toMatch(/wrong\.ts\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
  });

  it.each(snippets.filter((s) => s.synth).map((s) => [s.line, s] as const))(
    'synthesizes the app at README.md line %i through the gate, offline',
    async (_line, s) => {
      const outdir = path.join(OUT, `cdk.out-${s.index}`);
      const runnable = path.join(OUT, `snippet-${s.index}.run.ts`);
      // Same code, with the package name resolved to this checkout's sources.
      let code = s.code;
      for (const [name, file] of Object.entries(ENTRY_POINTS)) {
        code = code.replaceAll(`from '${name}'`, `from '${path.relative(OUT, path.join(REPO, file)).replace(/\.ts$/, '')}'`);
      }
      fs.writeFileSync(runnable, code);
      const previous = process.env.CDK_OUTDIR;
      process.env.CDK_OUTDIR = outdir;
      try {
        await import(runnable); // app.synth() throws when the gate finds anything
      } finally {
        if (previous === undefined) delete process.env.CDK_OUTDIR;
        else process.env.CDK_OUTDIR = previous;
      }
      const manifests = [
        outdir,
        ...fs
          .readdirSync(outdir)
          .filter((d) => d.startsWith('assembly-'))
          .map((d) => path.join(outdir, d)),
      ].map((dir) => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { missing?: { key: string }[] });
      // No context lookup left for the CLI (it would need AWS credentials).
      expect(manifests.flatMap((m) => m.missing ?? []).map((m) => m.key)).toEqual([]);
      expect(fs.readFileSync(path.join(outdir, 'security-report.md'), 'utf8')).toContain('PlatformChecks');
    },
  );
});
