import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { synthesizeWithChecks } from '../../lib/testing/synth-with-checks';
import { expectCfnLintClean } from '../support/checks';
import { expectNoFindings, expectReasonedAcknowledgements, newApp } from '../support/harness';

const examplesDir = path.join(__dirname, '..', '..', 'examples');
const examples = fs
  .readdirSync(examplesDir)
  .filter((name) => fs.existsSync(path.join(examplesDir, name, 'app.ts')))
  .sort();

describe('examples', () => {
  it('exist', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('%s synthesizes with every pack clean and passes cfn-lint', async (name) => {
    const example = (await import(path.join(examplesDir, name, 'app.ts'))) as { build(app: App): void };
    const app = newApp();
    example.build(app);
    const result = synthesizeWithChecks(app);
    expect(result.packs).toEqual(
      expect.arrayContaining(['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security', 'PlatformChecks']),
    );
    expectNoFindings(result);
    expectReasonedAcknowledgements(result);
    expectCfnLintClean(result.templatePaths);
  });
});
