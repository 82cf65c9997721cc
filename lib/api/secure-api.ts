import { Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeFinding, acknowledgeFindings, complianceFindingIds } from '../core/acknowledge';
import { invalidProp } from '../private/errors';
import { parseScope } from '../private/oauth-scope';
import { recordOptOut, SecurityOptOut } from '../core/opt-out';
import { assertReason } from '../private/reason';
import { createSecureLogGroup } from '../core/secure-log-group';
import { API_VERSION_PATTERN, wholeNumber } from '../private/validation';
import { BODY_METHODS, HTTP_METHODS, HttpMethod, isHttpMethod, routeKey, RouteKey } from './route-key';

/** Requests per second (steady rate) and concurrent burst allowed. */
export interface ThrottleOptions {
  /** Steady-state requests per second (> 0). */
  readonly rateLimit: number;
  /** Burst capacity in requests (a whole number ≥ rateLimit). */
  readonly burstLimit: number;
}

/** A usage plan tier: throttle plus quota, applied to every API key of the tier. */
export interface UsageTierOptions extends ThrottleOptions {
  /** Requests allowed per quota period (a whole number > 0). */
  readonly quota: number;
  /** The quota period: `Period.DAY`, `Period.WEEK` or `Period.MONTH`. */
  readonly quotaPeriod: apigw.Period;
}

/** A Lambda (or other) authorizer used instead of Cognito, e.g. for the mTLS path that checks client certificates. */
export interface CustomAuthorizerOptions {
  /** The authorizer every route uses (it must enforce the route scopes listed in `SecureApi.routes`). */
  readonly authorizer: apigw.IAuthorizer;
  /** Why Cognito is not the authorizer here; recorded on every method's AwsSolutions-COG4 acknowledgement. */
  readonly reason: string;
}

export interface SecureApiProps {
  /** The user pool whose tokens the Cognito authorizer accepts. */
  readonly userPool: cognito.IUserPool;
  /** Encrypts the access-log group (use `PlatformKeys.logsKey`). */
  readonly logsKey: kms.IKey;
  /**
   * Encrypts the alarm topic. CloudWatch alarms must be allowed to use it (`PlatformKeys.dataKey` is).
   */
  readonly alarmTopicKey: kms.IKey;
  /**
   * Name of the REST API; also the `ApiName` dimension of its metrics and the prefix of its alarm names, so two APIs
   * in one account need different names.
   * @default - the construct id (`Resource`); alarm names generated
   */
  readonly apiName?: string;
  /**
   * Name of the stage (letters, digits, "_").
   * @default 'prod'
   */
  readonly stageName?: string;
  /**
   * Stage-wide throttling applied to every method (routes may override it).
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly throttle?: ThrottleOptions;
  /**
   * Usage tiers by name, e.g. `{ free: {...}, partner: {...} }`; more can be added with `addUsageTier`.
   * @default - none
   */
  readonly usageTiers?: Record<string, UsageTierOptions>;
  /**
   * Access-log retention (whole days, a finite CloudWatch Logs value: ALLOWED_RETENTION_DAYS).
   * @default Duration.days(365)
   */
  readonly accessLogRetention?: Duration;
  /**
   * Manage API Gateway's account-wide CloudWatch Logs role (`AWS::ApiGateway::Account`) from this API.
   * Execution logging needs that role once per account and region; the setting is account-wide, so exactly one
   * stack should manage it. The role is retained when the stack is deleted.
   * @default false - the account setting is left alone (it must already be set)
   */
  readonly manageAccountCloudWatchRole?: boolean;
  /**
   * Use this authorizer instead of the Cognito one on every route (e.g. the mTLS Lambda authorizer).
   * @default - Cognito user pool authorizer with per-route scopes
   */
  readonly customAuthorizer?: CustomAuthorizerOptions;
  /**
   * Turn off the API-key requirement on every method. API keys identify the calling client and tie it to a tier.
   * @default - API keys required
   */
  readonly withoutApiKeys?: SecurityOptOut;
  /**
   * Turn off the default `execute-api` endpoint (do this when a custom domain with mTLS fronts the API).
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;
  /**
   * Alarm thresholds.
   * @default - see AlarmThresholds
   */
  readonly alarmThresholds?: AlarmThresholds;
  /**
   * Who may call the API at all, on top of the stage-only resource policy every SecureApi has.
   * @default - any source (authentication, API keys and WAF decide)
   */
  readonly resourcePolicy?: ApiResourcePolicyOptions;
}

/** Source conditions of the API's resource policy; a request must match one of those given. */
export interface ApiResourcePolicyOptions {
  /**
   * Client IP ranges (CIDR) allowed to call the API (`aws:SourceIp`).
   * @default - no IP condition
   */
  readonly allowedSourceIpRanges?: string[];
  /**
   * Interface VPC endpoints (`vpce-…`) of execute-api through which the API may be called (`aws:SourceVpce`).
   * @default - no VPC endpoint condition
   */
  readonly allowedSourceVpcEndpoints?: string[];
}

