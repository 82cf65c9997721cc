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
  /** Every resource type of the templates, sorted (what the cheaper choices check their applicability against). */
  readonly resourceTypes: readonly string[];
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
  const resourceTypes = [...new Set(stacks.flatMap((s) => Object.values(s.resources).map((r) => r.Type)))].sort();
  return {
    rows,
    totalUsd: round2(totalOf(rows)),
    perUse,
    unpricedTypes: unpricedResourceTypes(stacks),
    unresolved,
    resourceTypes,
  };
}

/** Resource types in the templates that the price table does not classify (fixed, per use or free). */
export function unpricedResourceTypes(stacks: readonly CostStack[]): string[] {
  return [...new Set(stacks.flatMap((s) => Object.values(s.resources).map((r) => r.Type)))].filter((t) => !pricingOf(t)).sort();
}

/** What a cheaper choice needs to know about a stage besides its rows. */
export interface StageFacts {
  /** The resource types of the stage's templates. */
  readonly resourceTypes: ReadonlySet<string>;
  /**
   * The stage was built with a known profile other than `prod` (PlatformStage.profileName). Choices that share a
   * resource with another environment are offered only then: never to (or from) production.
   */
  readonly nonProduction: boolean;
}

/**
 * A cheaper choice the platform offers, with what it trades; shown when it would lower the estimate. Its saving is
 * computed from the stage's rows: `apply` returns the rows as they would be once chosen (dropped or repriced), so
 * choices combine by applying one after the other.
 */
export interface CheaperChoice {
  /** The option, where it is set, as the report's table names it. */
  readonly option: string;
  /** The option in a sentence ("… brings dev to $120.70"). */
  readonly short: string;
  readonly trades: string;
  /** The security control the choice turns off, if it does (never part of a set that brings a stage within budget). */
  readonly turnsOff?: string;
  /** Whether the stage can take the choice at all. @default - always */
  readonly appliesTo?: (stage: StageFacts) => boolean;
  /** The rows once chosen: rows it removes are gone, rows it reprices carry the new price and monthly amount. */
  readonly apply: (rows: readonly IdleCostRow[]) => IdleCostRow[];
}

/** The monthly sum of the rows (unrounded). */
function totalOf(rows: readonly IdleCostRow[]): number {
  return rows.reduce((n, r) => n + r.monthlyUsd, 0);
}
const azsOf = (r: IdleCostRow) => Number(/^(\d+) AZ/.exec(r.basis)?.[1] ?? 1);
const tasksOf = (r: IdleCostRow) => Number(/^(\d+) task/.exec(r.basis)?.[1] ?? 1);

/** The row charged at `price` for `quantity` (default: the same quantity). */
function reprice(row: IdleCostRow, price: PriceKey, quantity = row.quantity, basis = row.basis): IdleCostRow {
  return { ...row, price, quantity, basis, monthlyUsd: quantity * PRICES[price].usd };
}

/** Scales a row counted in `count` units (AZs, tasks) down to one unit. */
function toOne(row: IdleCostRow, count: number, unit: RegExp): IdleCostRow {
  return count <= 1
    ? row
    : reprice(
        row,
        row.price,
        row.quantity / count,
        row.basis.replace(unit, (m) => m.replace(String(count), '1')),
      );
}

const isCa = (r: IdleCostRow) => r.resourceType === 'AWS::ACMPCA::CertificateAuthority';
const ARM_PRICE: Partial<Record<PriceKey, PriceKey>> = { fargateVcpuHourX86: 'fargateVcpuHourArm', fargateGbHourX86: 'fargateGbHourArm' };

/**
 * The platform's named options that lower the idle cost. Each keeps every security control on and trades something
 * else, except the one with `turnsOff` (Bot Control), which the report marks and never proposes to meet a budget.
 */
