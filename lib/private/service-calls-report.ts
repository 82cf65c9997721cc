import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { SERVICE_CALLS_METADATA_TYPE, ServiceCallsRecord } from './metadata';

/** A service's call record with where it lives (stage path, construct path). */
export interface ServiceCalls extends ServiceCallsRecord {
  readonly stage: string;
  readonly constructPath: string;
}

/** Every SecureFargateService's record of who may call it (construct metadata), in construct order. */
export function collectServiceCalls(root: IConstruct): ServiceCalls[] {
  return root.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === SERVICE_CALLS_METADATA_TYPE)
        .map((m) => ({ ...(m.data as ServiceCallsRecord), stage: Stage.of(c)?.node.path ?? '', constructPath: c.node.path })),
    );
}

/** Who may call whom: `[caller, callee]` pairs per stage. */
export function callGraphEdges(calls: readonly ServiceCalls[]): { stage: string; caller: string; callee: string }[] {
  return calls.flatMap((c) => c.callers.map((caller) => ({ stage: c.stage, caller, callee: c.service })));
}

const nodeId = (stage: string, service: string) => `svc_${`${stage}_${service}`.replace(/[^A-Za-z0-9_]/g, '_')}`;
const seconds = (s?: number) => (s === undefined ? '—' : `${s} s`);

/**
 * The "Service-to-service calls" section: what each layer's timeout and failure handling is, and per service who
 * may call it (an identity-based allow per caller), its timeouts, and a diagram of the call graph.
 */
export function renderServiceCallsSection(root: IConstruct): string[] {
  const calls = collectServiceCalls(root);
  if (calls.length === 0) return [];
  const lines = [
    '## Service-to-service calls (who may call whom)',
    '',
    "Each edge is an identity check at the callee: the caller signs with its task role (SigV4), the callee's VPC Lattice",
    "auth policy names exactly its callers' task roles and each caller holds an identity-based allow; any other caller",
    'is refused (403), even from inside the VPC. A service without callers is on no service network.',
    '',
    'Timeouts and failure handling, layer by layer:',
    '- API Gateway → service: integration timeout (29 s unless a route sets less); the internal NLB health-checks each task over HTTPS every 15 s and stops routing to it after 3 failures; ECS replaces unhealthy tasks and rolls back failed deployments (circuit breaker).',
    "- Service → service (VPC Lattice): idle timeout per callee (below, default 60 s) plus Lattice's fixed overall connection timeout; active HTTPS health checks remove failing targets; Lattice does not retry, so callers retry idempotent methods only (GET, HEAD, OPTIONS, PUT, DELETE), within the per-request deadline they receive as `<NAME>_REQUEST_TIMEOUT_MS`.",
    '- Service Connect proxy (TLS between tasks): idle timeout on every service; Envoy ejects failing endpoints (outlier detection).',
    '',
  ];
  for (const stage of [...new Set(calls.map((c) => c.stage))].sort()) {
    const inStage = calls.filter((c) => c.stage === stage);
    if (stage) lines.push(`### ${stage}`, '');
    lines.push(
      '| service | may be called by | identity check | idle timeout | per-request deadline (callers) | Service Connect idle timeout | failing targets |',
      '|---|---|---|---|---|---|---|',
    );
    for (const c of inStage) {
      lines.push(
        `| ${c.service} | ${c.callers.length ? c.callers.join(', ') : 'nobody'} | ${c.mechanism} | ${seconds(c.idleTimeoutSeconds)} | ${c.requestTimeoutMs === undefined ? '—' : `${c.requestTimeoutMs} ms`} | ${seconds(c.serviceConnectIdleTimeoutSeconds)} | ${c.healthCheck ?? '—'} |`,
      );
    }
    lines.push(
      '',
      '```mermaid',
      'flowchart LR',
      ...inStage.map((c) => `  ${nodeId(stage, c.service)}["${c.service}"]`),
      ...callGraphEdges(inStage).map((e) => `  ${nodeId(stage, e.caller)} -->|IAM auth| ${nodeId(stage, e.callee)}`),
      '```',
      '',
    );
  }
  return lines;
}

/** The architecture DOT with the call graph drawn in as one cluster per stage. */
export function addCallGraphToDot(dot: string, root: IConstruct): string {
  const calls = collectServiceCalls(root);
  if (calls.length === 0) return dot;
  const clusters = [...new Set(calls.map((c) => c.stage))].sort().flatMap((stage, i) => {
    const inStage = calls.filter((c) => c.stage === stage);
    return [
      `  subgraph cluster_calls_${i} {`,
      `    label="service-to-service calls${stage ? ` (${stage})` : ''}";`,
      ...inStage.map((c) => `    ${nodeId(stage, c.service)} [label="${c.service}"];`),
      ...callGraphEdges(inStage).map((e) => `    ${nodeId(stage, e.caller)} -> ${nodeId(stage, e.callee)} [label="IAM auth"];`),
      '  }',
    ];
  });
  return dot.replace(/\}\s*$/, `${clusters.join('\n')}\n}`);
}