export interface AlarmThresholds {
  /** @default 5 — 5XX responses per 5 minutes */
  readonly serverErrors?: number;
  /** @default 0.1 — share of requests answered 4XX over 5 minutes */
  readonly clientErrorRate?: number;
  /** @default 3000 — p99 latency in milliseconds */
  readonly p99LatencyMs?: number;
  /** @default 100 — WAF-blocked requests per 5 minutes */
  readonly wafBlockedRequests?: number;
}

/** HTTP methods a route may use (no ANY: every verb is a deliberate decision). */
export const ROUTE_METHODS: readonly HttpMethod[] = HTTP_METHODS;

export interface RouteOptions {
  /** API version, `v1`, `v2`…; the route is served under `/<version>`. */
  readonly version: string;
  /** Path below the version, starting with "/", e.g. `/orders/{id}`. */
  readonly path: string;
  /** One of ROUTE_METHODS. */
  readonly method: HttpMethod;
  /**
   * OAuth scopes (`<resourceServerId>/<scope>`); a token needs one of them. Required unless `publicRoute`.
   * @default - none (only allowed with publicRoute)
   */
  readonly scopes?: string[];
  /** The backend. */
  readonly integration: apigw.Integration;
  /**
   * JSON schema of the request body; required for POST, PUT and PATCH.
   * @default - no body model
   */
  readonly requestModel?: apigw.JsonSchema;
  /**
   * Request parameters to validate (`method.request.querystring.x`: required?); path parameters are added.
   * @default - path parameters only
   */
  readonly requestParameters?: Record<string, boolean>;
  /**
   * Method responses (for non-proxy integrations).
   * @default - none
   */
  readonly methodResponses?: apigw.MethodResponse[];
  /**
   * Throttling for this route, overriding the stage-wide one.
   * @default - the stage-wide throttle
   */
  readonly throttle?: ThrottleOptions;
  /**
   * Serve the route without authorization (no token, no scope). The reason is printed at synth and recorded
   * on the method's acknowledgements.
   * @default - authorized route
   */
  readonly publicRoute?: SecurityOptOut;
  /**
   * Where the route's API resources (below the version), method and body model are created, e.g. the nested stack of
   * the service behind it, so the API's own stack does not grow with the routes (CloudFormation's 500 resources per
   * stack). The version resource (`/v1`) and the deployment stay with the API; the deployment depends on the route.
   * @default - the API's stack
   */
  readonly scope?: Construct;
}

/** What a route requires, for authorizers and reviewers (`SecureApi.routes`). */
export interface RouteInfo {
  /** `"<METHOD> <resource path>"` (`"GET /v1/orders/{id}"`), the key the mTLS authorizer's route map uses. */
  readonly key: RouteKey;
  readonly version: string;
  readonly method: HttpMethod;
  /** The path as given, below the version (`/orders/{id}`). */
  readonly path: string;
  /** The full resource path (`/v1/orders/{id}`). */
  readonly resourcePath: string;
  readonly scopes: readonly string[];
  readonly public: boolean;
  /** JSON schema the body is validated against (POST, PUT, PATCH). */
  readonly requestModel?: apigw.JsonSchema;
  /** Validated request parameters (`method.request.<where>.<name>`: required?), path parameters included. */
  readonly requestParameters: Readonly<Record<string, boolean>>;
  /** Whether the method requires an API key. */
  readonly apiKeyRequired: boolean;
  /** `COGNITO` (token + route scopes), `CUSTOM` (the custom authorizer) or `NONE` (public route). */
  readonly authorization: 'COGNITO' | 'CUSTOM' | 'NONE';
  /** The route's own throttle, when it overrides the stage-wide one. */
  readonly throttle?: ThrottleOptions;
}

/** A route added by `SecureApi.addRoute`: what it requires and the API Gateway method created for it. */
export interface AddedRoute extends RouteInfo {
  readonly apiMethod: apigw.Method;
}

/** Response headers every gateway response carries (values are API Gateway header-mapping literals). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': "'max-age=31536000; includeSubDomains'",
  'X-Content-Type-Options': "'nosniff'",
  'Cache-Control': "'no-store'",
  'X-Frame-Options': "'DENY'",
  // A JSON API serves no page: sandbox blocks scripts, forms, plugins and same-origin access should a browser ever
  // render a response. (API Gateway wraps static values in single quotes, so quoted keywords such as 'none' cannot
  // be written here.)
  'Content-Security-Policy': "'sandbox'",
};

/**
 * SECURITY_HEADERS as `responseParameters` of an integration response
 * (`method.response.header.<name>`); declare the same keys in the method response.
 */
export function securityHeaderResponseParameters(): Record<string, string> {
  return Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([name, value]) => [`method.response.header.${name}`, value]));
}

