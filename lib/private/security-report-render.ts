import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { organizationManagedPractice } from './organization-managed';
import { PRACTICES } from './practices';
import { recordedAcknowledgements, recordedOptOuts } from './recorded';
import { CfnJson } from './rule-helpers';

/** What the report shows of a rule (a PlatformRule fits). */
export interface ReportedRule {
  /** Rule id without the pack prefix (reported as `Platform-<id>`). */
  readonly id: string;
  /** What is wrong when the rule fires. */
  readonly info: string;
  /** Practice ids (P1–P16) the rule enforces. */
  readonly practices: readonly string[];
}

/** The file names the security report plugin writes into the cloud assembly directory. */
export const SECURITY_REPORT_FILE = 'security-report.md';
export const ARCHITECTURE_DOT_FILE = 'security-architecture.dot';
export const ARCHITECTURE_SVG_FILE = 'security-architecture.svg';

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: CfnJson;
  readonly Metadata?: CfnJson;
}

export interface ReportStack {
  readonly stackPath: string;
  readonly resources: Record<string, TemplateResource>;
}

export interface ReportInput {
  readonly stacks: readonly ReportStack[];
  /** The construct tree, for acknowledgements and opt-outs (recorded as construct metadata). */
  readonly root?: IConstruct;
  /** Names of the packs that ran. */
  readonly packs: readonly string[];
  /** The PlatformChecks rules that ran, listed as controls. */
  readonly rules: readonly ReportedRule[];
  /** More sections (markdown lines), placed before the architecture diagram (e.g. the idle monthly cost). */
  readonly sections?: readonly string[];
  /** constructPathsByLogicalId(root), when the caller already computed it. */
  readonly constructPaths?: ReadonlyMap<string, string>;
}

export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
  readonly constructPath: string;
  /** Made with acknowledgeStackWide: covers every resource of the stack (flagged in the report). */
  readonly stackWide?: boolean;
}
export interface OptOut {
  readonly control: string;
  readonly reason: string;
  readonly constructPath: string;
}

/** Every acknowledgement recorded under root (Validations.of(x).acknowledge or any other API), with its construct path. */
export function collectAcknowledgements(root: IConstruct): Acknowledgement[] {
  return recordedAcknowledgements(root)
    .map((a) => ({ id: a.id, reason: String(a.reason), constructPath: a.constructPath, ...(a.stackWide ? { stackWide: true } : {}) }))
    .sort((a, b) => a.constructPath.localeCompare(b.constructPath) || a.id.localeCompare(b.id));
}

/** Every explicit opt-out of a secure default (recordOptOut). */
export function collectOptOuts(root: IConstruct): OptOut[] {
  return recordedOptOuts(root).map((o) => ({ ...o, reason: String(o.reason) }));
}

/** Maps `<stack path>/<logical id>` to the construct path of every CloudFormation element under root. */
export function constructPathsByLogicalId(root: IConstruct): Map<string, string> {
  const paths = new Map<string, string>();
  for (const c of root.node.findAll()) {
    if (!CfnElement.isCfnElement(c)) continue;
    const stack = Stack.of(c);
    paths.set(`${stack.node.path}/${stack.resolve(c.logicalId)}`, c.node.path);
  }
  return paths;
}

/** Which resources implement each practice P1–P16 (docs/PRACTICES.md). */
export function mapPractices(stacks: readonly ReportStack[], paths: ReadonlyMap<string, string> = new Map()): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const practice of PRACTICES) {
    const lines: string[] = [];
    for (const stack of stacks) {
      for (const [logicalId, resource] of Object.entries(stack.resources)) {
        for (const evidence of practice.evidence.filter((e) => e.type === resource.Type)) {
          const what = evidence.describe(resource.Properties ?? {});
          const where = paths.get(`${stack.stackPath}/${logicalId}`) ?? resource.Metadata?.['aws:cdk:path'] ?? `${stack.stackPath}/${logicalId}`;
          if (what) lines.push(`\`${where}\` (${resource.Type}): ${what}`);
        }
      }
    }
    map.set(practice.id, lines);
  }
  return map;
}

interface DiagramNode {
  readonly id: string;
  readonly label: string;
  readonly types: readonly string[];
}

