import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, CloudFormationValidatePlugin, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemplateValidationWorker } from '../../lib/checks/template-validation-worker';

interface Violation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity: string;
  readonly violatingConstructs: { readonly constructPath: string; readonly cloudFormationResource: { readonly propertyPaths: string[] } }[];
}

interface ReportFile {
  readonly pluginReports: { readonly pluginName: string; readonly pluginVersion: string; readonly violations: Violation[] }[];
}

/** An app whose one template CloudFormation's schema rejects (an unknown bucket property, a negative retention). */
function appWithSchemaErrors(outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Invalid', { env: { region: 'eu-west-1' } });
  new CfnResource(stack, 'Bucket', { type: 'AWS::S3::Bucket', properties: { NotABucketProperty: true } });
  new CfnResource(stack, 'Logs', { type: 'AWS::Logs::LogGroup', properties: { RetentionInDays: -5 } });
  return app;
}

/** The CloudFormation Validate report of cdk.out/validation-report.json, without the stack traces (they differ by app). */
function cfnValidateReport(outdir: string): object {
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as ReportFile;
  const own = report.pluginReports.filter((r) => r.pluginName === CloudFormationValidatePlugin.PLUGIN_NAME);
  expect(own).toHaveLength(1);
  return {
    pluginVersion: own[0].pluginVersion,
    violations: own[0].violations.map((v) => ({
      ruleName: v.ruleName,
      description: v.description,
      severity: v.severity,
      at: v.violatingConstructs.map((c) => [c.constructPath, c.cloudFormationResource.propertyPaths]),
    })),
  };
}

describe('TemplateValidationWorker: aws-cdk-lib template validation in a worker thread', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-validation-worker-'));
  let worker: TemplateValidationWorker;
  let inWorker: object;
  let builtIn: object;

  beforeAll(() => {
    const started = TemplateValidationWorker.start();
    if (!started) throw new Error('TemplateValidationWorker.start() returned undefined: is CDK_VALIDATION=false set?');
    worker = started;
    const withWorker = appWithSchemaErrors(path.join(tmp, 'worker'));
    worker.register(withWorker);
    const assembly = withWorker.synth();
    inWorker = cfnValidateReport(assembly.directory);
    // The same app with aws-cdk-lib's own instance, in this thread.
    builtIn = cfnValidateReport(appWithSchemaErrors(path.join(tmp, 'builtin')).synth().directory);
  });

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('reports what the built-in validation reports, under its plugin name and version, as warnings', () => {
    expect(inWorker).toEqual(builtIn);
    expect(inWorker).toMatchObject({
      violations: [
        { ruleName: 'F3002', severity: 'warning', at: [['Invalid/Bucket', ['Properties.NotABucketProperty']]] },
        { ruleName: 'W3030', severity: 'warning', at: [['Invalid/Logs', ['Properties.RetentionInDays']]] },
      ],
    });
  });

  it('validated with the engine it started before the templates existed (aws-cdk-lib internals still as expected)', () => {
    expect(worker.warmEngine).toBe(true);
  });

  it('takes the engine version from the worker, the one aws-cdk-lib reports', () => {
    expect(worker.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(worker.version).toBe(new CloudFormationValidatePlugin().version);
    expect(worker.ruleIds).toEqual([worker.version]);
  });

  it('starts nothing in the fast inner-loop mode (CDK_VALIDATION=false)', () => {
    const previous = process.env.CDK_VALIDATION;
    process.env.CDK_VALIDATION = 'false';
    try {
      expect(TemplateValidationWorker.start()).toBeUndefined();
    } finally {
      if (previous === undefined) delete process.env.CDK_VALIDATION;
      else process.env.CDK_VALIDATION = previous;
    }
  });
});
