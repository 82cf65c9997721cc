import { describe, expect, it } from 'vitest';
import {
  applicableChoices,
  budgetVerdict,
  CHEAPER_CHOICES,
  CostStack,
  estimateIdleCost,
  IdleCostEstimate,
  IdleCostStage,
  renderIdleCost,
  savingOf,
  smallestFits,
  stageFacts,
  totalWith,
  unpricedResourceTypes,
} from '../../lib/cost/idle-cost';
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

describe('cheaper choices', () => {
  const choice = (short: RegExp) => CHEAPER_CHOICES.find((c) => short.test(c.short))!;
  const SHARED_CA = choice(/^`existingCertificateAuthority`/);
  const SHARED_NETWORK = choice(/^`existingNetwork`/);
  const GRAVITON = choice(/^Graviton/);
  const ONE_AZ = choice(/^interface endpoints in one AZ/);
  const BOT_CONTROL = choice(/^Bot Control off/);
  const DEV: IdleCostStage = { profileName: 'dev' };
  const fargate = (id: string, desired: number, cpu = '256', memory = '512') => ({
    [id]: { Type: 'AWS::ECS::Service', Properties: { LaunchType: 'FARGATE', DesiredCount: desired, TaskDefinition: { Ref: `${id}Task` } } },
    [`${id}Task`]: { Type: 'AWS::ECS::TaskDefinition', Properties: { Cpu: cpu, Memory: memory } },
  });
  const endpoint = (azs: number) => ({
    Type: 'AWS::EC2::VPCEndpoint',
    Properties: { VpcEndpointType: 'Interface', SubnetIds: Array(azs).fill('s') },
  });
  const shortLivedCa = { Type: 'AWS::ACMPCA::CertificateAuthority', Properties: { UsageMode: 'SHORT_LIVED_CERTIFICATE' } };
  // A dev-like stage: short-lived CA $50, 4 endpoints in 2 AZs $58.40, 2 tasks (0.25 vCPU, 0.5 GB) $18.02.
  const devLike = estimateIdleCost(
    stack({ Ca: shortLivedCa, E1: endpoint(2), E2: endpoint(2), E3: endpoint(2), E4: endpoint(2), ...fargate('Svc', 2) }),
  );
  const rowsOf = (e: IdleCostEstimate) => e.rows;

  it('computes each saving from the rows it drops or reprices', () => {
    expect(devLike.totalUsd).toBeCloseTo(50 + 4 * 2 * 730 * 0.01 + 2 * 730 * (0.25 * 0.04048 + 0.5 * 0.004445), 2);
    expect(savingOf(SHARED_CA, rowsOf(devLike))).toBe(50);
    expect(savingOf(SHARED_NETWORK, rowsOf(devLike))).toBe(58.4);
    expect(savingOf(ONE_AZ, rowsOf(devLike))).toBe(29.2);
    // x86 → ARM at the table's prices, on the same vCPU- and GB-hours.
    const armSaving =
      2 *
      730 *
      (0.25 * (PRICES.fargateVcpuHourX86.usd - PRICES.fargateVcpuHourArm.usd) + 0.5 * (PRICES.fargateGbHourX86.usd - PRICES.fargateGbHourArm.usd));
    expect(savingOf(GRAVITON, rowsOf(devLike))).toBeCloseTo(armSaving, 2);
    expect(
      GRAVITON.apply(rowsOf(devLike))
        .filter((r) => r.resourceType === 'AWS::ECS::Service')
        .map((r) => r.price),
    ).toEqual(['fargateVcpuHourArm', 'fargateGbHourArm']);
    // Applied one after the other, overlapping choices are not counted twice: one AZ, then no endpoints at all.
    expect(totalWith(rowsOf(devLike), [ONE_AZ, SHARED_NETWORK])).toBeCloseTo(devLike.totalUsd - 58.4, 2);
    // Already ARM: nothing to save, so no row.
    const arm = estimateIdleCost(
      stack({
        Svc: { Type: 'AWS::ECS::Service', Properties: { LaunchType: 'FARGATE', TaskDefinition: { Ref: 'T' } } },
        T: { Type: 'AWS::ECS::TaskDefinition', Properties: { Cpu: '256', Memory: '512', RuntimePlatform: { CpuArchitecture: 'ARM64' } } },
      }),
    );
    expect(savingOf(GRAVITON, arm.rows)).toBe(0);
    expect(renderIdleCost('dev', arm, undefined, DEV).join('\n')).not.toContain('cpuArchitecture');
  });

  it('offers sharing a CA or a network only to a known non-production stage, and a network only without a Lattice association', () => {
    const offered = (estimate: IdleCostEstimate, stage: IdleCostStage) =>
      applicableChoices(estimate.rows, stageFacts(estimate, stage)).map((c) => c.choice);
    expect(offered(devLike, DEV)).toEqual(expect.arrayContaining([SHARED_CA, SHARED_NETWORK]));
    expect(offered(devLike, { profileName: 'prod' })).not.toContain(SHARED_CA);
    expect(offered(devLike, { profileName: 'prod' })).not.toContain(SHARED_NETWORK);
    expect(offered(devLike, {})).not.toContain(SHARED_CA);
    const withLattice = estimateIdleCost(
      stack({ Ca: shortLivedCa, E1: endpoint(1), Assoc: { Type: 'AWS::VpcLattice::ServiceNetworkVpcAssociation', Properties: {} } }),
    );
    expect(offered(withLattice, DEV)).toContain(SHARED_CA);
    expect(offered(withLattice, DEV)).not.toContain(SHARED_NETWORK);
    const prodText = renderIdleCost('prod', devLike, undefined, { profileName: 'prod' }).join('\n');
    expect(prodText).not.toContain('existingCertificateAuthority');
    expect(prodText).not.toContain('existingNetwork');
    expect(prodText).toContain(
      '| `addService(name, { cpuArchitecture: ecs.CpuArchitecture.ARM64 })` (SecureFargateService `cpuArchitecture`) | $3.60 |',
    );
  });

  it('names the smallest set of choices that brings the stage within budget, and the total it reaches', () => {
    const facts = stageFacts(devLike, DEV);
    // $126.42: the network alone ($58.40), the CA alone ($50) or endpoints in one AZ ($29.20) fit $100; lowest total first.
    const single = smallestFits(devLike.rows, facts, 100);
    expect(single.map((f) => f.choices.map((c) => c.short))).toEqual([[SHARED_NETWORK.short], [SHARED_CA.short], [ONE_AZ.short]]);
    expect(single.map((f) => f.totalUsd)).toEqual([68.02, 76.42, 97.22]);
    // $60 needs two: no single choice saves $66.42; CA + network reach $18.02 (endpoints in one AZ add nothing after
    // the network), CA + one AZ $47.22, network + one task per service $59.01.
    const pair = smallestFits(devLike.rows, facts, 60);
    expect(pair.map((f) => [f.choices.map((c) => c.short), f.totalUsd])).toEqual([
      [[SHARED_CA.short, SHARED_NETWORK.short], 18.02],
      [[ONE_AZ.short, SHARED_CA.short], 47.22],
      [[SHARED_NETWORK.short, choice(/^one task per service/).short], 59.01],
    ]);
    // Below what every choice together reaches ($7.21: one ARM task, no CA, no endpoints): nothing fits.
    expect(
      totalWith(
        devLike.rows,
        applicableChoices(devLike.rows, facts).map((c) => c.choice),
      ),
    ).toBe(7.21);
    expect(smallestFits(devLike.rows, facts, 7.2)).toEqual([]);
    expect(smallestFits(devLike.rows, facts, 7.21)[0].choices).toHaveLength(4);
    // Without the sharing choices (prod), only what is left is tried.
    expect(smallestFits(devLike.rows, stageFacts(devLike, { profileName: 'prod' }), 100).map((f) => f.choices)).toEqual([[ONE_AZ]]);
    expect(smallestFits(devLike.rows, stageFacts(devLike, { profileName: 'prod' }), 60)).toEqual([]);
  });

  it('never meets a budget by turning a control off (Bot Control)', () => {
    const rule = (name: string) => ({ Name: name, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } } });
    const waf = estimateIdleCost(
      stack({ Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [rule('AWSManagedRulesBotControlRuleSet'), rule('x')] } } }),
    );
    expect(waf.totalUsd).toBe(17);
    expect(savingOf(BOT_CONTROL, waf.rows)).toBe(11);
    expect(smallestFits(waf.rows, stageFacts(waf, DEV), 10)).toEqual([]);
    const text = renderIdleCost('dev', waf, { monthlyUsd: 10, constructPath: 'p' }, DEV).join('\n');
    expect(text).toContain('| ApiFirewall `enableBotControl: false` | $11.00 | **turns Bot Control off:** no bot signatures');
    expect(text).toContain('No cheaper choice that keeps every control on brings dev within $10.00 (none applies here)');
  });

  it('says in the report which choice brings an over-budget stage within budget, or that none does', () => {
    const budget = { monthlyUsd: 100, constructPath: 'dev/Platform/Platform' };
    const text = renderIdleCost('dev', devLike, budget, DEV).join('\n');
    expect(text).toContain(
      `\`existingNetwork\` shared with another non-production environment brings dev to $${(devLike.totalUsd - 58.4).toFixed(2)} (≤ $100.00), every security control on. Also enough: \`existingCertificateAuthority\` shared with another non-production environment ($76.42); interface endpoints in one AZ (\`interfaceEndpointZones: 1\`) ($97.22).`,
    );
    expect(budgetVerdict('dev', devLike, { monthlyUsd: 5, constructPath: 'p' }, DEV)).toBe(
      'dev: $126.42 per month idle, **over its $5.00 budget by $121.42**. No cheaper choice that keeps every control on brings dev within $5.00 (all 5 that apply together: $7.21): it takes a larger budget, or a control the list below pays for turned off.',
    );
    expect(budgetVerdict('dev', devLike, { monthlyUsd: 20, constructPath: 'p' }, DEV)).toContain(
      '`existingCertificateAuthority` shared with another non-production environment and `existingNetwork` shared with another non-production environment together bring dev to $18.02 (≤ $20.00)',
    );
    expect(budgetVerdict('dev', devLike, { monthlyUsd: 150, constructPath: 'p' }, DEV)).toBe(
      'dev: $126.42 per month idle, within its $150.00 budget.',
    );
    expect(budgetVerdict('prod', devLike)).toBe('prod: $126.42 per month idle (no budget: priced, not capped).');
  });
});
