import { ArnFormat, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../core/acknowledge';
import { recordOptOut, SecurityOptOut } from '../core/opt-out';
import { opensPublicInternet } from '../private/cidr';
import { invalidProp } from '../private/errors';
import { MAX_RATE_LIMIT_PER_IP_PER_SECOND } from '../private/gate-limits';
import { createSecureLogGroup } from '../core/secure-log-group';
import { wholeNumber } from '../private/validation';

export interface ApiFirewallProps {
  /** Encrypts the WAF log group (use `PlatformKeys.logsKey`). */
  readonly logsKey: kms.IKey;
  /**
   * Name of the web ACL (letters, digits, "_" and "-"); also the `WebACL` dimension of its metrics.
   * @default - a unique name derived from the construct path
   */
  readonly webAclName?: string;
  /**
   * Requests one client IP may send per evaluation window before it is blocked (10 – 2,000,000,000). More than 20
   * requests per second averaged over the window needs `allowHighRateLimit`.
   * @default 1000
   */
  readonly rateLimitPerIp?: number;
  /**
   * Opt-out: allow a per-IP rate limit above 20 requests per second over the window (recorded; acknowledges
   * Platform-WebAclBaselineRules on the web ACL with the reason).
   * @default - limits above the bound are refused
   */
  readonly allowHighRateLimit?: SecurityOptOut;
  /**
   * Evaluation window of the rate-based rule: 1, 2, 5 or 10 minutes (WAF's 60, 120, 300 or 600 seconds).
   * @default Duration.minutes(5)
   */
  readonly rateLimitWindow?: Duration;
  /**
   * Largest request body accepted, in bytes (1 – 16384, API Gateway's default WAF inspection size; bodies too
   * large to inspect are blocked).
   * @default 8192
   */
  readonly maxBodyBytes?: number;
  /**
   * Add AWS's Bot Control rule group (common inspection level; charged per request).
   * @default false
   */
  readonly enableBotControl?: boolean;
  /**
   * Only these IPv4 CIDRs may call the API; everything else is blocked. A list that together opens more than a /8
   * of the public internet (e.g. 0.0.0.0/0, or two /1 halves) is no allow list and needs `allowBroadAllowList`.
   * @default - no allow list
   */
  readonly allowedIpv4Cidrs?: string[];
  /**
   * Opt-out: accept an allow list that opens more than a /8 of the public internet (recorded).
   * @default - such lists are refused
   */
  readonly allowBroadAllowList?: SecurityOptOut;
  /**
   * These IPv4 CIDRs are blocked.
   * @default - no deny list
   */
  readonly blockedIpv4Cidrs?: string[];
  /**
   * Only requests from these countries (ISO 3166 alpha-2, e.g. `DE`) are allowed.
   * @default - no geo allow list
   */
  readonly allowedCountries?: string[];
  /**
   * Requests from these countries (ISO 3166 alpha-2) are blocked.
   * @default - no geo block
   */
  readonly blockedCountries?: string[];
  /**
   * WAF log retention (whole days, a finite CloudWatch Logs value: ALLOWED_RETENTION_DAYS).
   * @default Duration.days(365)
   */
  readonly logRetention?: Duration;
}

/** AWS managed rule groups every web ACL runs, in priority order. */
export const MANAGED_RULE_GROUPS: readonly string[] = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesAnonymousIpList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
];

/** Headers WAF never writes to its logs: they carry credentials. */
export const REDACTED_HEADERS: readonly string[] = ['authorization', 'x-api-key'];

const RATE_WINDOWS = [60, 120, 300, 600];
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const COUNTRY = /^[A-Z]{2}$/;
const WEB_ACL_NAME = /^[\w-]{1,128}$/;

/**
 * A regional WAFv2 web ACL for the API stage (P5, P9, P10, P13): AWS managed rule groups, a per-IP rate limit,
 * a body-size limit, optional IP and geo lists, and logging with credentials redacted to a KMS-encrypted
 * log group.
 */