export const CHEAPER_CHOICES: readonly CheaperChoice[] = [
  {
    option: 'profile `interfaceEndpointZones: 1` (PrivateNetwork `interfaceEndpointZones`)',
    short: 'interface endpoints in one AZ (`interfaceEndpointZones: 1`)',
    trades: 'interface endpoints in one AZ: AWS API calls from the other AZs cross zones (data transfer) and stop if that AZ fails',
    apply: (rows) => rows.map((r) => (r.price === 'interfaceEndpointAzHour' ? toOne(r, azsOf(r), /^\d+ AZ/) : r)),
  },
  {
    option: 'profile `caUsageMode: SHORT_LIVED_CERTIFICATE`',
    short: 'a short-lived-certificate CA (`caUsageMode: SHORT_LIVED_CERTIFICATE`)',
    trades: 'certificates valid 7 days at most (clients renew weekly with `csm-certs renew`); a CA cannot change mode, so this replaces it',
    apply: (rows) => rows.map((r) => (r.price === 'pcaGeneralPurposeMonth' ? reprice(r, 'pcaShortLivedMonth') : r)),
  },
  {
    option: 'profile `subordinateCa: false`',
    short: 'no issuing CA (`subordinateCa: false`)',
    trades: 'the root CA issues directly: its key is used for every issuance instead of once for the issuing CA',
    apply: (rows) => {
      const cas = rows.filter(isCa);
      if (cas.length < 2) return [...rows];
      const cheapest = cas.reduce((a, b) => (b.monthlyUsd < a.monthlyUsd ? b : a));
      return rows.filter((r) => r !== cheapest);
    },
  },
  {
    option:
      '`existingCertificateAuthority` (PlatformStage or SecureMicroservicePlatform): the active CA of another non-production environment, with its chain PEM (`aws acm-pca get-certificate-authority-certificate`); recorded as an opt-out',
    short: '`existingCertificateAuthority` shared with another non-production environment',
    trades:
      "this environment's truststore and Service Connect trust certificates the other environment's operators issue (certificate binding to the token's client and the deny-list still apply); revocation, CRL and the CA's audit belong to the owning environment; never share a CA with prod",
    appliesTo: (stage) => stage.nonProduction,
    apply: (rows) => rows.filter((r) => !isCa(r)),
  },
  {
    option:
      '`existingNetwork` (PlatformStage or SecureMicroservicePlatform): the VPC, interface endpoints and endpoint security group of another non-production environment in the same account and region; recorded as an opt-out',
    short: '`existingNetwork` shared with another non-production environment',
    trades:
      "one VPC for both environments: a shared blast radius and flow log, endpoint policies that must admit both environments' roles, network changes owned by the other environment; only without `allowFrom` calls here (a VPC joins one VPC Lattice service network)",
    // A VPC can be associated with only one Lattice service network: this stage's association would be refused.
    appliesTo: (stage) => stage.nonProduction && !stage.resourceTypes.has('AWS::VpcLattice::ServiceNetworkVpcAssociation'),
    apply: (rows) => rows.filter((r) => r.price !== 'interfaceEndpointAzHour'),
  },
  {
    option: '`addService(name, { cpuArchitecture: ecs.CpuArchitecture.ARM64 })` (SecureFargateService `cpuArchitecture`)',
    short: 'Graviton tasks (`cpuArchitecture: ARM64`)',
    trades:
      'images must be built for linux/arm64 (or multi-arch); the same controls run on Graviton (ECS Exec, Service Connect TLS, GuardDuty runtime monitoring)',
    apply: (rows) => rows.map((r) => (ARM_PRICE[r.price] ? reprice(r, ARM_PRICE[r.price]!) : r)),
  },
  {
    option: 'profile `desiredCount: 1` (or `addService(..., { desiredCount: 1 })`)',
    short: 'one task per service (`desiredCount: 1`)',
    trades: 'one task per service: no redundancy across AZs, a task failure is an outage until ECS replaces it',
    apply: (rows) => rows.map((r) => (r.resourceType === 'AWS::ECS::Service' ? toOne(r, tasksOf(r), /^\d+ task/) : r)),
  },
  {
    option:
      'PlatformStage `accountBaseline.organizationManaged` (a delegated administrator runs the trail and detectors), or `withoutAccountBaseline` on a second environment of the same account and region',
    short: "the organization's (or another environment's) account baseline (`accountBaseline.organizationManaged` / `withoutAccountBaseline`)",
    trades:
      "the organization's (or the other environment's) trail, detectors and standards cover this account instead: its own keys, CIS alarms and alarm topic go",
    apply: (rows) => rows.filter((r) => !/^[^/]+\/Baseline\//.test(r.constructPath)),
  },
  {
    option: 'ApiFirewall `enableBotControl: false`',
    short: 'Bot Control off (`enableBotControl: false`)',
    turnsOff: 'Bot Control',
    trades: 'no bot signatures: the rate rule and the IP reputation lists remain',
    apply: (rows) => {
      const withBots = new Set(rows.filter((r) => r.price === 'botControlMonth').map((r) => r.constructPath));
      return rows
        .filter((r) => r.price !== 'botControlMonth')
        .map((r) =>
          r.price === 'wafRuleMonth' && withBots.has(r.constructPath) ? reprice(r, 'wafRuleMonth', r.quantity - 1, `${r.quantity - 1} rule(s)`) : r,
        );
    },
  },
];

/** The monthly saving of a choice on these rows (0 when it changes nothing). */
export function savingOf(choice: CheaperChoice, rows: readonly IdleCostRow[]): number {
  return round2(totalOf(rows) - totalOf(choice.apply(rows)));
}

/** The choices the stage can take that lower its total, with their saving, in CHEAPER_CHOICES order. */
export function applicableChoices(rows: readonly IdleCostRow[], stage: StageFacts): { choice: CheaperChoice; savingUsd: number }[] {
  return CHEAPER_CHOICES.filter((c) => c.appliesTo?.(stage) ?? true)
    .map((choice) => ({ choice, savingUsd: savingOf(choice, rows) }))
    .filter((c) => c.savingUsd > 0);
}

/** A set of choices and the total they bring the stage to. */
export interface ChoiceSet {
  readonly choices: readonly CheaperChoice[];
  readonly totalUsd: number;
}

/** The total once every choice of the set is taken (one after the other: overlapping choices are not counted twice). */
export function totalWith(rows: readonly IdleCostRow[], choices: readonly CheaperChoice[]): number {
  return round2(totalOf(choices.reduce<readonly IdleCostRow[]>((acc, c) => c.apply(acc), rows)));
}

/**
 * The smallest sets of applicable choices that bring the total within `budgetUsd`: every fitting set of the least
 * size, lowest resulting total first (empty when even all of them together do not fit).
 */
export function smallestFits(rows: readonly IdleCostRow[], stage: StageFacts, budgetUsd: number): ChoiceSet[] {
  const choices = choicesKeepingControls(rows, stage);
  for (let size = 1; size <= choices.length; size++) {
    const fits = combinations(choices, size)
      .map((set) => ({ choices: set, totalUsd: totalWith(rows, set) }))
      .filter((s) => s.totalUsd <= budgetUsd);
    if (fits.length > 0) return fits.sort((a, b) => a.totalUsd - b.totalUsd);
  }
  return [];
}

/** The applicable choices that keep every security control on (the only ones proposed to meet a budget). */
function choicesKeepingControls(rows: readonly IdleCostRow[], stage: StageFacts): CheaperChoice[] {
  return applicableChoices(rows, stage)
    .map((c) => c.choice)
    .filter((c) => !c.turnsOff);
}

function combinations<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  return items.flatMap((item, i) => combinations(items.slice(i + 1), size - 1).map((rest) => [item, ...rest]));
}

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

