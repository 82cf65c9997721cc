import * as fs from 'node:fs';
import * as path from 'node:path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack, Stage, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import { GENERIC_ERROR_RESPONSES, RouteInfo, SECURITY_HEADERS, SecureApi } from './secure-api';
import { HttpMethod } from './route-key';

/** File name of the API model, written next to the security report (cdk.out) and into each stage's assembly. */
export const API_MODEL_FILE = 'api-model.json';
/** Version of the api-model.json format; csm-fuzz refuses other versions. */
export const API_MODEL_FORMAT_VERSION = 1;

/** A request parameter the gateway validates. */
export interface ApiModelParameter {
  readonly name: string;
  readonly required: boolean;
}

/** One route (method + resource path) as API Gateway serves it. */
export interface ApiModelRoute {
  readonly method: HttpMethod;
  /** Resource path with the version, e.g. `/v1/orders/{id}`. */
  readonly path: string;
  readonly version: string;
  /** Path parameters in order; `greedy` for `{name+}`. */
  readonly pathParameters: readonly { readonly name: string; readonly greedy: boolean }[];
  readonly queryParameters: readonly ApiModelParameter[];
  readonly headerParameters: readonly ApiModelParameter[];
  /** The validated JSON body (JSON Schema draft 4, as API Gateway gets it); absent when the route takes no body. */
  readonly body?: { readonly contentType: 'application/json'; readonly schema: Record<string, unknown> };
  /** OAuth scopes, any of which grants the route (empty on public routes). */
  readonly scopes: readonly string[];
  /** `COGNITO` (token + scopes), `CUSTOM` (the API's custom authorizer, e.g. token + scopes + certificate) or `NONE`. */
  readonly authorization: 'COGNITO' | 'CUSTOM' | 'NONE';
  readonly apiKeyRequired: boolean;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
}

/** A custom domain serving the API (base path mapping). */
export interface ApiModelDomain {
  readonly domainName: string;
  /** The base path the API is mapped under (`''` = the root). */
  readonly basePath: string;
  /** Clients must present a certificate from the truststore. */
  readonly mutualTls: boolean;
}

/** One SecureApi. */
export interface ApiModelApi {
  /** Construct path of the SecureApi (select it with `csm-fuzz --api`). */
  readonly id: string;
  /** Name of the CDK Stage holding it (`dev`, `prod`), or null at the app's top level. */
  readonly stage: string | null;
  /** Name of the CloudFormation stack holding the REST API. */
  readonly stackName: string;
  /** API Gateway stage name; the execute-api URL is `https://<api-id>.execute-api.<region>.amazonaws.com/<stageName>`. */
  readonly stageName: string;
  /** Whether the default execute-api endpoint is on (off when a custom domain with mTLS fronts the API). */
  readonly executeApiEndpoint: boolean;
  readonly domains: readonly ApiModelDomain[];
  /** Clients must present a client certificate (a domain with mTLS serves the API and execute-api is off). */
  readonly mutualTls: boolean;
  /** How tokens are sent: `<header>: <scheme> <token>`. */
  readonly authorization: { readonly header: 'Authorization'; readonly scheme: 'Bearer'; readonly authorizer: 'COGNITO' | 'CUSTOM' };
  /** How API keys are sent. */
  readonly apiKey: { readonly required: boolean; readonly header: 'x-api-key' };
  /** Stage-wide throttle. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly usageTiers: readonly {
    readonly name: string;
    readonly rateLimit: number;
    readonly burstLimit: number;
    readonly quota: number;
    readonly quotaPeriod: string;
  }[];
  /** The generic error bodies the gateway answers with: `{"message": <message>, "requestId": …}`. */
  readonly errorResponses: readonly { readonly type: string; readonly statusCode: number | null; readonly body: { readonly message: string } }[];
  /** Headers every gateway response carries. */
  readonly securityHeaders: Readonly<Record<string, string>>;
  /** Domains of internal host names (the services' `<service>.<serviceDomain>`): they must never appear in a response. */
  readonly internalDomains: readonly string[];
  readonly routes: readonly ApiModelRoute[];
}

/** The content of api-model.json. */
export interface ApiModel {
  readonly formatVersion: number;
  readonly generatedBy: 'cdk-secure-microservices';
  readonly apis: readonly ApiModelApi[];
}

/** A construct that knows the internal domain of the services behind an API (SecureMicroservicePlatform). */
interface InternalDomainOwner {
  readonly api: SecureApi;
  readonly serviceDomain: string;
}

/** Builds the model of every SecureApi under `root` from the constructs (no template parsing; synth not needed). */
export function buildApiModel(root: IConstruct): ApiModel {
  const all = root.node.findAll();
  const apis = all.filter((c): c is SecureApi => c instanceof SecureApi);
  const owners = all.filter((c): c is IConstruct & InternalDomainOwner => {
    const candidate = c as Partial<InternalDomainOwner>;
    return candidate.api instanceof SecureApi && typeof candidate.serviceDomain === 'string';
  });
  return {
    formatVersion: API_MODEL_FORMAT_VERSION,
    generatedBy: 'cdk-secure-microservices',
    apis: apis.map((api) =>
      describeApi(
        api,
        all,
        owners.filter((o) => o.api === api).map((o) => o.serviceDomain),
      ),
    ),
  };
}