/** A method response declaring SECURITY_HEADERS, to pair with `securityHeaderResponseParameters()`. */
export function securityHeadersMethodResponse(statusCode = '200'): apigw.MethodResponse {
  return {
    statusCode,
    responseParameters: Object.fromEntries(Object.keys(SECURITY_HEADERS).map((name) => [`method.response.header.${name}`, true])),
  };
}

/** A gateway response SecureApi replaces with a generic body. */
export interface GenericErrorResponse {
  /** API Gateway response type (`UNAUTHORIZED`, `DEFAULT_4XX`, …). */
  readonly type: string;
  /** The status API Gateway answers with; undefined for DEFAULT_4XX/DEFAULT_5XX (the status of the error). */
  readonly statusCode?: number;
  /** The `message` of the JSON body (`{"message": …, "requestId": …}`). */
  readonly message: string;
}

/** Gateway responses replaced by a generic body: nothing about the API's internals leaks. */
const GENERIC_GATEWAY_RESPONSES: ReadonlyArray<[apigw.ResponseType, string, string, number | undefined]> = [
  [apigw.ResponseType.DEFAULT_4XX, 'Default4xx', 'Request rejected', undefined],
  [apigw.ResponseType.DEFAULT_5XX, 'Default5xx', 'Internal error', undefined],
  [apigw.ResponseType.UNAUTHORIZED, 'Unauthorized', 'Unauthorized', 401],
  [apigw.ResponseType.ACCESS_DENIED, 'AccessDenied', 'Forbidden', 403],
  [apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, 'MissingAuthenticationToken', 'Forbidden', 403],
  [apigw.ResponseType.BAD_REQUEST_BODY, 'BadRequestBody', 'Invalid request', 400],
  [apigw.ResponseType.BAD_REQUEST_PARAMETERS, 'BadRequestParameters', 'Invalid request', 400],
  [apigw.ResponseType.WAF_FILTERED, 'WafFiltered', 'Forbidden', 403],
  [apigw.ResponseType.THROTTLED, 'Throttled', 'Too many requests', 429],
  [apigw.ResponseType.QUOTA_EXCEEDED, 'QuotaExceeded', 'Too many requests', 429],
];

/** The generic error bodies every SecureApi answers with (type, status, message), e.g. for fuzzers and clients. */
export const GENERIC_ERROR_RESPONSES: readonly GenericErrorResponse[] = GENERIC_GATEWAY_RESPONSES.map(([type, , message, statusCode]) => ({
  type: type.responseType,
  statusCode,
  message,
}));

/** The JSON access-log line: who called, what was decided (WAF, authorizer) and how it went. */
const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTimeEpoch',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  apiKeyId: '$context.identity.apiKeyId',
  principalId: '$context.authorizer.principalId',
  clientId: '$context.authorizer.claims.client_id',
  subject: '$context.authorizer.claims.sub',
  clientCertSerial: '$context.identity.clientCert.serialNumber',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  domainName: '$context.domainName',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  wafStatus: '$context.waf.status',
  wafError: '$context.waf.error',
  wafLatency: '$context.waf.latency',
  authenticateStatus: '$context.authenticate.status',
  authenticateError: '$context.authenticate.error',
  authorizerStatus: '$context.authorizer.status',
  authorizerError: '$context.authorizer.error',
  authorizerLatency: '$context.authorizer.latency',
  authorizeStatus: '$context.authorize.status',
  authorizeError: '$context.authorize.error',
};

const PATH_SEGMENT = /^(?:[A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]*\+?\})$/;
const REQUEST_PARAMETER = /^method\.request\.(querystring|header|path|multivaluequerystring|multivalueheader)\.[A-Za-z0-9._$-]+$/;
const STAGE_NAME = /^[A-Za-z0-9_]{1,128}$/;
const TIER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const QUOTA_PERIODS: readonly string[] = [apigw.Period.DAY, apigw.Period.WEEK, apigw.Period.MONTH];

/**
 * The platform's single entry point (P2–P5, P9, P10, P12, P13): a regional REST API that denies by default.
 * Every route needs a Cognito token with one of its OAuth scopes (or the custom authorizer) and an API key; routes
 * live under versioned base paths; requests are validated; access logs are JSON in a KMS-encrypted log group;
 * errors are generic; the stage is throttled and traced; alarms notify an encrypted SNS topic.
 */
export class SecureApi extends Construct {
  public readonly restApi: apigw.RestApi;
  public readonly stage: apigw.Stage;
  public readonly accessLogGroup: logs.LogGroup;
  /** The certificate API Gateway presents to backends, so they can tell its calls apart. */
  public readonly backendClientCertificate: apigw.CfnClientCertificate;
  /** Usage plans by tier name. */
  public readonly usagePlans: ReadonlyMap<string, apigw.UsagePlan>;
  public readonly alarmTopic: sns.Topic;
  /** 5XX, 4XX rate, p99 latency and (after `addFirewallAlarm`) WAF-blocked alarms. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** The API Gateway stage name (`prod` by default). */
  public readonly stageName: string;
  /** The stage-wide throttle. */
  public readonly throttle: ThrottleOptions;
  /** Whether every method requires an API key (false only with `withoutApiKeys`). */
  public readonly apiKeyRequired: boolean;

