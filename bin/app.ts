#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { GATE_APP_CONTEXT } from '../lib/checks/apply-security-checks';
import { TemplateValidationWorker } from '../lib/checks/template-validation-worker';
import { createReferenceApp } from './reference-app';

// aws-cdk-lib's built-in template validation, in a worker thread whose engine starts while the app is built.
const templateValidation = TemplateValidationWorker.start();
const app = new App({ postCliContext: GATE_APP_CONTEXT });
createReferenceApp(app);
// Registered last: the security packs run while the engine finishes starting.
templateValidation?.register(app);
app.synth();