/** What the report knows of a stage beyond its templates. */
export interface IdleCostStage {
  /**
   * The profile the stage was built with (PlatformStage.profileName), when known. Choices that share a resource with
   * another environment are offered only for a known profile other than `prod`.
   */
  readonly profileName?: string;
}

/** The stage facts the cheaper choices check, from the estimate and what is known of the stage. */
export function stageFacts(estimate: IdleCostEstimate, stage: IdleCostStage = {}): StageFacts {
  return { resourceTypes: new Set(estimate.resourceTypes), nonProduction: stage.profileName !== undefined && stage.profileName !== 'prod' };
}

/** "A", "A and B", "A, B and C". */
function joinChoices(choices: readonly CheaperChoice[]): string {
  const names = choices.map((c) => c.short);
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * One sentence on the budget: within it, or over it and which smallest set of choices that keep every control on
 * brings the stage within it (and to what total), or that none does; without a budget, the total.
 */
export function budgetVerdict(stageName: string, estimate: IdleCostEstimate, budget?: IdleCostBudget, stage: IdleCostStage = {}): string {
  if (!budget) return `${stageName}: ${usd(estimate.totalUsd)} per month idle (no budget: priced, not capped).`;
  const limit = usd(budget.monthlyUsd);
  if (estimate.totalUsd <= budget.monthlyUsd) return `${stageName}: ${usd(estimate.totalUsd)} per month idle, within its ${limit} budget.`;
  const over = `${stageName}: ${usd(estimate.totalUsd)} per month idle, **over its ${limit} budget by ${usd(estimate.totalUsd - budget.monthlyUsd)}**`;
  const facts = stageFacts(estimate, stage);
  const fits = smallestFits(estimate.rows, facts, budget.monthlyUsd);
  if (fits.length > 0) {
    const [best, ...others] = fits;
    const also = others.length > 0 ? ` Also enough: ${others.map((f) => `${joinChoices(f.choices)} (${usd(f.totalUsd)})`).join('; ')}.` : '';
    const verb = best.choices.length === 1 ? 'brings' : 'together bring';
    return `${over}. ${joinChoices(best.choices)} ${verb} ${stageName} to ${usd(best.totalUsd)} (≤ ${limit}), every security control on.${also}`;
  }
  const keeping = choicesKeepingControls(estimate.rows, facts);
  const floor =
    keeping.length > 0 ? ` (all ${keeping.length} that apply together: ${usd(totalWith(estimate.rows, keeping))})` : ' (none applies here)';
  return `${over}. No cheaper choice that keeps every control on brings ${stageName} within ${limit}${floor}: it takes a larger budget, or a control the list below pays for turned off.`;
}

/** Renders the "Idle monthly cost" section of one stage as markdown lines. */
export function renderIdleCost(stageName: string, estimate: IdleCostEstimate, budget?: IdleCostBudget, stage: IdleCostStage = {}): string[] {
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
        budgetVerdict(stageName, estimate, budget, stage),
        '',
        'What the total pays for, by control (every control is on):',
        '',
        ...costByControl(estimate.rows).map((c) => `- ${c.control}: ${usd(c.monthlyUsd)}`),
        '',
      );
    }
  }
  const choices = applicableChoices(estimate.rows, stageFacts(estimate, stage));
  if (choices.length > 0) {
    lines.push(
      'Cheaper choices (each keeps every security control on, except where it says it turns one off):',
      '',
      '| option | saves per month | trades |',
      '|---|---|---|',
    );
    lines.push(
      ...choices.map(
        ({ choice: c, savingUsd }) => `| ${c.option} | ${usd(savingUsd)} | ${c.turnsOff ? `**turns ${c.turnsOff} off:** ` : ''}${c.trades} |`,
      ),
      '',
    );
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