  private readonly tierOptions = new Map<string, UsageTierOptions>();
  private readonly tiers = new Map<string, apigw.UsagePlan>();
  private readonly alarmList: cloudwatch.Alarm[] = [];
  private readonly routeList: RouteInfo[] = [];
  private readonly routeThrottles: { resourcePath: string; method: HttpMethod; throttle: ThrottleOptions }[] = [];
  private readonly stageThrottle: ThrottleOptions;
  private readonly requireApiKey: boolean;
  private readonly validator: apigw.RequestValidator;
  private readonly customAuthorizer?: CustomAuthorizerOptions;
  private readonly thresholds: Required<AlarmThresholds>;
  private readonly userPool: cognito.IUserPool;
  private cognitoAuthorizer?: apigw.CognitoUserPoolsAuthorizer;
  private readonly apiName?: string;

  constructor(scope: Construct, id: string, props: SecureApiProps) {
    super(scope, id);
    const stageName = props.stageName ?? 'prod';
    this.stageThrottle = props.throttle ?? { rateLimit: 50, burstLimit: 100 };
    this.validateSettings(props, stageName, this.stageThrottle);
    this.stageName = stageName;
    this.throttle = this.stageThrottle;
    this.customAuthorizer = props.customAuthorizer;
    this.apiName = props.apiName;
    this.requireApiKey = props.withoutApiKeys === undefined;
    this.apiKeyRequired = this.requireApiKey;
    if (props.withoutApiKeys) recordOptOut(this, 'withoutApiKeys', 'API keys required on every method', props.withoutApiKeys);
    this.thresholds = { serverErrors: 5, clientErrorRate: 0.1, p99LatencyMs: 3000, wafBlockedRequests: 100, ...props.alarmThresholds };

    this.accessLogGroup = createSecureLogGroup(this, 'AccessLogs', {
      encryptionKey: props.logsKey,
      retention: props.accessLogRetention,
      retentionPropName: 'accessLogRetention',
    });
    this.backendClientCertificate = new apigw.CfnClientCertificate(this, 'BackendClientCertificate', {
      description: `Client certificate ${this.node.path} presents to its backends`,
    });

    this.restApi = this.createRestApi(props, stageName);
    this.stage = this.restApi.deploymentStage;
    // Method settings are rendered late so per-route throttles added after construction are included.
    (this.stage.node.defaultChild as apigw.CfnStage).methodSettings = Lazy.any({ produce: () => this.renderMethodSettings() });
    this.acknowledgeFixedFindings(props);

    this.userPool = props.userPool;
    this.validator = this.restApi.addRequestValidator('RequestValidator', { validateRequestBody: true, validateRequestParameters: true });
    this.addGenericErrorResponses();

    this.alarmTopic = this.createAlarmTopic(props.alarmTopicKey);
    this.addDefaultAlarms();
    this.alarms = this.alarmList;

    this.usagePlans = this.tiers;
    for (const [name, tier] of Object.entries(props.usageTiers ?? {})) this.addUsageTier(name, tier);
  }

  /** Checks the stage name, the stage-wide throttle and the custom authorizer's reason (invalidProp: prop, value, problem, fix). */
  private validateSettings(props: SecureApiProps, stageName: string, throttle: ThrottleOptions): void {
    if (!Token.isUnresolved(stageName) && !STAGE_NAME.test(stageName)) {
      invalidProp(this, 'stageName', stageName, 'API Gateway stage names are letters, digits and "_"', 'use a name such as "prod" or "v1_live"');
    }
    validateThrottle(this, 'throttle', throttle);
    if (props.customAuthorizer) {
      assertReason(
        this,
        'customAuthorizer.reason',
        props.customAuthorizer.reason,
        "the reason is recorded on every method's AwsSolutions-COG4 acknowledgement (say why this authorizer replaces Cognito)",
      );
    }
  }

  /** The regional REST API and its stage: JSON access logs, tracing, the backend client certificate, the resource policy. */
  private createRestApi(props: SecureApiProps, stageName: string): apigw.RestApi {
    return new apigw.RestApi(this, 'Resource', {
      restApiName: props.apiName,
      description: 'cdk-secure-microservices SecureApi',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      cloudWatchRole: props.manageAccountCloudWatchRole ?? false,
      cloudWatchRoleRemovalPolicy: props.manageAccountCloudWatchRole ? RemovalPolicy.RETAIN : undefined,
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint ?? false,
      apiKeySourceType: apigw.ApiKeySourceType.HEADER,
      policy: apiResourcePolicy(this, stageName, props.resourcePolicy ?? {}),
      deployOptions: {
        stageName,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        tracingEnabled: true,
        clientCertificateId: this.backendClientCertificate.attrClientCertificateId,
      },
    });
  }

