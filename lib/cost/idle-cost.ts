import { HOURS_PER_MONTH, PRICE_TABLE_DATE, PRICE_TABLE_REGION, PRICES, Price, PriceKey, pricingOf } from './price-table';
import { CfnJson } from '../private/rule-helpers';

/** A CloudFormation resource as synthesized. */
export interface CostResource {
  readonly Type: string;
  readonly Properties?: CfnJson;
  readonly Metadata?: CfnJson;
}

/** One synthesized template (top-level or nested stack). */
export interface CostStack {
  readonly stackPath: string;
  readonly resources: Readonly<Record<string, CostResource>>;
}

/** One monthly charge of one resource: quantity × unit price. */
export interface IdleCostRow {
  readonly constructPath: string;
  readonly resourceType: string;
  readonly price: PriceKey;
  readonly quantity: number;
  /** What was counted, e.g. "2 AZs × 730 h". */
  readonly basis: string;
  readonly monthlyUsd: number;
}

/** A resource type present in the templates that is charged only with use. */
export interface PerUseItem {
  readonly resourceType: string;
  readonly count: number;
  readonly prices: readonly (Price & { readonly key: PriceKey })[];
}

export interface IdleCostEstimate {
  readonly rows: readonly IdleCostRow[];
  readonly totalUsd: number;
  readonly perUse: readonly PerUseItem[];
  /** Resource types with no entry in the price table (the estimate is incomplete while this is not empty). */
  readonly unpricedTypes: readonly string[];
  /** Resources whose fixed charge could not be computed from the template (e.g. a token in a size). */
  readonly unresolved: readonly string[];
}

interface Charge {
  readonly price: PriceKey;
  readonly quantity: number;
  readonly basis: string;
}

type Resources = Readonly<Record<string, CostResource>>;
/** Computes the fixed monthly charges of one resource; `undefined` when its properties cannot be read. */
type FixedCharge = (props: CfnJson, resources: Resources) => Charge[] | undefined;

const hours = (price: PriceKey, count: number, what: string): Charge => ({
  price,
  quantity: count * HOURS_PER_MONTH,
  basis: `${count} ${what} × ${HOURS_PER_MONTH} h`,
});
const monthly = (price: PriceKey, count = 1, what = 'resource'): Charge => ({ price, quantity: count, basis: `${count} ${what}` });
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const asNumber = (v: unknown): number | undefined => (isNumber(v) ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);

/** Fargate task size of an ECS service, from its task definition in the same template. */
function fargateCharges(props: CfnJson, resources: Resources): Charge[] | undefined {
  const onFargate =
    props.LaunchType === 'FARGATE' || (props.CapacityProviderStrategy ?? []).some((s: CfnJson) => String(s.CapacityProvider).startsWith('FARGATE'));
  if (!onFargate) return undefined;
  const ref = props.TaskDefinition?.Ref;
  const taskDef = typeof ref === 'string' ? resources[ref]?.Properties : undefined;
  const desired = props.DesiredCount === undefined ? 1 : asNumber(props.DesiredCount);
  const cpu = asNumber(taskDef?.Cpu);
  const memory = asNumber(taskDef?.Memory);
  if (desired === undefined || cpu === undefined || memory === undefined) return undefined;
  const arm = taskDef?.RuntimePlatform?.CpuArchitecture === 'ARM64';
  const vcpus = (desired * cpu) / 1024;
  const gb = (desired * memory) / 1024;
  return [
    {
      price: arm ? 'fargateVcpuHourArm' : 'fargateVcpuHourX86',
      quantity: vcpus * HOURS_PER_MONTH,
      basis: `${desired} task(s) × ${cpu / 1024} vCPU × ${HOURS_PER_MONTH} h`,
    },
    {
      price: arm ? 'fargateGbHourArm' : 'fargateGbHourX86',
      quantity: gb * HOURS_PER_MONTH,
      basis: `${desired} task(s) × ${memory / 1024} GB × ${HOURS_PER_MONTH} h`,
    },
  ];
}