export class ApiFirewall extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly webAclName: string;
  /** `aws-waf-logs-…`, KMS-encrypted, finite retention. */
  public readonly logGroup: logs.LogGroup;
  public readonly loggingConfiguration: wafv2.CfnLoggingConfiguration;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    this.webAclName = props.webAclName ?? Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    if (!Token.isUnresolved(this.webAclName) && !WEB_ACL_NAME.test(this.webAclName)) {
      invalidProp(this, 'webAclName', this.webAclName, 'web ACL names are 1–128 letters, digits, "_" and "-"', 'use a name such as "platform-api"');
    }
    const { limit, window } = this.validateRateLimit(props);
    this.validateAllowList(props);
    const maxBodyBytes = props.maxBodyBytes ?? 8192;
    wholeNumber(this, 'maxBodyBytes', maxBodyBytes, {
      min: 1,
      max: 16384,
      refuseTokens: true,
      problem: 'WAF inspects at most 16 KB of an API Gateway request body by default',
      fix: 'use a whole number between 1 and 16384',
    });
    this.validateLists(props);

    const rules = [
      ...this.ipAndGeoRules(props),
      rateRule(limit, window),
      bodySizeRule(maxBodyBytes),
      ...managedRuleGroups(props.enableBotControl ?? false),
    ].map((rule, priority) => ({ ...rule, priority }));
    this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      name: this.webAclName,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(this.webAclName),
      rules,
    });
    if (props.allowHighRateLimit) {
      acknowledgeFinding(
        this.webAcl,
        'PlatformChecks::Platform-WebAclBaselineRules',
        `Rate limit above the bound opted in (allowHighRateLimit): ${props.allowHighRateLimit.reason}`,
      );
    }
    const logging = this.createLogging(props);
    this.logGroup = logging.logGroup;
    this.loggingConfiguration = logging.loggingConfiguration;
  }

  /**
   * Associates the web ACL with an API stage. The association references the Stage resource, so CloudFormation
   * creates it after the stage exists (a literal stage name would race it).
   */
  public associate(stage: apigw.Stage): wafv2.CfnWebACLAssociation {
    return new wafv2.CfnWebACLAssociation(this, `Association-${Names.nodeUniqueId(stage.node)}`, {
      resourceArn: stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }

  /** Requests the web ACL blocked (all rules), summed over 5 minutes by default. */
  public metricBlockedRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: this.webAclName, Region: Stack.of(this).region, Rule: 'ALL' },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  private ipSet(id: string, cidrs: readonly string[]): wafv2.CfnIPSet {
    return new wafv2.CfnIPSet(this, id, { scope: 'REGIONAL', ipAddressVersion: 'IPV4', addresses: [...cidrs] });
  }

  /** Checks the per-IP rate limit and its window, and the allowHighRateLimit opt-out (recorded); returns both with defaults. */
  private validateRateLimit(props: ApiFirewallProps): { limit: number; window: number } {
    const rateLimit = props.rateLimitPerIp ?? 1000;
    wholeNumber(this, 'rateLimitPerIp', rateLimit, {
      min: 10,
      max: 2_000_000_000,
      refuseTokens: true,
      problem: 'WAF rate-based rules accept 10 to 2,000,000,000 requests per window',
      fix: 'use a whole number such as 1000',
    });
    const windowSpan = props.rateLimitWindow ?? Duration.minutes(5);
    const window = windowSpan.isUnresolved() ? NaN : windowSpan.toSeconds({ integral: false });
    if (!RATE_WINDOWS.includes(window)) {
      invalidProp(
        this,
        'rateLimitWindow',
        windowSpan.toString(),
        `WAF evaluates rate limits over fixed windows of ${RATE_WINDOWS.join(', ')} seconds`,
        `use Duration.minutes(n) with n one of ${RATE_WINDOWS.map((s) => s / 60).join(', ')}`,
      );
    }
    const highRate = rateLimit / window > MAX_RATE_LIMIT_PER_IP_PER_SECOND;
    if (highRate && !props.allowHighRateLimit) {
      invalidProp(
        this,
        'rateLimitPerIp',
        rateLimit,
        `above ${MAX_RATE_LIMIT_PER_IP_PER_SECOND} requests per second per IP over the ${window}-second window (${MAX_RATE_LIMIT_PER_IP_PER_SECOND * window} per window), a rate limit in name only`,
        `use at most ${MAX_RATE_LIMIT_PER_IP_PER_SECOND * window}, or pass allowHighRateLimit: { reason } to record why more is needed`,
      );
    }
    if (props.allowHighRateLimit) {
      if (!highRate)
        invalidProp(
          this,
          'allowHighRateLimit',
          props.allowHighRateLimit,
          `the rate limit (${rateLimit} per ${window} s) is within the bound, so there is nothing to opt out of`,
          'remove allowHighRateLimit',
        );
      recordOptOut(
        this,
        'allowHighRateLimit',
        `per-IP rate limit of at most ${MAX_RATE_LIMIT_PER_IP_PER_SECOND} requests/s`,
        props.allowHighRateLimit,
      );
    }
    return { limit: rateLimit, window };
  }

  /** Refuses an allow list that opens more than a /8 of the internet unless allowBroadAllowList (recorded) says why. */
  private validateAllowList(props: ApiFirewallProps): void {
    const broadAllowList = props.allowedIpv4Cidrs !== undefined && opensPublicInternet(props.allowedIpv4Cidrs.filter((c) => !Token.isUnresolved(c)));
    if (broadAllowList && !props.allowBroadAllowList) {
      invalidProp(
        this,
        'allowedIpv4Cidrs',
        props.allowedIpv4Cidrs,
        'together these CIDRs open more than a /8 of the public internet, so the allow list lets almost everyone in',
        'list the client networks that may call the API, or pass allowBroadAllowList: { reason }',
      );
    }
    if (props.allowBroadAllowList) {
      if (!broadAllowList)
        invalidProp(
          this,
          'allowBroadAllowList',
          props.allowBroadAllowList,
          'the allow list is not broad, so there is nothing to opt out of',
          'remove allowBroadAllowList',
        );
      recordOptOut(this, 'allowBroadAllowList', 'an IP allow list narrower than a /8 of the internet', props.allowBroadAllowList);
    }
  }

  /** Checks the IP and country lists: not empty when given, every entry an IPv4 CIDR or an ISO 3166 alpha-2 code. */
  private validateLists(props: ApiFirewallProps): void {
    for (const [prop, cidrs] of [
      ['allowedIpv4Cidrs', props.allowedIpv4Cidrs],
      ['blockedIpv4Cidrs', props.blockedIpv4Cidrs],
    ] as const) {
      if (cidrs && cidrs.length === 0)
        invalidProp(this, prop, cidrs, 'an empty list would block or allow nothing', `omit ${prop} or list at least one CIDR`);
      for (const cidr of cidrs ?? []) {
        if (!IPV4_CIDR.test(cidr)) invalidProp(this, prop, cidr, 'not an IPv4 CIDR', 'use e.g. "203.0.113.0/24"');
      }
    }
    for (const [prop, countries] of [
      ['allowedCountries', props.allowedCountries],
      ['blockedCountries', props.blockedCountries],
    ] as const) {
      if (countries && countries.length === 0)
        invalidProp(this, prop, countries, 'an empty list would block or allow nothing', `omit ${prop} or list at least one country`);
      for (const country of countries ?? []) {
        if (!COUNTRY.test(country))
          invalidProp(this, prop, country, 'not an ISO 3166 alpha-2 country code', 'use upper-case codes such as "DE" or "US"');
      }
    }
  }

  /** Block rules of the optional lists, in order: IP allow list, IP deny list, country allow list, country block list (IP sets created here). */
  private ipAndGeoRules(props: ApiFirewallProps): UnprioritizedRule[] {
    const rules: UnprioritizedRule[] = [];
    if (props.allowedIpv4Cidrs) {
      const allowed = this.ipSet('AllowedIps', props.allowedIpv4Cidrs);
      rules.push(blockRule('BlockNotInAllowedIps', { notStatement: { statement: { ipSetReferenceStatement: { arn: allowed.attrArn } } } }));
    }
    if (props.blockedIpv4Cidrs) {
      const blocked = this.ipSet('BlockedIps', props.blockedIpv4Cidrs);
      rules.push(blockRule('BlockDeniedIps', { ipSetReferenceStatement: { arn: blocked.attrArn } }));
    }
    if (props.allowedCountries) {
      rules.push(
        blockRule('BlockOutsideAllowedCountries', { notStatement: { statement: { geoMatchStatement: { countryCodes: props.allowedCountries } } } }),
      );
    }
    if (props.blockedCountries) rules.push(blockRule('BlockCountries', { geoMatchStatement: { countryCodes: props.blockedCountries } }));
    return rules;
  }

  /** The `aws-waf-logs-…` log group, the resource policy that lets WAF deliver to it, and the logging configuration. */
  private createLogging(props: ApiFirewallProps): { logGroup: logs.LogGroup; loggingConfiguration: wafv2.CfnLoggingConfiguration } {
    const stack = Stack.of(this);
    const logGroupName = `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 400, separator: '-' })}`;
    const logGroup = createSecureLogGroup(this, 'Logs', {
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      retentionPropName: 'logRetention',
      logGroupName,
    });
    // WAF delivers through the CloudWatch Logs vended-log service, which needs a resource policy on the group.
    const deliveryPolicy = new logs.ResourcePolicy(this, 'LogDeliveryPolicy', {
      policyStatements: [
        new iam.PolicyStatement({
          sid: 'AwsWafLogDelivery',
          principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*' }) },
          },
        }),
      ],
    });
    const loggingConfiguration = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the ":*" suffix CloudFormation's Arn attribute carries.
      logDestinationConfigs: [
        stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
      redactedFields: REDACTED_HEADERS.map((name) => ({ singleHeader: { Name: name } })),
    });
    loggingConfiguration.node.addDependency(logGroup, deliveryPolicy);
    return { logGroup, loggingConfiguration };
  }
}