  /** What the API leaves off on purpose: the managed policy of the account-wide logging role, stage caching. */
  private acknowledgeFixedFindings(props: SecureApiProps): void {
    if (props.manageAccountCloudWatchRole) {
      const role = this.restApi.node.findChild('CloudWatchRole');
      acknowledgeFinding(
        role,
        'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'AmazonAPIGatewayPushToCloudWatchLogs is the AWS-documented policy for the account-wide API Gateway logging role; it writes only to API Gateway log groups.',
      );
    }
    // Caching authorized responses risks serving one caller's data to another (the cache key ignores the token).
    acknowledgeFindings(
      this.stage,
      complianceFindingIds('APIGWCacheEnabledAndEncrypted'),
      "Stage caching is off on purpose: responses are per caller (OAuth scopes, tenants) and the cache key ignores the token, so a cache could serve one client's data to another.",
    );
  }

  /** Gateway responses with a generic JSON body and SECURITY_HEADERS: nothing about the API's internals leaks. */
  private addGenericErrorResponses(): void {
    for (const [type, id, message] of GENERIC_GATEWAY_RESPONSES) {
      this.restApi.addGatewayResponse(id, {
        type,
        responseHeaders: { ...SECURITY_HEADERS },
        templates: { 'application/json': JSON.stringify({ message, requestId: '$context.requestId' }) },
      });
    }
  }

