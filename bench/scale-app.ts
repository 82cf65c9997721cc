/**
 * A CDK app of the bench's platform for end-to-end `cdk synth` timing (bench/run.ts runs it through the CLI):
 * `npx cdk synth --app "node scripts/run-app.mjs bench/scale-app.ts" -c services=300`. Every pack runs, as in the
 * reference app, and aws-cdk-lib's template validation runs in a worker thread, as in bin/app.ts.
 */
import { App } from 'aws-cdk-lib';
import { applySecurityChecks, GATE_APP_CONTEXT } from '../lib/checks/apply-security-checks';
import { TemplateValidationWorker } from '../lib/checks/template-validation-worker';
import { buildScalePlatform } from './scale-platform';

const templateValidation = TemplateValidationWorker.start();
const app = new App({ postCliContext: GATE_APP_CONTEXT });
buildScalePlatform(app, Number(app.node.tryGetContext('services') ?? 100));
applySecurityChecks(app);
templateValidation?.register(app);
app.synth();