function describeApi(api: SecureApi, all: readonly IConstruct[], internalDomains: string[]): ApiModelApi {
  const stage = Stage.of(api);
  const cfnApi = api.restApi.node.defaultChild as apigw.CfnRestApi;
  const domains = domainsOf(api, all);
  const executeApiEndpoint = cfnApi.disableExecuteApiEndpoint !== true;
  return {
    id: api.node.path,
    stage: stage && stage.node.scope ? stage.stageName : null,
    stackName: Stack.of(api.restApi).stackName,
    stageName: api.stageName,
    executeApiEndpoint,
    domains,
    mutualTls: !executeApiEndpoint && domains.length > 0 && domains.every((d) => d.mutualTls),
    authorization: { header: 'Authorization', scheme: 'Bearer', authorizer: api.authorizationType },
    apiKey: { required: api.apiKeyRequired, header: 'x-api-key' },
    throttle: { ...api.throttle },
    usageTiers: [...api.usageTiers].map(([name, t]) => ({
      name,
      rateLimit: t.rateLimit,
      burstLimit: t.burstLimit,
      quota: t.quota,
      quotaPeriod: t.quotaPeriod,
    })),
    errorResponses: GENERIC_ERROR_RESPONSES.map((r) => ({ type: r.type, statusCode: r.statusCode ?? null, body: { message: r.message } })),
    securityHeaders: Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([k, v]) => [k, v.replace(/^'|'$/g, '')])),
    internalDomains: internalDomains.filter((d) => !Token.isUnresolved(d)),
    routes: api.routes.map((r) => describeRoute(r, api)),
  };
}

function describeRoute(route: RouteInfo, api: SecureApi): ApiModelRoute {
  const params = (where: string) =>
    Object.entries(route.requestParameters)
      .filter(([key]) => key.startsWith(`method.request.${where}.`))
      .map(([key, required]) => ({ name: key.slice(`method.request.${where}.`.length), required }));
  return {
    method: route.method,
    path: route.resourcePath,
    version: route.version,
    pathParameters: route.resourcePath
      .split('/')
      .filter((s) => s.startsWith('{'))
      .map((s) => ({ name: s.slice(1, -1).replace(/\+$/, ''), greedy: s.endsWith('+}') })),
    queryParameters: params('querystring'),
    headerParameters: params('header'),
    body: route.requestModel ? { contentType: 'application/json', schema: toCfnJsonSchema(route.requestModel) } : undefined,
    scopes: [...route.scopes],
    authorization: route.authorization,
    apiKeyRequired: route.apiKeyRequired,
    throttle: { ...(route.throttle ?? api.throttle) },
  };
}

/** Custom domains whose base path mappings point at this API (MutualTlsDomain or any apigw.DomainName). */
function domainsOf(api: SecureApi, all: readonly IConstruct[]): ApiModelDomain[] {
  const cfnDomains = all.filter((c): c is apigw.CfnDomainName => c instanceof apigw.CfnDomainName);
  return all
    .filter((c): c is apigw.CfnBasePathMapping => c instanceof apigw.CfnBasePathMapping && c.restApiId === api.restApi.restApiId)
    .flatMap((mapping) => {
      const domain = cfnDomains.find((d) => d.ref === mapping.domainName);
      if (!domain || typeof domain.domainName !== 'string' || Token.isUnresolved(domain.domainName)) return [];
      return [{ domainName: domain.domainName, basePath: mapping.basePath ?? '', mutualTls: domain.mutualTlsAuthentication !== undefined }];
    });
}

/** CDK's JsonSchema (`schema`, `ref`) as the JSON Schema API Gateway gets (`$schema`, `$ref`, draft 4 by default). */
export function toCfnJsonSchema(schema: apigw.JsonSchema): Record<string, unknown> {
  const mapped = mapSchema(schema, false) as Record<string, unknown>;
  return { $schema: apigw.JsonSchemaVersion.DRAFT4, ...mapped };
}

const PREFIXED: Record<string, string> = { schema: '$schema', ref: '$ref' };
const NAMED_CHILDREN = new Set(['definitions', 'properties', 'patternProperties', 'dependencies']);

function mapSchema(value: unknown, namedChildren: boolean): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => mapSchema(v, false));
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      !namedChildren && PREFIXED[key] ? PREFIXED[key] : key,
      mapSchema(child, !namedChildren && NAMED_CHILDREN.has(key)),
    ]),
  );
}

/**
 * A validation plugin that never fails: on every synth it writes cdk.out/api-model.json (every SecureApi of the app:
 * routes, parameters, body schemas, scopes, API keys, mTLS, usage tiers, generic error bodies) for `csm-fuzz`, and
 * `<stage assembly>/api-model.json` with only that stage's APIs for each CDK Stage.
 */
export class ApiModelPlugin implements IPolicyValidationPlugin {
  public readonly name = 'ApiModel';

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const root = context.appConstruct;
    const outdir = root && Stage.isStage(root) ? root.outdir : path.dirname(context.templatePaths[0] ?? '.');
    const model = buildApiModel(root);
    writeModel(path.join(outdir, API_MODEL_FILE), model);
    for (const stage of new Set(model.apis.map((a) => a.stage).filter((s): s is string => s !== null))) {
      const stageConstruct = root.node.findAll().find((c): c is Stage => Stage.isStage(c) && c !== root && c.stageName === stage);
      if (stageConstruct && fs.existsSync(stageConstruct.outdir)) {
        writeModel(path.join(stageConstruct.outdir, API_MODEL_FILE), { ...model, apis: model.apis.filter((a) => a.stage === stage) });
      }
    }
    return { success: true, violations: [] };
  }
}

function writeModel(file: string, model: ApiModel): void {
  fs.writeFileSync(file, `${JSON.stringify(model, null, 2)}\n`);
}