  /** The encrypted, TLS-only alarm topic, which this account's CloudWatch alarms may publish to. */
  private createAlarmTopic(masterKey: kms.IKey): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', { masterKey, enforceSSL: true, displayName: 'SecureApi alarms' });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one: without this statement
    // CloudWatch could not publish and every alarm would be silent.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    return topic;
  }

  /** 5XX responses, share of 4XX responses and p99 latency, over 5 minutes, against the thresholds. */
  private addDefaultAlarms(): void {
    this.addAlarm(
      'ServerErrors',
      this.stage.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      this.thresholds.serverErrors,
      '5XX responses',
    );
    this.addAlarm(
      'ClientErrorRate',
      this.stage.metricClientError({ period: Duration.minutes(5), statistic: 'Average' }),
      this.thresholds.clientErrorRate,
      'share of 4XX responses',
    );
    this.addAlarm(
      'P99Latency',
      this.stage.metricLatency({ period: Duration.minutes(5), statistic: 'p99' }),
      this.thresholds.p99LatencyMs,
      'p99 latency (ms)',
    );
  }

  /**
   * The authorizer of every non-public route: `customAuthorizer` when given, else the Cognito user pool authorizer
   * (created on first use: CDK rejects an authorizer no method uses).
   */
  public get authorizer(): apigw.IAuthorizer {
    if (this.customAuthorizer) return this.customAuthorizer.authorizer;
    this.cognitoAuthorizer ??= new apigw.CognitoUserPoolsAuthorizer(this, 'CognitoAuthorizer', {
      cognitoUserPools: [this.userPool],
      resultsCacheTtl: Duration.minutes(5),
    });
    return this.cognitoAuthorizer;
  }

  /** The routes added so far, with the scopes each requires (for custom authorizers and reviews). */
  public get routes(): readonly RouteInfo[] {
    return [...this.routeList];
  }

  /** The usage tiers added so far, by name, with their throttle and quota. */
  public get usageTiers(): ReadonlyMap<string, UsageTierOptions> {
    return new Map(this.tierOptions);
  }

  /** `CUSTOM` when `customAuthorizer` replaces Cognito on every non-public route, else `COGNITO`. */
  public get authorizationType(): 'COGNITO' | 'CUSTOM' {
    return this.customAuthorizer ? 'CUSTOM' : 'COGNITO';
  }

  /**
   * Adds a route under `/<version><path>`: authorized, API-key protected and validated unless opted out. Returns
   * what the route requires (as listed in `routes`) and the API Gateway method created for it.
   */
  public addRoute(options: RouteOptions): AddedRoute {
    const { method, segments, resourcePath, key, scopes } = this.validateRoute(options);
    const pathParameters = Object.fromEntries(
      segments.filter((s) => s.startsWith('{')).map((s) => [`method.request.path.${s.slice(1, -1).replace(/\+$/, '')}`, true]),
    );
    const elsewhere = options.scope && Stack.of(options.scope) !== Stack.of(this) ? this.routeContainer(options.scope) : undefined;
    const modelId = `Model${method}${resourcePath.replace(/[^A-Za-z0-9]/g, '')}`;
    const modelProps: apigw.ModelOptions = { contentType: 'application/json', schema: options.requestModel! };
    const requestModels = options.requestModel
      ? {
          'application/json': elsewhere
            ? new apigw.Model(elsewhere, modelId, { restApi: this.restApi, ...modelProps })
            : this.restApi.addModel(modelId, modelProps),
        }
      : undefined;
    const auth: Partial<apigw.MethodOptions> = options.publicRoute
      ? { authorizationType: apigw.AuthorizationType.NONE }
      : this.customAuthorizer
        ? { authorizationType: apigw.AuthorizationType.CUSTOM, authorizer: this.authorizer }
        : { authorizationType: apigw.AuthorizationType.COGNITO, authorizer: this.authorizer, authorizationScopes: scopes };

    const requestParameters: Record<string, boolean> = { ...pathParameters, ...options.requestParameters };
    const methodOptions: apigw.MethodOptions = {
      ...auth,
      apiKeyRequired: this.requireApiKey,
      requestValidator: this.validator,
      requestModels,
      requestParameters,
      methodResponses: options.methodResponses,
    };
    const created = elsewhere
      ? new apigw.Method(elsewhere, `${method}${resourcePath.replace(/\//g, '_')}`, {
          resource: this.resourceIn(elsewhere, `/${options.version}`, segments),
          httpMethod: method,
          integration: options.integration,
          options: methodOptions,
        })
      : this.restApi.root.resourceForPath(resourcePath).addMethod(method, options.integration, methodOptions);

    if (options.publicRoute) {
      acknowledgeFindings(
        created,
        ['AwsSolutions::AwsSolutions-APIG4', 'AwsSolutions::AwsSolutions-COG4', 'PlatformChecks::Platform-MethodAuthorizedWithScopes'],
        `publicRoute opt-out: ${options.publicRoute.reason}`,
      );
    } else if (this.customAuthorizer) {
      acknowledgeFinding(created, 'AwsSolutions::AwsSolutions-COG4', `customAuthorizer: ${this.customAuthorizer.reason}`);
    }
    if (options.throttle) this.routeThrottles.push({ resourcePath, method, throttle: options.throttle });
    const info: RouteInfo = {
      key,
      version: options.version,
      method,
      path: options.path,
      resourcePath,
      scopes: [...scopes],
      public: options.publicRoute !== undefined,
      requestModel: options.requestModel,
      requestParameters,
      apiKeyRequired: this.requireApiKey,
      authorization: options.publicRoute ? 'NONE' : this.authorizationType,
      throttle: options.throttle,
    };
    this.routeList.push(info);
    return { ...info, apiMethod: created };
  }

  /** Checks every option of a route (invalidProp: prop, value, problem, fix) and records a publicRoute opt-out. */
  private validateRoute(options: RouteOptions): { method: HttpMethod; segments: string[]; resourcePath: string; key: RouteKey; scopes: string[] } {
    const { method, segments, resourcePath } = this.validateRoutePath(options);
    const route = routeKey(method, resourcePath);
    if (this.routeList.some((r) => routeKey(r.method, r.resourcePath) === route)) {
      invalidProp(this, 'addRoute', route, 'this route already exists', 'change the path, method or version (a new version gets its own base path)');
    }
    const scopes = this.validateRouteScopes(route, options);
    if (BODY_METHODS.includes(method) && !options.requestModel) {
      invalidProp(
        this,
        'addRoute.requestModel',
        undefined,
        `${route} accepts a body, which must be validated against a JSON schema`,
        'pass requestModel: { type: JsonSchemaType.OBJECT, properties: {…}, additionalProperties: false }',
      );
    }
    for (const key of Object.keys(options.requestParameters ?? {})) {
      if (!REQUEST_PARAMETER.test(key)) {
        invalidProp(
          this,
          'addRoute.requestParameters',
          key,
          'keys are method.request.<querystring|header|path>.<name>',
          'use e.g. "method.request.querystring.limit"',
        );
      }
    }
    if (options.throttle) validateThrottle(this, `addRoute(${route}).throttle`, options.throttle);
    return { method, segments, resourcePath, key: route, scopes };
  }

  /** Checks a route's method, version and path; returns the method, the path's segments and the full resource path. */
  private validateRoutePath(options: RouteOptions): { method: HttpMethod; segments: string[]; resourcePath: string } {
    // Upper-cased for JavaScript callers, whom the HttpMethod type does not reach.
    const method = String(options.method ?? '').toUpperCase();
    if (!isHttpMethod(method)) {
      invalidProp(
        this,
        'addRoute.method',
        options.method,
        'unknown or unsupported HTTP method (ANY and OPTIONS are not routes)',
        `use one of ${ROUTE_METHODS.join(', ')}`,
      );
    }
    if (!API_VERSION_PATTERN.test(options.version)) {
      invalidProp(
        this,
        'addRoute.version',
        options.version,
        'versions are "v" followed by a number, so a new version gets its own base path',
        'use "v1", "v2", …',
      );
    }
    if (!options.path.startsWith('/')) {
      invalidProp(this, 'addRoute.path', options.path, 'the path must start with "/"', `use "/${options.path}"`);
    }
    const segments = options.path
      .split('/')
      .slice(1)
      .filter((s, _i, all) => !(s === '' && all.length === 1));
    for (const segment of segments) {
      if (!PATH_SEGMENT.test(segment)) {
        invalidProp(
          this,
          'addRoute.path',
          options.path,
          `segment "${segment}" is not a plain name or a {parameter}`,
          'use segments of letters, digits, "._~-" or {name}, without a trailing "/"',
        );
      }
    }
    const resourcePath = `/${options.version}${segments.length ? `/${segments.join('/')}` : ''}`;
    return { method, segments, resourcePath };
  }

  /** Checks a route's scopes: well-formed, at least one unless the route is public (recorded), none if it is. */
  private validateRouteScopes(route: RouteKey, options: RouteOptions): string[] {
    const scopes = options.scopes ?? [];
    for (const scope of scopes) {
      if (!parseScope(scope)) {
        invalidProp(
          this,
          'addRoute.scopes',
          scope,
          'scopes are "<resourceServerId>/<scope>" in Cognito\'s character set',
          'use a scope such as "orders/read"',
        );
      }
    }
    if (options.publicRoute) {
      recordOptOut(this, `addRoute(${route}).publicRoute`, `authorization on ${route}`, options.publicRoute);
      if (scopes.length > 0)
        invalidProp(
          this,
          'addRoute.scopes',
          scopes,
          'a public route checks no token, so scopes would not be enforced',
          'drop the scopes or the publicRoute option',
        );
    } else if (scopes.length === 0) {
      invalidProp(
        this,
        'addRoute.scopes',
        scopes,
        `${route} needs at least one OAuth scope (deny by default)`,
        'pass scopes such as ["orders/read"], or publicRoute: { reason } for a deliberately public route',
      );
    }
    return scopes;
  }

  /** The construct under which routes placed in `scope` create their resources, methods and models (`<scope>/Api`). */
  private routeContainer(scope: Construct): Construct {
    return (scope.node.tryFindChild('Api') as Construct | undefined) ?? new Construct(scope, 'Api');
  }

  /**
   * The resource for `<version>/<segments>`: the version resource stays in the API's stack (every service shares it);
   * missing resources below it are created in `container`, existing ones (another service's prefix) are reused.
   */
  private resourceIn(container: Construct, versionPath: string, segments: string[]): apigw.IResource {
    let current = this.restApi.root.resourceForPath(versionPath) as apigw.Resource;
    for (const segment of segments) {
      current =
        (current.getResource(segment) as apigw.Resource | undefined) ??
        new apigw.Resource(container, `Resource${current.path.replace(/\//g, '_')}_${segment}`, { parent: current, pathPart: segment });
    }
    return current;
  }

  /** Adds a usage tier (a usage plan on this stage) with throttle and quota. */
  public addUsageTier(name: string, tier: UsageTierOptions): apigw.UsagePlan {
    if (!TIER_NAME.test(name)) {
      invalidProp(this, 'usageTiers', name, 'tier names are 1–64 letters, digits, "_" or "-"', 'use a name such as "free" or "partner"');
    }
    if (this.tiers.has(name)) invalidProp(this, 'usageTiers', name, 'the tier already exists', 'use another name');
    validateThrottle(this, `usageTiers.${name}`, tier);
    wholeNumber(this, `usageTiers.${name}.quota`, tier.quota, {
      min: 1,
      refuseTokens: true,
      problem: 'the quota is a positive whole number of requests',
      fix: 'use e.g. 10000',
    });
    if (!QUOTA_PERIODS.includes(tier.quotaPeriod)) {
      invalidProp(
        this,
        `usageTiers.${name}.quotaPeriod`,
        tier.quotaPeriod,
        'unknown quota period',
        `use Period.DAY, Period.WEEK or Period.MONTH (${QUOTA_PERIODS.join(', ')})`,
      );
    }
    const plan = this.restApi.addUsagePlan(`UsageTier-${name}`, {
      name: `${this.node.path}/${name}`.replace(/[^A-Za-z0-9_-]/g, '-'),
      description: `Usage tier "${name}"`,
      throttle: { rateLimit: tier.rateLimit, burstLimit: tier.burstLimit },
      quota: { limit: tier.quota, period: tier.quotaPeriod },
      apiStages: [{ api: this.restApi, stage: this.stage }],
    });
    this.tiers.set(name, plan);
    this.tierOptions.set(name, tier);
    return plan;
  }

  /**
   * Puts an API key on a tier; creates a key (with a generated value) when none is given.
   * @returns the key
   */
  public addApiKeyToTier(tier: string, keyId: string, apiKey?: apigw.IApiKey): apigw.IApiKey {
    const plan = this.tiers.get(tier);
    if (!plan)
      invalidProp(
        this,
        'addApiKeyToTier.tier',
        tier,
        'no such usage tier',
        `use one of ${[...this.tiers.keys()].join(', ') || '(none: add one with addUsageTier)'}`,
      );
    const key = apiKey ?? new apigw.ApiKey(this, `ApiKey-${keyId}`, { description: `API key ${keyId} (tier ${tier})` });
    plan.addApiKey(key);
    return key;
  }

  /** Alarms when the web ACL in front of this API blocks more than the threshold (use `ApiFirewall.metricBlockedRequests()`). */
  public addFirewallAlarm(blockedRequests: cloudwatch.IMetric): cloudwatch.Alarm {
    return this.addAlarm('WafBlockedRequests', blockedRequests, this.thresholds.wafBlockedRequests, 'requests blocked by WAF');
  }

  private addAlarm(id: string, metric: cloudwatch.IMetric, threshold: number, what: string): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `${id}Alarm`, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmName: this.apiName ? `${this.apiName}-${id}` : undefined,
      alarmDescription: `${this.node.path}: ${what} at or above ${threshold}`,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    this.alarmList.push(alarm);
    return alarm;
  }

  private renderMethodSettings(): apigw.CfnStage.MethodSettingProperty[] {
    const common = { loggingLevel: 'ERROR', dataTraceEnabled: false, metricsEnabled: true, cachingEnabled: false };
    return [
      {
        resourcePath: '/*',
        httpMethod: '*',
        ...common,
        throttlingRateLimit: this.stageThrottle.rateLimit,
        throttlingBurstLimit: this.stageThrottle.burstLimit,
      },
      ...this.routeThrottles.map(({ resourcePath, method, throttle }) => ({
        resourcePath: `/${resourcePath.replace(/\//g, '~1')}`,
        httpMethod: method,
        ...common,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
      })),
    ];
  }
}