/** The request path of ARCHITECTURE.md, kept to the hops that exist in the synthesized templates. */
const DIAGRAM_NODES: readonly DiagramNode[] = [
  { id: 'client', label: 'Client (OAuth token, API key, client cert)', types: [] },
  { id: 'domain', label: 'Custom domain (TLS 1.2+, mTLS)', types: ['AWS::ApiGateway::DomainName'] },
  { id: 'waf', label: 'WAF web ACL', types: ['AWS::WAFv2::WebACL'] },
  { id: 'api', label: 'REST API stage', types: ['AWS::ApiGateway::Stage'] },
  { id: 'auth', label: 'Authorizers', types: ['AWS::ApiGateway::Authorizer'] },
  { id: 'link', label: 'VPC link / internal NLB', types: ['AWS::ApiGateway::VpcLink', 'AWS::ElasticLoadBalancingV2::LoadBalancer'] },
  { id: 'services', label: 'Fargate services', types: ['AWS::ECS::Service'] },
  { id: 'endpoints', label: 'VPC endpoints', types: ['AWS::EC2::VPCEndpoint'] },
  { id: 'storage', label: 'Encrypted storage', types: ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'] },
];
const SIDE_NODES: readonly (DiagramNode & { readonly attachTo: string })[] = [
  { id: 'idp', label: 'Cognito user pool', types: ['AWS::Cognito::UserPool'], attachTo: 'auth' },
  { id: 'pca', label: 'Private CA', types: ['AWS::ACMPCA::CertificateAuthority'], attachTo: 'domain' },
  { id: 'ecr', label: 'ECR repositories', types: ['AWS::ECR::Repository'], attachTo: 'services' },
  { id: 'kms', label: 'KMS keys', types: ['AWS::KMS::Key'], attachTo: 'storage' },
  { id: 'logs', label: 'Encrypted log groups', types: ['AWS::Logs::LogGroup'], attachTo: 'api' },
];

export interface ArchitectureGraph {
  readonly nodes: { id: string; label: string }[];
  readonly edges: [string, string][];
}

/** The nodes and edges of the architecture picture, counting resources of each kind. */
export function architectureGraph(stacks: readonly ReportStack[]): ArchitectureGraph {
  const count = (types: readonly string[]) => stacks.reduce((n, s) => n + Object.values(s.resources).filter((r) => types.includes(r.Type)).length, 0);
  const present = DIAGRAM_NODES.filter((n) => n.types.length === 0 || count(n.types) > 0);
  const nodes = present.map((n) => ({ id: n.id, label: n.types.length ? `${n.label} x${count(n.types)}` : n.label }));
  const edges: [string, string][] = [];
  for (let i = 1; i < present.length; i++) edges.push([present[i - 1].id, present[i].id]);
  for (const side of SIDE_NODES) {
    const n = count(side.types);
    if (n === 0) continue;
    nodes.push({ id: side.id, label: `${side.label} x${n}` });
    const anchor = present.find((p) => p.id === side.attachTo) ?? present[present.length - 1];
    edges.push([side.id, anchor.id]);
  }
  return { nodes, edges };
}

export function toMermaid(graph: ArchitectureGraph): string {
  return ['flowchart LR', ...graph.nodes.map((n) => `  ${n.id}["${n.label}"]`), ...graph.edges.map(([a, b]) => `  ${a} --> ${b}`)].join('\n');
}

export function toDot(graph: ArchitectureGraph): string {
  return [
    'digraph platform {',
    '  rankdir=LR;',
    '  node [shape=box, style=rounded];',
    ...graph.nodes.map((n) => `  ${n.id} [label="${n.label}"];`),
    ...graph.edges.map(([a, b]) => `  ${a} -> ${b};`),
    '}',
  ].join('\n');
}

/** Renders the security report as markdown. */
export function renderSecurityReport(input: ReportInput, diagramSvg?: string): string {
  const acks = input.root ? collectAcknowledgements(input.root) : [];
  const optOuts = input.root ? collectOptOuts(input.root) : [];
  const paths = input.constructPaths ?? (input.root ? constructPathsByLogicalId(input.root) : undefined);
  const practiceMap = mapPractices(input.stacks, paths);
  const resourceCount = input.stacks.reduce((n, s) => n + Object.keys(s.resources).length, 0);
  const lines: string[] = [
    '# Security report',
    '',
    `Generated at synth from ${input.stacks.length} stack(s), ${resourceCount} resources. Packs: ${input.packs.join(', ')}.`,
    '',
    '## Controls and where they are enforced',
    '',
    '| enforced by | synth fails when | practices |',
    '|---|---|---|',
    `| \`applySecurityChecks\` (${input.packs.join(', ')}) | any finding of these packs is not acknowledged | P16 |`,
    ...input.rules.map((r) => `| PlatformChecks \`Platform-${r.id}\` | ${r.info.replace(/\|/g, '/')} | ${r.practices.join(', ')} |`),
    '',
  ];
  const stackWide = acks.filter((a) => a.stackWide);
  if (stackWide.length > 0) {
    lines.push(
      `## WARNING: ${stackWide.length} STACK-WIDE acknowledgement(s)`,
      '',
      'Each of these silences its rule for **every resource of the stack**, present and future (acknowledgeStackWide). Review them first.',
      '',
      '| finding | stack | reason |',
      '|---|---|---|',
      ...stackWide.map((a) => `| \`${a.id}\` | \`${a.constructPath}\` | ${a.reason.replace(/\|/g, '/')} |`),
      '',
    );
  }
  lines.push('## Acknowledged findings', '');
  if (acks.length === 0) lines.push('None.');
  else
    lines.push(
      '| finding | construct | reason |',
      '|---|---|---|',
      ...acks.map((a) => `| \`${a.id}\`${a.stackWide ? ' **STACK-WIDE**' : ''} | \`${a.constructPath}\` | ${a.reason.replace(/\|/g, '/')} |`),
    );
  lines.push('', '## Secure defaults turned off (opt-outs)', '');
  if (optOuts.length === 0) lines.push('None.');
  else
    lines.push(
      '| control | construct | reason |',
      '|---|---|---|',
      ...optOuts.map((o) => `| ${o.control} | \`${o.constructPath}\` | ${o.reason.replace(/\|/g, '/')} |`),
    );
  lines.push('', '## Practices (P1–P16, docs/PRACTICES.md of cdk-secure-microservices) and the resources that implement them', '');
  for (const practice of PRACTICES) {
    const evidence =
      practice.id === 'P16'
        ? [`synth-time gate: ${input.packs.join(', ')}; ${input.rules.length} PlatformChecks rules (RULES.md)`]
        : [
            ...(practiceMap.get(practice.id) ?? []),
            ...optOuts
              .filter((o) => organizationManagedPractice(o.control) === practice.id)
              .map(
                (o) =>
                  `managed by the organization: ${o.control.replace(/ \(managed by the organization\)$/, '')} (\`${o.constructPath}\`): ${o.reason}`,
              ),
          ];
    lines.push(
      `### ${practice.id} ${practice.title}`,
      '',
      ...(evidence.length ? evidence.map((e) => `- ${e}`) : ['- not implemented by any resource in this app']),
      '',
    );
  }
  lines.push(...revocationSection(input.stacks));
  lines.push(...(input.sections ?? []));
  const graph = architectureGraph(input.stacks);
  lines.push('## Architecture', '');
  if (diagramSvg) lines.push(`![architecture](${diagramSvg})`, '', `Source: \`${ARCHITECTURE_DOT_FILE}\`.`, '');
  lines.push('```mermaid', toMermaid(graph), '```', '');
  return lines.join('\n');
}

/**
 * Which relying parties of the private CA's certificates check revocation, as the templates show it: said plainly,
 * because a CRL nobody reads is not a control.
 */
export function revocationSection(stacks: readonly ReportStack[]): string[] {
  const all = stacks.flatMap((s) => Object.values(s.resources));
  const of = (type: string) => all.filter((r) => r.Type === type);
  const cas = of('AWS::ACMPCA::CertificateAuthority');
  if (cas.length === 0) return [];
  const authorizers = of('AWS::ApiGateway::Authorizer').filter((r) => String(r.Properties?.IdentitySource ?? '').includes('clientCert'));
  const mtlsDomains = of('AWS::ApiGateway::DomainName').filter((r) => r.Properties?.MutualTlsAuthentication);
  const serviceConnectTls = of('AWS::ECS::Service').filter((r) => r.Properties?.ServiceConnectConfiguration?.Services?.some((x: CfnJson) => x.Tls));
  const sync = of('AWS::Events::Rule').some((r) => JSON.stringify(r.Properties?.EventPattern ?? {}).includes('RevokeCertificate'));
  const crl = cas.filter((r) => r.Properties?.RevocationConfiguration?.CrlConfiguration?.Enabled).length;
  const lines = ['## Revocation: which relying parties check it', '', '| relying party | checks revocation | how |', '|---|---|---|'];
  if (authorizers.length > 0) {
    const ttl = Math.max(...authorizers.map((r) => Number(r.Properties?.AuthorizerResultTtlInSeconds ?? 300)));
    lines.push(
      `| mTLS authorizer (ClientCertificateAuthorizer) x${authorizers.length} | **yes** | refuses serials on its deny-list within ${ttl} s (decision cache); entries come from \`csm-certs revoke\`${sync ? ' and, for revocations made elsewhere (console, AWS CLI), from the CloudTrail RevokeCertificate sync, which needs a trail recording management events in the region' : '; revocations made elsewhere (console, AWS CLI) do **not** reach it: no CloudTrail sync in this app'} |`,
    );
  }
  if (mtlsDomains.length > 0)
    lines.push(
      `| API Gateway mutual TLS (custom domain) x${mtlsDomains.length} | **no** | verifies the chain against the truststore only; never a CRL or OCSP (the authorizer above is what refuses revoked certificates) |`,
    );
  if (serviceConnectTls.length > 0)
    lines.push(
      `| ECS Service Connect TLS x${serviceConnectTls.length} | **no** | ECS issues and rotates its own short-lived certificates; no relying party checks their revocation |`,
    );
  lines.push(
    '',
    crl > 0
      ? `${crl} of ${cas.length} CA(s) publish a CRL to a private S3 bucket: no relying party above fetches it (it is read by \`csm-certs status\` as the CA's view and by principals granted access). The CA's audit report records every revocation as well.`
      : `No CA publishes a CRL; the CA's audit report records revocations.`,
    '',
  );
  return lines;
}

/** Renders DOT to SVG with Graphviz when `dot` is on PATH; returns whether it did. */
export function renderSvg(dotSource: string, svgPath: string): boolean {
  const run = spawnSync('dot', ['-Tsvg', '-o', svgPath], { input: dotSource, encoding: 'utf8' });
  return !run.error && run.status === 0 && fs.existsSync(svgPath);
}
