import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiFirewall, ApiFirewallProps, MANAGED_RULE_GROUPS } from '../../lib/api/api-firewall';
import { PlatformKeys } from '../../lib/encryption/platform-keys';
import { expectNoFindings, newStack, synthWithGate } from '../support/harness';
import { FULL_FIREWALL_PROPS } from './fixtures';

function firewall(props: Partial<ApiFirewallProps> = {}) {
  const stack = newStack();
  const keys = new PlatformKeys(stack, 'Keys');
  return { stack, firewall: new ApiFirewall(stack, 'Firewall', { logsKey: keys.logsKey, ...props }) };
}

describe('ApiFirewall', () => {
  let gate: ReturnType<typeof synthWithGate>;
  let template: Template;
  let fw: ApiFirewall;

  beforeAll(() => {
    const built = firewall(FULL_FIREWALL_PROPS);
    fw = built.firewall;
    gate = synthWithGate(built.stack);
    template = gate.template;
  });

  // cfn-lint runs on the SecureApi test's template, which holds a firewall with these same options.
  it('passes every pack and PlatformChecks without acknowledgements', () => {
    expectNoFindings(gate);
    expect(gate.acknowledged).toEqual([]);
  });

  it('is a regional web ACL: IP and geo lists first, then the per-IP rate limit, the body-size limit and the managed groups', () => {
    const acl = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0].Properties;
    expect(acl).toMatchObject({ Name: 'platform-api', Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    expect(acl.Rules.map((r: { Name: string; Priority: number }) => `${r.Priority}:${r.Name}`)).toEqual([
      '0:BlockNotInAllowedIps',
      '1:BlockDeniedIps',
      '2:BlockOutsideAllowedCountries',
      '3:BlockCountries',
      '4:RateLimitPerIp',
      '5:BodySizeLimit',
      ...[...MANAGED_RULE_GROUPS, 'AWSManagedRulesBotControlRuleSet'].map((name, i) => `${6 + i}:${name}`),
    ]);
    expect(MANAGED_RULE_GROUPS).toEqual(
      expect.arrayContaining([
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'AWSManagedRulesSQLiRuleSet',
        'AWSManagedRulesAmazonIpReputationList',
        'AWSManagedRulesAnonymousIpList',
      ]),
    );
    const byName = Object.fromEntries(acl.Rules.map((r: { Name: string }) => [r.Name, r]));
    expect(byName.RateLimitPerIp).toMatchObject({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP', EvaluationWindowSec: 60 } },
    });
    expect(byName.BodySizeLimit).toMatchObject({
      Action: { Block: {} },
      Statement: { SizeConstraintStatement: { FieldToMatch: { Body: { OversizeHandling: 'MATCH' } }, ComparisonOperator: 'GT', Size: 4096 } },
    });
    expect(byName.BlockNotInAllowedIps.Statement.NotStatement.Statement.IPSetReferenceStatement.Arn).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/AllowedIps/), 'Arn'],
    });
    expect(byName.BlockOutsideAllowedCountries.Statement).toEqual({
      NotStatement: { Statement: { GeoMatchStatement: { CountryCodes: ['DE', 'FR'] } } },
    });
    expect(byName.BlockCountries).toMatchObject({ Action: { Block: {} }, Statement: { GeoMatchStatement: { CountryCodes: ['KP'] } } });
    expect(byName.AWSManagedRulesBotControlRuleSet.Statement.ManagedRuleGroupStatement.ManagedRuleGroupConfigs).toEqual([
      { AWSManagedRulesBotControlRuleSet: { InspectionLevel: 'COMMON' } },
    ]);
    for (const name of MANAGED_RULE_GROUPS)
      expect(byName[name]).toMatchObject({
        OverrideAction: { None: {} },
        Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } },
      });
    template.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'REGIONAL', IPAddressVersion: 'IPV4', Addresses: ['203.0.113.0/24'] });
    template.hasResourceProperties('AWS::WAFv2::IPSet', { Addresses: ['198.51.100.7/32'] });
  });

  it('does not add Bot Control unless asked', () => {
    const { stack } = firewall();
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules.map(
      (r: { Name: string }) => r.Name,
    );
    expect(rules).toEqual(['RateLimitPerIp', 'BodySizeLimit', ...MANAGED_RULE_GROUPS]);
  });

  it('logs to a KMS-encrypted aws-waf-logs-… group with Authorization and API keys redacted', () => {
    const [logGroupId, logGroup] = Object.entries(template.findResources('AWS::Logs::LogGroup'))[0];
    expect(logGroup.Properties.LogGroupName).toMatch(/^aws-waf-logs-/);
    expect(logGroup.Properties).toMatchObject({ RetentionInDays: 90, KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/KeysLogsKey/), 'Arn'] } });
    const [, logging] = Object.entries(template.findResources('AWS::WAFv2::LoggingConfiguration'))[0];
    expect(logging.Properties.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'x-api-key' } }]);
    expect(JSON.stringify(logging.Properties.LogDestinationConfigs)).toContain(`:log-group:${logGroup.Properties.LogGroupName}"`);
    expect(JSON.stringify(logging.Properties.LogDestinationConfigs)).not.toContain(':*');
    const policyId = Object.keys(template.findResources('AWS::Logs::ResourcePolicy'))[0];
    expect(logging.DependsOn).toEqual(expect.arrayContaining([logGroupId, policyId]));
  });

  it('lets CloudWatch Logs delivery write the log group for this account only', () => {
    const policy = JSON.parse(
      Object.values(template.findResources('AWS::Logs::ResourcePolicy'))[0]
        .Properties.PolicyDocument['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'X'))
        .join(''),
    );
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'delivery.logs.amazonaws.com' },
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Condition: { StringEquals: { 'aws:SourceAccount': 'X' }, ArnLike: { 'aws:SourceArn': expect.stringContaining(':logs:') } },
      }),
    ]);
  });

  it('offers the blocked-requests metric of the web ACL', () => {
    const metric = fw.metricBlockedRequests();
    expect(metric.namespace).toBe('AWS/WAFV2');
    expect(metric.metricName).toBe('BlockedRequests');
    expect(metric.dimensions).toMatchObject({ WebACL: 'platform-api', Rule: 'ALL' });
  });

  describe('rejects bad input with prop, value and fix', () => {
    it.each([
      ['a rate limit below 10', { rateLimitPerIp: 5 }, /invalid rateLimitPerIp \(received 5\).*Fix:/],
      [
        'an unknown evaluation window',
        { rateLimitWindow: Duration.seconds(90) },
        /invalid rateLimitWindow \(received "Duration.seconds\(90\)"\): WAF evaluates rate limits over fixed windows of 60, 120, 300, 600 seconds\. Fix: use Duration\.minutes\(n\) with n one of 1, 2, 5, 10/,
      ],
      [
        'a fractional evaluation window',
        { rateLimitWindow: Duration.millis(60_500) },
        /invalid rateLimitWindow \(received "Duration.millis\(60500\)"\)/,
      ],
      ['a body limit above the inspection size', { maxBodyBytes: 20000 }, /invalid maxBodyBytes \(received 20000\)/],
      ['a malformed CIDR', { blockedIpv4Cidrs: ['10.0.0.0/33'] }, /invalid blockedIpv4Cidrs \(received "10.0.0.0\/33"\)/],
      ['an empty allow list', { allowedIpv4Cidrs: [] }, /invalid allowedIpv4Cidrs \(received \[\]\)/],
      ['a lower-case country', { blockedCountries: ['de'] }, /invalid blockedCountries \(received "de"\).*"DE"/],
      ['a web ACL name with spaces', { webAclName: 'my acl' }, /invalid webAclName \(received "my acl"\)/],
      [
        'log retention out of range',
        { logRetention: Duration.days(8) },
        /invalid logRetention \(received "Duration.days\(8\)"\).*Fix: use Duration\.days\(n\) with n one of/,
      ],
      [
        'log retention in part days',
        { logRetention: Duration.hours(12) },
        /invalid logRetention \(received "Duration.hours\(12\)"\): must be a whole number of days/,
      ],
      [
        'a rate limit of 2,000,000,000 without its opt-out',
        { rateLimitPerIp: 2_000_000_000 },
        /invalid rateLimitPerIp \(received 2000000000\): above 20 requests per second.*Fix: use at most 6000, or pass allowHighRateLimit: \{ reason \}/,
      ],
      [
        '1,201 per minute without its opt-out',
        { rateLimitPerIp: 1201, rateLimitWindow: Duration.seconds(60) },
        /invalid rateLimitPerIp \(received 1201\)/,
      ],
      [
        'an allow list of 0.0.0.0/0 without its opt-out',
        { allowedIpv4Cidrs: ['0.0.0.0/0'] },
        /invalid allowedIpv4Cidrs \(received \["0.0.0.0\/0"\]\): together these CIDRs open more than a \/8.*allowBroadAllowList/,
      ],
      ['an allow list of two /1 halves', { allowedIpv4Cidrs: ['0.0.0.0/1', '128.0.0.0/1'] }, /invalid allowedIpv4Cidrs/],
      [
        'a rate opt-out that opts out of nothing',
        { allowHighRateLimit: { reason: 'load tests from one NAT address need more headroom' } },
        /invalid allowHighRateLimit .*nothing to opt out of/,
      ],
      [
        'a rate opt-out with a junk reason',
        { rateLimitPerIp: 100_000, allowHighRateLimit: { reason: 'xxxxxxxxxx' } },
        /invalid allowHighRateLimit\.reason/,
      ],
    ])('%s', (_name, props, error) => {
      expect(() => firewall(props as Partial<ApiFirewallProps>)).toThrow(error);
    });
  });

  it('a rate above the bound or a broad allow list with a reasoned opt-out: recorded, printed and acknowledged on the web ACL', () => {
    const { firewall: fw } = firewall({
      rateLimitPerIp: 100_000,
      allowHighRateLimit: { reason: 'Partner batch importer sends bursts from one egress address' },
      allowedIpv4Cidrs: ['0.0.0.0/1', '128.0.0.0/1'],
      allowBroadAllowList: { reason: 'Public beta: the allow list is kept only to add blocks quickly' },
    });
    const optOuts = fw.node.metadata.filter((m) => m.type === 'cdk-secure-microservices:opt-out').map((m) => (m.data as { control: string }).control);
    expect(optOuts).toEqual(['per-IP rate limit of at most 20 requests/s', 'an IP allow list narrower than a /8 of the internet']);
    const acks = fw.webAcl.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => m.data);
    expect(acks).toEqual([
      {
        'PlatformChecks::Platform-WebAclBaselineRules':
          'Rate limit above the bound opted in (allowHighRateLimit): Partner batch importer sends bursts from one egress address',
      },
    ]);
  });
});
