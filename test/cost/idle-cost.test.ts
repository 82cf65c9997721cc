import { describe, expect, it } from 'vitest';
import { CostStack, estimateIdleCost, renderIdleCost, unpricedResourceTypes } from '../../lib/cost/idle-cost';
import { PRICE_TABLE_DATE, PRICES, RESOURCE_PRICING } from '../../lib/cost/price-table';

const stack = (resources: CostStack['resources']): CostStack[] => [{ stackPath: 'env/Stack', resources }];
const one = (Type: string, Properties: Record<string, unknown> = {}) => stack({ R: { Type, Properties } });
const monthlyOf = (stacks: CostStack[]) => estimateIdleCost(stacks).totalUsd;

describe('price table', () => {
  it('is dated and every price has a positive amount, a unit and an AWS pricing page', () => {
    expect(PRICE_TABLE_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [key, price] of Object.entries(PRICES)) {
      expect(price.usd, key).toBeGreaterThan(0);
      expect(price.unit.length, key).toBeGreaterThan(3);
      expect(price.source, key).toMatch(/^https:\/\/aws\.amazon\.com\/[a-z0-9/-]+\/$/);
    }
  });

  it('classifies every type as fixed, per use or free, never as nothing', () => {
    for (const [type, pricing] of Object.entries(RESOURCE_PRICING)) {
      expect(Boolean(pricing.fixed?.length || pricing.perUse?.length || pricing.free), type).toBe(true);
    }
  });

  it('reports a resource type that has no entry, so a new fixed-price resource cannot slip in unpriced', () => {
    const stacks = stack({ Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.t4g.micro' } }, Key: { Type: 'AWS::KMS::Key' } });
    expect(unpricedResourceTypes(stacks)).toEqual(['AWS::RDS::DBInstance']);
    const estimate = estimateIdleCost(stacks);
    expect(estimate.unpricedTypes).toEqual(['AWS::RDS::DBInstance']);
    expect(renderIdleCost('dev', estimate).join('\n')).toContain('**Not in the price table** (the total is incomplete): AWS::RDS::DBInstance.');
  });

  it('treats custom resources as per-use Lambda invocations', () => {
    expect(unpricedResourceTypes(one('Custom::Anything'))).toEqual([]);
    expect(estimateIdleCost(one('Custom::Anything')).perUse.map((u) => u.resourceType)).toEqual(['Custom::Anything']);
  });
});

describe('estimateIdleCost', () => {
  it('prices interface endpoints per AZ and gateway endpoints not at all', () => {
    expect(monthlyOf(one('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b', 'c'] }))).toBeCloseTo(3 * 730 * 0.01, 2);
    expect(monthlyOf(one('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' }))).toBe(0);
  });

  it('prices private CAs by usage mode', () => {
    expect(monthlyOf(one('AWS::ACMPCA::CertificateAuthority', { UsageMode: 'SHORT_LIVED_CERTIFICATE' }))).toBe(50);
    expect(monthlyOf(one('AWS::ACMPCA::CertificateAuthority', { UsageMode: 'GENERAL_PURPOSE' }))).toBe(400);
    expect(monthlyOf(one('AWS::ACMPCA::CertificateAuthority', {}))).toBe(400);
  });

  it('prices a web ACL, each rule, and the Bot Control subscription', () => {
    const rule = (name: string) => ({ Name: name, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } } });
    expect(monthlyOf(one('AWS::WAFv2::WebACL', { Rules: [rule('AWSManagedRulesCommonRuleSet'), rule('AWSManagedRulesSQLiRuleSet')] }))).toBe(7);
    expect(monthlyOf(one('AWS::WAFv2::WebACL', { Rules: [rule('AWSManagedRulesBotControlRuleSet')] }))).toBe(16);
  });

  it('prices Fargate services at desired count × task size, x86 or ARM, from the task definition they reference', () => {
    const fargate = (arch: string, desired: number) =>
      stack({
        Svc: { Type: 'AWS::ECS::Service', Properties: { LaunchType: 'FARGATE', DesiredCount: desired, TaskDefinition: { Ref: 'Task' } } },
        Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { Cpu: '512', Memory: '1024', RuntimePlatform: { CpuArchitecture: arch } } },
      });
    expect(monthlyOf(fargate('X86_64', 2))).toBeCloseTo(2 * 730 * (0.5 * 0.04048 + 1 * 0.004445), 2);
    expect(monthlyOf(fargate('ARM64', 1))).toBeCloseTo(730 * (0.5 * 0.03238 + 1 * 0.00356), 2);
    const rows = estimateIdleCost(fargate('X86_64', 2)).rows;
    expect(rows.map((r) => r.basis)).toEqual(['2 task(s) × 0.5 vCPU × 730 h', '2 task(s) × 1 GB × 730 h']);
  });

  it('says which resources it could not price instead of guessing', () => {
    const stacks = stack({
      Svc: {
        Type: 'AWS::ECS::Service',
        Properties: { LaunchType: 'FARGATE', TaskDefinition: 'arn:aws:ecs:us-east-1:111122223333:task-definition/x:1' },
      },
    });
    const estimate = estimateIdleCost(stacks, new Map([['env/Stack/Svc', 'env/Stack/Orders/Service']]));
    expect(estimate.totalUsd).toBe(0);
    expect(estimate.unresolved).toEqual(['env/Stack/Orders/Service (AWS::ECS::Service)']);
    expect(renderIdleCost('dev', estimate).join('\n')).toContain(
      '**Not computable from the template** (the total is incomplete): env/Stack/Orders/Service (AWS::ECS::Service).',
    );
  });

  it('prices NLBs, NAT gateways, public IPs, keys, alarms, machine clients, Lattice services, provisioned tables and caches', () => {
    const cases: [string, Record<string, unknown>, number][] = [
      ['AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network' }, 730 * 0.0225],
      ['AWS::EC2::NatGateway', {}, 730 * 0.045],
      ['AWS::EC2::EIP', {}, 730 * 0.005],
      ['AWS::KMS::Key', {}, 1],
      ['AWS::CloudWatch::Alarm', { MetricName: 'x' }, 0.1],
      [
        'AWS::CloudWatch::Alarm',
        {
          Metrics: [
            { Id: 'a', MetricStat: {} },
            { Id: 'b', MetricStat: {} },
            { Id: 'e', Expression: 'a+b' },
          ],
        },
        0.2,
      ],
      ['AWS::Cognito::UserPoolClient', { AllowedOAuthFlows: ['client_credentials'] }, 6],
      ['AWS::Cognito::UserPoolClient', { AllowedOAuthFlows: ['code'] }, 0],
      ['AWS::VpcLattice::Service', {}, 730 * 0.025],
      ['AWS::DynamoDB::Table', { BillingMode: 'PAY_PER_REQUEST' }, 0],
      [
        'AWS::DynamoDB::Table',
        { BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } },
        5 * 730 * (0.00065 + 0.00013),
      ],
      ['AWS::ApiGateway::Stage', { CacheClusterEnabled: false }, 0],
      ['AWS::ApiGateway::Stage', { CacheClusterEnabled: true }, 730 * 0.02],
    ];
    for (const [type, props, expected] of cases) expect(monthlyOf(one(type, props)), `${type} ${JSON.stringify(props)}`).toBeCloseTo(expected, 2);
  });

  it('lists usage-priced types with their unit prices and counts, outside the total', () => {
    const estimate = estimateIdleCost(
      stack({ A: { Type: 'AWS::S3::Bucket' }, B: { Type: 'AWS::S3::Bucket' }, L: { Type: 'AWS::Lambda::Function' } }),
    );
    expect(estimate.totalUsd).toBe(0);
    expect(estimate.perUse.map((u) => [u.resourceType, u.count, u.prices.map((p) => p.key)])).toEqual([
      ['AWS::Lambda::Function', 1, ['lambdaRequests', 'lambdaGbSecond']],
      ['AWS::S3::Bucket', 2, ['s3StorageGbMonth']],
    ]);
  });
});