function validateThrottle(scope: Construct, prop: string, throttle: ThrottleOptions): void {
  if (!(typeof throttle.rateLimit === 'number' && throttle.rateLimit > 0)) {
    invalidProp(scope, `${prop}.rateLimit`, throttle.rateLimit, 'the rate limit must be a positive number of requests per second', 'use e.g. 50');
  }
  wholeNumber(scope, `${prop}.burstLimit`, throttle.burstLimit, {
    min: 1,
    refuseTokens: true,
    problem: 'the burst limit must be a positive whole number of requests',
    fix: 'use e.g. 100',
  });
  if (throttle.burstLimit < throttle.rateLimit) {
    invalidProp(
      scope,
      `${prop}.burstLimit`,
      throttle.burstLimit,
      `the burst limit is below the rate limit (${throttle.rateLimit}), so the rate could never be reached`,
      `use a burst limit of at least ${Math.ceil(throttle.rateLimit)}`,
    );
  }
}

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/;
const VPC_ENDPOINT = /^vpce-[0-9a-f]{8,17}$/;

/**
 * The API's resource policy: invoking is allowed on this stage only and denied on anything else (other stages, a
 * test invocation path); with source conditions, requests from other IP ranges and endpoints are denied too.
 * `execute-api:/…` is API Gateway's shorthand for this API's own ARN (the ARN itself would be circular).
 */
