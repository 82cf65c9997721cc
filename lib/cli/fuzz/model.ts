import * as fs from 'node:fs';
import type { ApiModel, ApiModelApi } from '../../api/api-model';
import { isHttpMethod } from '../../api/route-key';

/** A mistake in how csm-fuzz was called (exit code 2). */
export class UsageError extends Error {}

const FORMAT_VERSION = 1;

/** Reads and checks an api-model.json written at synth (cdk.out/api-model.json). */
export function loadModel(file: string): ApiModel {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read --model ${file}: ${(e as Error).message}. Fix: run "cdk synth" (applySecurityChecks writes cdk.out/api-model.json) and pass that file.`,
    );
  }
  let model: ApiModel;
  try {
    model = JSON.parse(text) as ApiModel;
  } catch (e) {
    throw new UsageError(`--model ${file} is not JSON (${(e as Error).message}). Fix: pass the api-model.json that cdk synth wrote.`);
  }
  if (!model || model.formatVersion !== FORMAT_VERSION || !Array.isArray(model.apis)) {
    throw new UsageError(
      `--model ${file} is not an api-model.json of format version ${FORMAT_VERSION} (received formatVersion ${JSON.stringify(model?.formatVersion)}). Fix: synthesize with this version of cdk-secure-microservices and pass cdk.out/api-model.json.`,
    );
  }
  for (const api of model.apis) checkApi(file, api);
  return model;
}

function checkApi(file: string, api: ApiModelApi): void {
  const bad = (what: string) =>
    new UsageError(`--model ${file}: API ${JSON.stringify(api?.id)} ${what}. Fix: regenerate it with cdk synth instead of editing it.`);
  if (typeof api?.id !== 'string' || !Array.isArray(api.routes) || !api.authorization || !api.apiKey || !Array.isArray(api.errorResponses)) {
    throw bad('lacks id, routes, authorization, apiKey or errorResponses');
  }
  for (const route of api.routes) {
    if (
      !isHttpMethod(route?.method) ||
      typeof route.path !== 'string' ||
      !route.path.startsWith('/') ||
      !Array.isArray(route.scopes) ||
      !Array.isArray(route.pathParameters) ||
      !Array.isArray(route.queryParameters)
    ) {
      throw bad(`has an invalid route ${JSON.stringify(route?.method)} ${JSON.stringify(route?.path)}`);
    }
  }
  if (api.routes.length === 0) throw bad('has no route');
}

/** The API to fuzz: the only one, or the one whose id or stage is `selector`. */
export function selectApi(model: ApiModel, selector: string | undefined): ApiModelApi {
  const ids = model.apis.map((a) => `${a.id}${a.stage ? ` (stage ${a.stage})` : ''}`).join(', ');
  if (selector === undefined) {
    if (model.apis.length === 1) return model.apis[0];
    throw new UsageError(
      model.apis.length === 0
        ? 'the model has no API (no SecureApi in the app). Fix: synthesize an app with a SecureApi or SecureMicroservicePlatform.'
        : `the model has ${model.apis.length} APIs: ${ids}. Fix: choose one with --api <id or stage>.`,
    );
  }
  const found = model.apis.filter((a) => a.id === selector || a.stage === selector);
  if (found.length !== 1) throw new UsageError(`--api ${selector} matches ${found.length} APIs of the model. Fix: use one of ${ids}.`);
  return found[0];
}
