import type { ApiModelApi } from '../../api/api-model';
import type { FuzzRequest } from './generate';
import type { FuzzRun } from './run';

export interface ReportContext {
  readonly api: ApiModelApi;
  readonly modelFile: string;
  readonly baseUrl: string;
  readonly seed: number;
  readonly requests: number;
  readonly rate: number;
  readonly timeLimitSeconds: number;
  readonly tool: string;
  /** Secrets to remove from everything written: tokens, the API key. */
  readonly secrets: readonly { readonly value: string; readonly label: string }[];
}

const EXCERPT = 2048;

/** The JSON report: the run's parameters, counts, and each finding with its request (secrets redacted) and why. */
export function buildReport(run: FuzzRun, ctx: ReportContext) {
  const redact = redactor(ctx.secrets);
  const byCategory: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  for (const o of run.outcomes) {
    byCategory[o.case.category] = (byCategory[o.case.category] ?? 0) + 1;
    const s = o.result.status === undefined ? 'no response' : String(o.result.status);
    byStatus[s] = (byStatus[s] ?? 0) + 1;
  }
  const findings = run.outcomes.flatMap((o) =>
    o.findings.map((f) => ({
      kind: f.kind,
      route: o.case.route,
      category: o.case.category,
      probe: o.case.probe,
      why: redact(f.why),
      case: o.case.index,
      request: describeRequest(o.case.request, ctx.api, redact),
      response: {
        status: o.result.status ?? null,
        body: o.result.body === undefined ? null : redact(excerpt(o.result.body)),
        error: o.result.error ?? null,
      },
    })),
  );
  return {
    tool: ctx.tool,
    api: ctx.api.id,
    stage: ctx.api.stage,
    model: ctx.modelFile,
    baseUrl: redact(ctx.baseUrl),
    seed: ctx.seed,
    reproduce: `csm-fuzz --model ${ctx.modelFile} --base-url ${redact(ctx.baseUrl)} --api ${ctx.api.id} --seed ${ctx.seed} --requests ${ctx.requests} (with the same credentials)`,
    bounds: { requests: ctx.requests, rate: ctx.rate, timeLimitSeconds: ctx.timeLimitSeconds },
    stoppedBy: run.stoppedBy,
    durationMs: run.durationMs,
    sent: run.outcomes.length,
    byCategory,
    byStatus,
    /** Valid requests refused (401/403/429): credentials, throttling or the WAF kept the fuzzer out. */
    refusedValid: run.outcomes.filter((o) => o.case.category === 'valid' && [401, 403, 429].includes(o.result.status ?? 0)).length,
    tokens: run.tokens.map((t) => ({ label: t.label, scopes: t.scopes ?? 'opaque (not a JWT)' })),
    routes: run.plans.map((p) => ({
      route: p.key,
      scopes: p.route.scopes,
      token: p.token?.label ?? null,
      wrongScopeToken: p.wrongScopeToken?.label ?? null,
      requests: run.outcomes.filter((o) => o.case.route === p.key).length,
      notExercised: p.notExercisable ?? null,
    })),
    findings,
  };
}

export type FuzzReport = ReturnType<typeof buildReport>;

/** The text summary printed at the end of a run. */
export function summarize(report: FuzzReport): string {
  const lines = [
    `csm-fuzz: ${report.api}${report.stage ? ` (stage ${report.stage})` : ''} at ${report.baseUrl}, seed ${report.seed}`,
    `  ${report.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s (stopped by ${report.stoppedBy}): ${Object.entries(report.byCategory)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  statuses: ${Object.entries(report.byStatus)
      .map(([k, v]) => `${k} x${v}`)
      .join(', ')}`,
  ];
  if (report.refusedValid > 0) {
    lines.push(
      `  warning: ${report.refusedValid} valid request(s) were refused (401/403/429): check the tokens' scopes, the API key, the WAF rate limit and the usage tier (--rate)`,
    );
  }
  for (const r of report.routes.filter((x) => x.notExercised)) {
    lines.push(`  ${r.route}: authorization probes only (${r.notExercised})`);
  }
  if (report.findings.length === 0) {
    lines.push('  no findings');
  } else {
    // One line per kind, route and probe (the report lists every occurrence with its request).
    const groups = new Map<string, { first: FuzzReport['findings'][number]; count: number }>();
    for (const f of report.findings) {
      const key = `${f.kind} ${f.route} ${f.category}/${f.probe}`;
      const group = groups.get(key);
      if (group) group.count++;
      else groups.set(key, { first: f, count: 1 });
    }
    lines.push(`  ${report.findings.length} finding(s), ${groups.size} distinct:`);
    for (const { first: f, count } of groups.values()) {
      lines.push(`  - [${f.kind}] ${f.route} ${f.category}/${f.probe}${count > 1 ? ` x${count}` : ''} (first: case ${f.case}): ${f.why}`);
    }
  }
  return lines.join('\n');
}

function describeRequest(request: FuzzRequest, api: ApiModelApi, redact: (s: string) => string) {
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([k, v]) => {
      if (k.toLowerCase() === api.authorization.header.toLowerCase()) return [k, redactAuthorization(v, redact)];
      if (k.toLowerCase() === api.apiKey.header.toLowerCase()) return [k, '<redacted>'];
      return [k, redact(excerpt(v))];
    }),
  );
  return {
    method: request.method,
    path: redact(excerpt(request.path)),
    headers,
    body: request.body === undefined ? null : redact(excerpt(request.body)),
    raw: request.raw ? { headerLines: request.raw.headerLines.map(redact), body: redact(excerpt(request.raw.body)) } : null,
    clientCertificate: request.clientCert,
  };
}

/** Keeps the scheme and says which token it was (a given one, or one csm-fuzz forged), never the token itself. */
function redactAuthorization(value: string, redact: (s: string) => string): string {
  const [scheme, ...rest] = value.split(' ');
  const token = rest.join(' ');
  if (!token) return value;
  const named = redact(token);
  return `${scheme} ${named !== token && /^<redacted:[^>]+>$/.test(named) ? named : `<redacted: ${token.length} characters>`}`;
}

function redactor(secrets: readonly { value: string; label: string }[]): (s: string) => string {
  const list = secrets.filter((s) => s.value.length >= 4).sort((a, b) => b.value.length - a.value.length);
  return (text) => {
    let out = text;
    for (const s of list) out = out.split(s.value).join(`<redacted:${s.label}>`);
    return out;
  };
}

function excerpt(text: string): string {
  return text.length > EXCERPT ? `${text.slice(0, EXCERPT)}… (${text.length} characters)` : text;
}