const BOT_CONTROL = 'AWSManagedRulesBotControlRuleSet';

/** The fixed monthly charges of each priced resource type; types not listed have none. */
const FIXED_CHARGES: Readonly<Record<string, FixedCharge>> = {
  'AWS::EC2::VPCEndpoint': (p) => {
    if (p.VpcEndpointType !== 'Interface') return [];
    return Array.isArray(p.SubnetIds) ? [hours('interfaceEndpointAzHour', p.SubnetIds.length, 'AZ(s)')] : undefined;
  },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': (p) => [hours(p.Type === 'network' ? 'nlbHour' : 'albHour', 1, 'load balancer')],
  'AWS::EC2::NatGateway': () => [hours('natGatewayHour', 1, 'NAT gateway')],
  'AWS::EC2::EIP': () => [hours('publicIpv4Hour', 1, 'public IPv4 address')],
  'AWS::ACMPCA::CertificateAuthority': (p) => [
    monthly(p.UsageMode === 'SHORT_LIVED_CERTIFICATE' ? 'pcaShortLivedMonth' : 'pcaGeneralPurposeMonth', 1, 'CA'),
  ],
  'AWS::WAFv2::WebACL': (p) => {
    if (!Array.isArray(p.Rules)) return undefined;
    const charges = [monthly('webAclMonth', 1, 'web ACL'), monthly('wafRuleMonth', p.Rules.length, 'rule(s)')];
    if (p.Rules.some((r) => r.Statement?.ManagedRuleGroupStatement?.Name === BOT_CONTROL))
      charges.push(monthly('botControlMonth', 1, 'subscription'));
    return charges;
  },
  'AWS::KMS::Key': () => [monthly('kmsKeyMonth', 1, 'key')],
  'AWS::CloudWatch::Alarm': (p) => [
    monthly('alarmMetricMonth', Array.isArray(p.Metrics) ? Math.max(1, p.Metrics.filter((m) => m.MetricStat).length) : 1, 'metric(s)'),
  ],
  'AWS::CloudWatch::CompositeAlarm': () => [monthly('compositeAlarmMonth', 1, 'alarm')],
  'AWS::CloudWatch::Dashboard': () => [monthly('dashboardMonth', 1, 'dashboard')],
  'AWS::SecretsManager::Secret': () => [monthly('secretMonth', 1, 'secret')],
  'AWS::Route53::HostedZone': () => [monthly('hostedZoneMonth', 1, 'hosted zone')],
  'AWS::ServiceDiscovery::PrivateDnsNamespace': () => [monthly('hostedZoneMonth', 1, 'hosted zone')],
  'AWS::Cognito::UserPoolClient': (p) =>
    Array.isArray(p.AllowedOAuthFlows) && p.AllowedOAuthFlows.includes('client_credentials')
      ? [monthly('cognitoM2mClientMonth', 1, 'machine client')]
      : [],
  'AWS::VpcLattice::Service': () => [hours('latticeServiceHour', 1, 'service')],
  'AWS::ECS::Service': fargateCharges,
  'AWS::ApiGateway::Stage': (p) => {
    if (p.CacheClusterEnabled !== true) return [];
    return (p.CacheClusterSize ?? '0.5') === '0.5' ? [hours('apiCache05GbHour', 1, '0.5 GB cache')] : undefined;
  },
  'AWS::DynamoDB::Table': (p) => {
    if (p.BillingMode !== 'PROVISIONED' && p.ProvisionedThroughput === undefined) return [];
    const wcu = asNumber(p.ProvisionedThroughput?.WriteCapacityUnits);
    const rcu = asNumber(p.ProvisionedThroughput?.ReadCapacityUnits);
    return wcu === undefined || rcu === undefined ? undefined : [hours('ddbWcuHour', wcu, 'WCU'), hours('ddbRcuHour', rcu, 'RCU')];
  },
};

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The monthly cost of the synthesized resources when no traffic flows: one row per fixed charge of each resource
 * (nested stacks included), the usage-priced resource types with their unit prices, and what could not be priced.
 * `constructPaths` maps `<stack path>/<logical id>` to a construct path for the rows.
 */