/** A web ACL rule before its priority (its place in the rule list) is set. */
type UnprioritizedRule = Omit<wafv2.CfnWebACL.RuleProperty, 'priority'>;

function blockRule(name: string, statement: wafv2.CfnWebACL.StatementProperty): UnprioritizedRule {
  return { name, statement, action: { block: {} }, visibilityConfig: visibility(name) };
}

/** Blocks a client IP that sends more than `limit` requests per `window` seconds. */
function rateRule(limit: number, window: number): UnprioritizedRule {
  return blockRule('RateLimitPerIp', { rateBasedStatement: { limit, aggregateKeyType: 'IP', evaluationWindowSec: window } });
}

/** Blocks bodies larger than `maxBodyBytes`, and bodies too large for WAF to inspect. */
function bodySizeRule(maxBodyBytes: number): UnprioritizedRule {
  return blockRule('BodySizeLimit', {
    sizeConstraintStatement: {
      fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
      comparisonOperator: 'GT',
      size: maxBodyBytes,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  });
}

/** MANAGED_RULE_GROUPS (and Bot Control at the common inspection level when enabled), each with its own actions. */
function managedRuleGroups(botControl: boolean): UnprioritizedRule[] {
  const groups = [...MANAGED_RULE_GROUPS, ...(botControl ? ['AWSManagedRulesBotControlRuleSet'] : [])];
  return groups.map((name) => ({
    name,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        managedRuleGroupConfigs:
          name === 'AWSManagedRulesBotControlRuleSet' ? [{ awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } }] : undefined,
      },
    },
    visibilityConfig: visibility(name),
  }));
}

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: metricName.replace(/[^\w-]/g, '').slice(0, 128) };
}