function apiResourcePolicy(scope: Construct, stageName: string, options: ApiResourcePolicyOptions): iam.PolicyDocument {
  const ipRanges = options.allowedSourceIpRanges ?? [];
  const endpoints = options.allowedSourceVpcEndpoints ?? [];
  for (const range of ipRanges) {
    if (!Token.isUnresolved(range) && !CIDR.test(range)) {
      invalidProp(scope, 'resourcePolicy.allowedSourceIpRanges', range, 'not a CIDR range', 'use e.g. "203.0.113.0/24"');
    }
  }
  for (const endpoint of endpoints) {
    if (!Token.isUnresolved(endpoint) && !VPC_ENDPOINT.test(endpoint)) {
      invalidProp(
        scope,
        'resourcePolicy.allowedSourceVpcEndpoints',
        endpoint,
        'not a VPC endpoint id',
        'use the id of an execute-api interface endpoint, e.g. "vpce-0123456789abcdef0"',
      );
    }
  }
  if (options.allowedSourceIpRanges && ipRanges.length === 0 && endpoints.length === 0) {
    invalidProp(
      scope,
      'resourcePolicy.allowedSourceIpRanges',
      ipRanges,
      'an empty list would deny every caller',
      'list at least one range, or omit the prop',
    );
  }
  const stageMethods = `execute-api:/${stageName}/*/*`;
  const statements = [
    new iam.PolicyStatement({
      sid: 'AllowInvokeOnThisStage',
      principals: [new iam.AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: [stageMethods],
    }),
    new iam.PolicyStatement({
      sid: 'DenyInvokeOutsideThisStage',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      notResources: [stageMethods],
    }),
  ];
  if (ipRanges.length > 0 || endpoints.length > 0) {
    // Conditions of one statement must all hold: the Deny applies to a request matching no allowed source.
    statements.push(
      new iam.PolicyStatement({
        sid: 'DenyInvokeFromOtherSources',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: {
          ...(ipRanges.length > 0 ? { NotIpAddress: { 'aws:SourceIp': ipRanges } } : {}),
          ...(endpoints.length > 0 ? { StringNotEquals: { 'aws:SourceVpce': endpoints } } : {}),
        },
      }),
    );
  }
  return new iam.PolicyDocument({ statements });
}