export function estimateIdleCost(stacks: readonly CostStack[], constructPaths: ReadonlyMap<string, string> = new Map()): IdleCostEstimate {
  const rows: IdleCostRow[] = [];
  const perUseCounts = new Map<string, number>();
  const unresolved: string[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      const pricing = pricingOf(resource.Type);
      if (!pricing) continue;
      const where = constructPaths.get(`${stack.stackPath}/${logicalId}`) ?? resource.Metadata?.['aws:cdk:path'] ?? `${stack.stackPath}/${logicalId}`;
      if (pricing.perUse?.length) perUseCounts.set(resource.Type, (perUseCounts.get(resource.Type) ?? 0) + 1);
      if (!pricing.fixed?.length) continue;
      const charges = FIXED_CHARGES[resource.Type]?.(resource.Properties ?? {}, stack.resources);
      if (charges === undefined) {
        unresolved.push(`${where} (${resource.Type})`);
        continue;
      }
      for (const c of charges) {
        rows.push({
          constructPath: where,
          resourceType: resource.Type,
          price: c.price,
          quantity: c.quantity,
          basis: c.basis,
          monthlyUsd: c.quantity * PRICES[c.price].usd,
        });
      }
    }
  }
  const perUse = [...perUseCounts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([resourceType, count]) => ({
      resourceType,
      count,
      prices: (pricingOf(resourceType)?.perUse ?? []).map((key) => ({ key, ...PRICES[key] })),
    }));
  // Most expensive resource first; the charges of one resource stay together.
  const perResource = new Map<string, number>();
  for (const r of rows) perResource.set(r.constructPath, (perResource.get(r.constructPath) ?? 0) + r.monthlyUsd);
  rows.sort(
    (x, y) =>
      perResource.get(y.constructPath)! - perResource.get(x.constructPath)! ||
      x.constructPath.localeCompare(y.constructPath) ||
      y.monthlyUsd - x.monthlyUsd,
  );
  return { rows, totalUsd: round2(rows.reduce((n, r) => n + r.monthlyUsd, 0)), perUse, unpricedTypes: unpricedResourceTypes(stacks), unresolved };
}

/** Resource types in the templates that the price table does not classify (fixed, per use or free). */
export function unpricedResourceTypes(stacks: readonly CostStack[]): string[] {
  return [...new Set(stacks.flatMap((s) => Object.values(s.resources).map((r) => r.Type)))].filter((t) => !pricingOf(t)).sort();
}

/** A cheaper choice the platform offers, with what it trades; shown when it would lower the estimate. */
export interface CheaperChoice {
  readonly option: string;
  readonly trades: string;
  /** The monthly saving if chosen, from the rows of this estimate (0 when it does not apply). */
  readonly savingUsd: (rows: readonly IdleCostRow[]) => number;
}

const sum = (rows: readonly IdleCostRow[], pick: (r: IdleCostRow) => number) => rows.reduce((n, r) => n + pick(r), 0);
const azsOf = (r: IdleCostRow) => Number(/^(\d+) AZ/.exec(r.basis)?.[1] ?? 1);
const tasksOf = (r: IdleCostRow) => Number(/^(\d+) task/.exec(r.basis)?.[1] ?? 1);

