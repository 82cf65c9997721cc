import { Annotations, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { invalidProp } from '../private/errors';
import { grantKeyViaService, viaService } from '../private/key-use';
import { recordOptOut, SecurityOptOut } from '../core/opt-out';
import { SecureTable } from '../storage/secure-table';
import { createPkiFunction, egressSubnets } from './pki-function';
import { encodeRouteScopes, RouteScopes } from './route-map';
import { parseRoute, RouteConflict, RouteTable } from './route-policy';
import { HTTP_METHODS, isHttpMethod, RouteKey } from '../api/route-key';

export interface ClientCertificateAuthorizerProps {
  /** The Cognito user pool that issues the access tokens. */
  readonly userPool: cognito.IUserPool;
  /**
   * App clients whose tokens are accepted.
   * @default - any client of the pool
   */
  readonly appClients?: cognito.IUserPoolClient[];
  /**
   * Route (`"<METHOD> <resource path>"`, e.g. `"GET /orders/{id}"`, with a method the API accepts: no ANY or OPTIONS)
   * → OAuth scopes (`resourceServer/scope`), any one of which grants the route. Routes not listed are denied. More
   * can be added with `allowRoute`; an authorizer that allows no route at synth time is an error.
   * @default - none yet (add them with `allowRoute`)
   */
  readonly routeScopes?: Record<RouteKey, string[]>;
  /** Encrypts the deny-list table. */
  readonly encryptionKey: kms.IKey;
  /** Encrypts the authorizer's log group. */
  readonly logsKey: kms.IKey;
  /**
   * How long API Gateway caches a decision per (Authorization header, client certificate serial). This is also the
   * longest a revoked certificate keeps working after `csm-certs revoke`. 0 disables caching.
   * @default Duration.seconds(60)
   */
  readonly resultsCacheTtl?: Duration;
  /**
   * Reserved concurrency of the authorizer function (caps its share of the account's pool). Lambda refuses a
   * reservation that leaves fewer than 10 unreserved executions; new accounts often have a quota of 10.
   * @default - none
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * VPC for the authorizer function. It needs DynamoDB and the Cognito JWKS endpoint (public), so the VPC must give
   * its subnets internet egress (NAT): isolated subnets, such as PrivateNetwork's default, are refused.
   * @default - outside a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Access-token claims (e.g. `tenant`, set by PlatformIdentity's `userAttributeClaims`) passed to the integration as
   * authorizer context `claim_<name>` (`context.authorizer.claim_<name>`), so it can set them as request headers.
   * @default - none
   */
  readonly forwardedClaims?: string[];
  /**
   * Turns off the certificate ↔ client binding: by default a token is accepted only with a client certificate bound
   * to the token's `client_id` (`csm-certs issue --client-id`), so a stolen token is useless without its client's key
   * and a certificate issued to one client cannot carry another client's token.
   * @default - binding required
   */
  readonly withoutCertificateBinding?: SecurityOptOut;
}

/** Lambda's quota on a function's environment variables, keys and values together (not adjustable). */
const LAMBDA_ENVIRONMENT_BYTES = 4096;
/** Variable names, the deny-list table name (at most 255) and the user pool id (at most 55). */
const ENVIRONMENT_RESERVE_BYTES = 512;
/** A Cognito app client id (at most 128 characters; 26 in practice) and its comma. */
const CLIENT_ID_BYTES = 27;
const ROUTE = new RegExp(`^(${HTTP_METHODS.join('|')}) /[A-Za-z0-9/{}._+-]*$`);
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const MAX_CACHE_TTL_SECONDS = 300;
/** Identity sources that key the decision cache on the request's route as well (method and concrete path). */
export const PER_REQUEST_IDENTITY_SOURCES = ['context.httpMethod', 'context.path'];

/**
 * The REQUEST authorizer of the mTLS path (P2, P3, P7): refuses revoked client certificates (API Gateway does not
 * check revocation) by looking the certificate serial up in an encrypted DynamoDB deny-list, and verifies the
 * Cognito access token and the route's scopes with aws-jwt-verify.
 */
export class ClientCertificateAuthorizer extends Construct {
  public readonly authorizer: apigw.RequestAuthorizer;
  /**
   * Revoked serials (partition key `serial`: lower-case hex, no colons, no leading zeros; `expiresAt` is the TTL),
   * a SecureTable (customer key, PITR, deletion protection, AWS Backup).
   */
  public readonly denyList: dynamodb.Table;
  private readonly encryptionKey: kms.IKey;
  public readonly handler: lambda.Function;
  /** The decision cache TTL, i.e. the revocation latency at the API. */
  public readonly resultsCacheTtl: Duration;
  private readonly routeScopes: RouteScopes = {};
  private conflictCache?: { readonly count: number; readonly conflicts: RouteConflict[] };

  constructor(scope: Construct, id: string, props: ClientCertificateAuthorizerProps) {
    super(scope, id);
    // Keys are checked at run time too: callers in JavaScript, or casting, get past the compiler.
    for (const [route, scopes] of Object.entries(props.routeScopes ?? {})) this.allowRoute(route as RouteKey, scopes);
    this.validateRouteMap(props.appClients ?? []);
    this.resultsCacheTtl = props.resultsCacheTtl ?? Duration.seconds(60);
    const ttlSeconds = this.resultsCacheTtl.toSeconds();
    if (!Token.isUnresolved(ttlSeconds) && ttlSeconds > MAX_CACHE_TTL_SECONDS) {
      invalidProp(
        this,
        'resultsCacheTtl',
        `${ttlSeconds}s`,
        `a revoked certificate keeps working for up to this long; at most ${MAX_CACHE_TTL_SECONDS} s is accepted`,
        'use Duration.seconds(60) or less',
      );
    }
    if (props.withoutCertificateBinding) {
      recordOptOut(
        this,
        'withoutCertificateBinding',
        'certificate-bound tokens (token client_id = certificate client)',
        props.withoutCertificateBinding,
      );
    }

    this.encryptionKey = props.encryptionKey;
    this.denyList = new SecureTable(this, 'DenyList', {
      partitionKey: { name: 'serial', type: dynamodb.AttributeType.STRING },
      encryptionKey: props.encryptionKey,
      timeToLiveAttribute: 'expiresAt',
    }).table;
    this.handler = this.createHandler(props);
    this.authorizer = this.createRequestAuthorizer(Token.isUnresolved(ttlSeconds) || ttlSeconds > 0);
  }

  /**
   * An authorizer that allows no route denies every request; the route map travels in the handler's environment, which
   * Lambda caps at 4 KB (keys and values, not adjustable): fail at synth instead of at deploy. The reserve covers the
   * other variables once their references resolve.
   */
  private validateRouteMap(appClients: readonly cognito.IUserPoolClient[]): void {
    this.node.addValidation({
      validate: () =>
        Object.keys(this.routeScopes).length === 0
          ? [
              `${this.node.path}: no route is allowed, so every request would be denied. Fix: pass routeScopes or call allowRoute("GET /v1/orders/{id}", ["orders/read"]).`,
            ]
          : [],
    });
    const environmentReserve = ENVIRONMENT_RESERVE_BYTES + appClients.length * CLIENT_ID_BYTES;
    this.node.addValidation({
      validate: () => {
        const bytes = Buffer.byteLength(encodeRouteScopes(this.routeScopes));
        return bytes + environmentReserve > LAMBDA_ENVIRONMENT_BYTES
          ? [
              `${this.node.path}: the route map of ${Object.keys(this.routeScopes).length} routes is ${bytes} bytes compressed, and with the other variables (${environmentReserve} bytes reserved) it would exceed the 4 KB Lambda allows for a function's environment, so the deployment would fail. Fix: use fewer or shorter routes (e.g. one {proxy+} route per service) or split the API (BENCHMARKS.md).`,
            ]
          : [];
      },
    });
  }

  /** The authorizer function: reads the deny-list (and its key through DynamoDB) only. */
  private createHandler(props: ClientCertificateAuthorizerProps): lambda.Function {
    return createPkiFunction(this, 'Handler', {
      handler: 'client-cert-authorizer',
      description: 'mTLS authorizer: refuses revoked client certificates, verifies Cognito access tokens and route scopes',
      logsKey: props.logsKey,
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      vpc: props.vpc,
      vpcSubnets: props.vpc
        ? egressSubnets(this, props.vpc, 'the Cognito JWKS endpoint (cognito-idp.<region>.amazonaws.com) and DynamoDB')
        : undefined,
      noDeadLetterQueueReason: 'Invoked synchronously by API Gateway, which turns a failure into a 5xx for the caller; there is no event to replay.',
      environment: {
        DENY_LIST_TABLE: this.denyList.tableName,
        USER_POOL_ID: props.userPool.userPoolId,
        CLIENT_IDS: (props.appClients ?? []).map((c) => c.userPoolClientId).join(','),
        // Lazy: routes are usually added after the authorizer exists (the API needs the authorizer first).
        ROUTE_SCOPES: Lazy.string({ produce: () => encodeRouteScopes(this.routeScopes) }),
        ...(props.forwardedClaims?.length ? { FORWARDED_CLAIMS: props.forwardedClaims.join(',') } : {}),
        CERTIFICATE_BINDING: props.withoutCertificateBinding ? 'off' : 'required',
      },
      statements: [
        new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [this.denyList.tableArn] }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [props.encryptionKey.keyArn],
          conditions: viaService('dynamodb', Stack.of(this).region),
        }),
      ],
    });
  }

  /**
   * The REQUEST authorizer, its decision cache keyed on the token and the client certificate, and on the request's
   * route as well where overlapping routes make a cached policy ambiguous (`cached`: the TTL is not zero).
   */
  private createRequestAuthorizer(cached: boolean): apigw.RequestAuthorizer {
    // Both values key the cache: a token presented with another certificate is evaluated again.
    const identitySources = [apigw.IdentitySource.header('Authorization'), apigw.IdentitySource.context('identity.clientCert.serialNumber')];
    const authorizer = new apigw.RequestAuthorizer(this, 'Authorizer', {
      handler: this.handler,
      identitySources,
      resultsCacheTtl: this.resultsCacheTtl,
    });
    // A cached policy applies to every route of the token + certificate. The handler returns a route-exact policy; where
    // routes overlap so that no policy can tell them apart, the request's method and path join the cache key.
    (authorizer.node.defaultChild as apigw.CfnAuthorizer).identitySource = Lazy.string({
      produce: () => [...identitySources, ...(cached && this.routeConflicts().length > 0 ? PER_REQUEST_IDENTITY_SOURCES : [])].join(','),
    });
    this.node.addValidation({
      validate: () => {
        const conflicts = cached ? this.routeConflicts() : [];
        if (conflicts.length > 0) {
          const { denied, hidden, reaching } = conflicts[0];
          const describe = (r: { key: string; scopes: readonly string[] }) => `"${r.key}" (${r.scopes.join(', ')})`;
          Annotations.of(this).addInfo(
            `Routes ${describe(denied)} and ${describe(hidden)} overlap in an execute-api policy (a "*" also matches "/") while ${describe(reaching)} reaches requests of the first, so no policy cached per token and certificate can tell them apart${conflicts.length > 1 ? ` (and ${conflicts.length - 1} more such routes)` : ''}: decisions are cached per request (method and path) as well. Give overlapping routes the same scopes to cache per token again.`,
          );
        }
        return [];
      },
    });
    return authorizer;
  }

  /** Overlapping routes no cached policy can separate (see route-policy.ts). */
  private routeConflicts(): RouteConflict[] {
    // Routes are only ever added, so their count identifies the table.
    const count = Object.keys(this.routeScopes).length;
    if (this.conflictCache?.count !== count) this.conflictCache = { count, conflicts: new RouteTable(this.routeScopes).conflicts() };
    return this.conflictCache.conflicts;
  }

  /**
   * Allows `route` (`"<METHOD> <resource path>"`, e.g. `"GET /v1/orders/{id}"`) to callers holding any of `scopes`.
   * The method is one the API accepts (HttpMethod): ANY and OPTIONS are refused, as SecureApi refuses such routes.
   */
  public allowRoute(route: RouteKey, scopes: readonly string[]): void {
    const method = route.split(' ')[0];
    if (/^[A-Z]+ \//.test(route) && !isHttpMethod(method)) {
      invalidProp(
        this,
        'routeScopes',
        route,
        `"${method}" is not a method the API accepts as a route (ANY would grant every verb at once; OPTIONS is CORS preflight)`,
        `name each route with one of ${HTTP_METHODS.join(', ')}, e.g. "GET /v1/orders/{id}"`,
      );
    }
    if (!ROUTE.test(route) || !parsesAsRoute(route)) {
      invalidProp(
        this,
        'routeScopes',
        route,
        'a route key is "<METHOD> <resource path>" whose segments are names, {parameter} or {proxy+}',
        'use e.g. "GET /v1/orders/{id}" (the API resource path as API Gateway reports it)',
      );
    }
    if (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((s) => !Token.isUnresolved(s) && !SCOPE.test(s))) {
      invalidProp(
        this,
        `routeScopes["${route}"]`,
        scopes,
        'each route needs at least one OAuth scope without spaces or quotes',
        'use scopes such as "orders/read"',
      );
    }
    if (this.routeScopes[route]) {
      invalidProp(this, 'routeScopes', route, 'this route is already allowed', 'allow each route once, listing all its scopes');
    }
    this.routeScopes[route] = [...scopes];
  }

  /** Lets `grantee` (the operator running `csm-certs revoke`) add serials to the deny-list. */
  public grantRevoke(grantee: iam.IGrantable): iam.Grant {
    return this.denyList
      .grant(grantee, 'dynamodb:PutItem')
      .combine(grantKeyViaService(this.encryptionKey, grantee, 'dynamodb', ['kms:Decrypt', 'kms:GenerateDataKey']));
  }
}

function parsesAsRoute(route: string): boolean {
  try {
    parseRoute(route, []);
    return true;
  } catch {
    return false;
  }
}
