#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { GATE_APP_CONTEXT } from '../lib/checks/apply-security-checks';
import { createReferenceApp } from './reference-app';

const app = new App({ postCliContext: GATE_APP_CONTEXT });
createReferenceApp(app);
app.synth();