/** The platform's named options that trade something other than a security control for a lower idle cost. */
export const CHEAPER_CHOICES: readonly CheaperChoice[] = [
  {
    option: 'profile `interfaceEndpointZones: 1` (PrivateNetwork `interfaceEndpointZones`)',
    trades: 'interface endpoints in one AZ: AWS API calls from the other AZs cross zones (data transfer) and stop if that AZ fails',
    savingUsd: (rows) =>
      sum(
        rows.filter((r) => r.price === 'interfaceEndpointAzHour'),
        (r) => (r.monthlyUsd * (azsOf(r) - 1)) / azsOf(r),
      ),
  },
  {
    option: 'profile `caUsageMode: SHORT_LIVED_CERTIFICATE`',
    trades: 'certificates valid 7 days at most (clients renew weekly with `csm-certs renew`); a CA cannot change mode, so this replaces it',
    savingUsd: (rows) =>
      sum(
        rows.filter((r) => r.price === 'pcaGeneralPurposeMonth'),
        (r) => r.monthlyUsd - PRICES.pcaShortLivedMonth.usd * r.quantity,
      ),
  },
  {
    option: 'profile `subordinateCa: false`',
    trades: 'the root CA issues directly: its key is used for every issuance instead of once for the issuing CA',
    savingUsd: (rows) => {
      const cas = rows.filter((r) => r.resourceType === 'AWS::ACMPCA::CertificateAuthority');
      return cas.length > 1 ? Math.min(...cas.map((r) => r.monthlyUsd)) : 0;
    },
  },
  {
    option: 'profile `desiredCount: 1` (or `addService(..., { desiredCount: 1 })`)',
    trades: 'one task per service: no redundancy across AZs, a task failure is an outage until ECS replaces it',
    savingUsd: (rows) =>
      sum(
        rows.filter((r) => r.resourceType === 'AWS::ECS::Service'),
        (r) => (r.monthlyUsd * (tasksOf(r) - 1)) / tasksOf(r),
      ),
  },
  {
    option:
      'PlatformStage `accountBaseline.organizationManaged` (a delegated administrator runs the trail and detectors), or `withoutAccountBaseline` on a second environment of the same account and region',
    trades:
      "the organization's (or the other environment's) trail, detectors and standards cover this account instead: its own keys, CIS alarms and alarm topic go",
    savingUsd: (rows) =>
      sum(
        rows.filter((r) => /^[^/]+\/Baseline\//.test(r.constructPath)),
        (r) => r.monthlyUsd,
      ),
  },
  {
    option: 'ApiFirewall `enableBotControl: false`',
    trades: 'no bot signatures: the rate rule and the IP reputation lists remain',
    savingUsd: (rows) =>
      sum(
        rows.filter((r) => r.price === 'botControlMonth'),
        (r) => r.monthlyUsd + PRICES.wafRuleMonth.usd,
      ),
  },
];

/** What each fixed charge pays for, so an over-budget report names the controls that cost. */
const CONTROL_OF_PRICE: Partial<Record<PriceKey, string>> = {
  pcaShortLivedMonth: 'private CA (client and service certificates, P7)',
  pcaGeneralPurposeMonth: 'private CA (client and service certificates, P7)',
  interfaceEndpointAzHour: 'VPC interface endpoints (no internet path, P1)',
  latticeServiceHour: 'caller identity between services (VPC Lattice IAM auth, one service per callee, P3)',
  webAclMonth: 'WAF (P5, P10)',
  wafRuleMonth: 'WAF (P5, P10)',
  botControlMonth: 'WAF (P5, P10)',
  nlbHour: 'private integration (internal NLB behind the VPC link, P1, P6)',
  fargateVcpuHourX86: 'the services themselves (Fargate tasks)',
  fargateGbHourX86: 'the services themselves (Fargate tasks)',
  fargateVcpuHourArm: 'the services themselves (Fargate tasks)',
  fargateGbHourArm: 'the services themselves (Fargate tasks)',
  cognitoM2mClientMonth: 'machine clients (client credentials, P2)',
  kmsKeyMonth: 'customer managed keys (P8)',
  alarmMetricMonth: 'alarms (P10)',
};

/** The monthly cost of each control, most expensive first. */
export function costByControl(rows: readonly IdleCostRow[]): { control: string; monthlyUsd: number }[] {
  const byControl = new Map<string, number>();
  for (const r of rows) {
    const control = CONTROL_OF_PRICE[r.price] ?? r.resourceType;
    byControl.set(control, (byControl.get(control) ?? 0) + r.monthlyUsd);
  }
  return [...byControl].map(([control, monthlyUsd]) => ({ control, monthlyUsd: round2(monthlyUsd) })).sort((a, b) => b.monthlyUsd - a.monthlyUsd);
}

const usd = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const unitUsd = (n: number) => `$${n < 0.01 ? String(n) : n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 5 })}`;
const qty = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** Metadata type under which a platform records its profile's idle-cost budget for the report. */
export const IDLE_COST_BUDGET_METADATA_TYPE = 'cdk-secure-microservices:idle-cost-budget';

/** A budget a profile sets for its idle cost (recorded on the platform, read back by the report). */
export interface IdleCostBudget {
  readonly monthlyUsd: number;
  /** The construct that set it. */
  readonly constructPath: string;
}

/** Renders the "Idle monthly cost" section of one stage as markdown lines. */
export function renderIdleCost(stageName: string, estimate: IdleCostEstimate, budget?: IdleCostBudget): string[] {
  const lines = [`### ${stageName}`, ''];
  if (estimate.rows.length === 0) lines.push('No resource with a fixed monthly price.', '');
  else {
    lines.push('| construct | type | quantity × unit price | monthly |', '|---|---|---|---|');
    for (const r of estimate.rows) {
      const p = PRICES[r.price];
      lines.push(
        `| \`${r.constructPath}\` | ${r.resourceType} | ${r.basis} = ${qty(r.quantity)} × ${unitUsd(p.usd)} per ${p.unit} | ${usd(r.monthlyUsd)} |`,
      );
    }
    lines.push(`| **total** | | | **${usd(estimate.totalUsd)}** |`, '');
  }
  if (budget) {
    const within = estimate.totalUsd <= budget.monthlyUsd;
    lines.push(
      `Idle budget of the profile (\`idleMonthlyBudgetUsd\` on \`${budget.constructPath}\`): ${usd(budget.monthlyUsd)} per month — ${within ? 'within budget' : `**over by ${usd(estimate.totalUsd - budget.monthlyUsd)}**`}.`,
      '',
    );
    if (!within) {
      lines.push(
        'What the total pays for, by control (every control stays on; the cheaper choices below, if any, trade something else):',
        '',
        ...costByControl(estimate.rows).map((c) => `- ${c.control}: ${usd(c.monthlyUsd)}`),
        '',
      );
    }
  }
  const choices = CHEAPER_CHOICES.map((c) => ({ ...c, saving: round2(c.savingUsd(estimate.rows)) })).filter((c) => c.saving > 0);
  if (choices.length > 0) {
    lines.push('Cheaper choices (no security control is turned off by any of them):', '', '| option | saves per month | trades |', '|---|---|---|');
    lines.push(...choices.map((c) => `| ${c.option} | ${usd(c.saving)} | ${c.trades} |`), '');
  }
  if (estimate.perUse.length > 0) {
    lines.push('Charged per use (not in the total):', '', '| type | resources | unit prices |', '|---|---|---|');
    lines.push(
      ...estimate.perUse.map((u) => `| ${u.resourceType} | ${u.count} | ${u.prices.map((p) => `${unitUsd(p.usd)} per ${p.unit}`).join('; ')} |`),
      '',
    );
  }
  if (estimate.unpricedTypes.length > 0)
    lines.push(`**Not in the price table** (the total is incomplete): ${estimate.unpricedTypes.join(', ')}.`, '');
  if (estimate.unresolved.length > 0)
    lines.push(`**Not computable from the template** (the total is incomplete): ${estimate.unresolved.join(', ')}.`, '');
  return lines;
}

/** The header line every idle-cost section carries. */
export function priceTableNote(): string {
  return `List prices of ${PRICE_TABLE_REGION}, on-demand, USD, read ${PRICE_TABLE_DATE}; ${HOURS_PER_MONTH} hours per month; no free tier, savings plans or taxes. Other regions differ.`;
}