describe('renderIdleCost', () => {
  const endpoints = stack({
    E1: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b'] } },
    Ca: { Type: 'AWS::ACMPCA::CertificateAuthority', Properties: { UsageMode: 'GENERAL_PURPOSE' } },
  });

  it('shows rows (quantity × unit price = monthly), the total and the budget verdict', () => {
    const text = renderIdleCost('dev', estimateIdleCost(endpoints), { monthlyUsd: 150, constructPath: 'dev/Platform/Platform' }).join('\n');
    expect(text).toContain(
      '| `env/Stack/Ca` | AWS::ACMPCA::CertificateAuthority | 1 CA = 1 × $400.00 per general-purpose private CA-month | $400.00 |',
    );
    expect(text).toContain(
      '| `env/Stack/E1` | AWS::EC2::VPCEndpoint | 2 AZ(s) × 730 h = 1,460 × $0.01 per interface endpoint per AZ-hour | $14.60 |',
    );
    expect(text).toContain('| **total** | | | **$414.60** |');
    expect(text).toContain('$150.00 per month — **over by $264.60**');
  });

  it('names the cheaper choices that apply, with their saving and what they trade', () => {
    const text = renderIdleCost('dev', estimateIdleCost(endpoints)).join('\n');
    expect(text).toContain('| profile `interfaceEndpointZones: 1` (PrivateNetwork `interfaceEndpointZones`) | $7.30 | interface endpoints in one AZ');
    expect(text).toContain('| profile `caUsageMode: SHORT_LIVED_CERTIFICATE` | $350.00 | certificates valid 7 days at most');
    expect(text).not.toContain('subordinateCa: false');
    expect(text).not.toContain('desiredCount: 1');
  });

  it('says within budget and offers nothing when there is nothing cheaper', () => {
    const text = renderIdleCost('dev', estimateIdleCost(one('AWS::KMS::Key')), { monthlyUsd: 150, constructPath: 'p' }).join('\n');
    expect(text).toContain('$150.00 per month — within budget');
    expect(text).not.toContain('Cheaper choices');
  });
});

describe('over budget', () => {
  it('names what the total pays for, by control, most expensive first', () => {
    const stacks = stack({
      Ca: { Type: 'AWS::ACMPCA::CertificateAuthority', Properties: { UsageMode: 'SHORT_LIVED_CERTIFICATE' } },
      Lattice: { Type: 'AWS::VpcLattice::Service', Properties: {} },
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
    });
    const text = renderIdleCost('dev', estimateIdleCost(stacks), { monthlyUsd: 60, constructPath: 'p' }).join('\n');
    expect(text).toContain('**over by $9.25**');
    expect(text).toContain(
      [
        '- private CA (client and service certificates, P7): $50.00',
        '- caller identity between services (VPC Lattice IAM auth, one service per callee, P3): $18.25',
        '- customer managed keys (P8): $1.00',
      ].join('\n'),
    );
  });
});
