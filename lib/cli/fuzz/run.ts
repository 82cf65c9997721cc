import type { ApiModelApi } from '../../api/api-model';
import { CaseGenerator, FuzzCase, RoutePlan, deriveSeed } from './generate';
import { HttpResult, Target, send } from './http';
import { Finding, judge } from './judge';
import { BodySchema, loadGenerator } from './schema';
import { TokenInfo, covers, parseToken } from './tokens';
import { routeKey } from '../../api/route-key';

export interface FuzzOptions {
  readonly api: ApiModelApi;
  readonly target: Target;
  /** Access tokens; each route uses one carrying its scopes, the others serve as wrong-scope probes. */
  readonly tokens: readonly string[];
  readonly apiKey?: string;
  /** Total requests (the bound). */
  readonly requests: number;
  readonly seed: number;
  /** Requests per second at most. */
  readonly rate: number;
  /** Total time limit in seconds. */
  readonly timeLimitSeconds: number;
  readonly requestTimeoutMs: number;
  readonly userAgent: string;
  /** Called after every response (progress output). */
  readonly onResult?: (c: FuzzCase, result: HttpResult, findings: readonly Finding[]) => void;
}

export interface CaseOutcome {
  readonly case: FuzzCase;
  readonly result: HttpResult;
  readonly findings: readonly Finding[];
}

export interface FuzzRun {
  readonly plans: readonly RoutePlan[];
  readonly tokens: readonly TokenInfo[];
  readonly outcomes: readonly CaseOutcome[];
  readonly stoppedBy: 'requests' | 'time-limit' | 'exhausted';
  readonly durationMs: number;
}

/** Plans every route, sends the coverage requests (round-robin across routes), then random extras, within the bounds. */
export async function fuzz(options: FuzzOptions): Promise<FuzzRun> {
  const started = Date.now();
  const deadline = started + options.timeLimitSeconds * 1000;
  const tokens = options.tokens.map(parseToken);
  const generate = await loadGenerator();
  const plans = options.api.routes.map((route): RoutePlan => {
    const token = route.authorization === 'NONE' ? undefined : tokens.find((t) => covers(t, route));
    const wrongScopeToken = route.authorization === 'NONE' ? undefined : tokens.find((t) => !covers(t, route));
    const missing = [
      route.authorization !== 'NONE' && !token ? `no --token carries one of its scopes (${route.scopes.join(', ')})` : undefined,
      route.apiKeyRequired && !options.apiKey ? 'no --api-key given' : undefined,
    ].filter(Boolean);
    return {
      route,
      key: routeKey(route.method, route.path),
      body: route.body ? new BodySchema(route.body.schema, generate) : undefined,
      token,
      wrongScopeToken,
      notExercisable: missing.length ? missing.join('; ') : undefined,
    };
  });
  const generator = new CaseGenerator({
    api: options.api,
    seed: options.seed,
    apiKey: options.apiKey,
    clientCert: options.target.clientCert !== undefined,
    userAgent: options.userAgent,
  });

  const queues = plans.map((p) => generator.coverage(p));
  const exercisable = plans.filter((p) => !p.notExercisable);
  let extra = 0;
  let turn = 0;
  const next = (): FuzzCase | undefined => {
    // Round-robin: the i-th request of every route before the (i+1)-th of any.
    for (let k = 0; k < queues.length; k++) {
      const queue = queues[turn++ % queues.length];
      if (queue.length > 0) return queue.shift();
    }
    for (let tries = 0; exercisable.length > 0 && tries < 20; tries++) {
      const n = extra++;
      const plan = exercisable[Math.abs(deriveSeed(options.seed, 'route', n)) % exercisable.length];
      const c = generator.extra(plan, n);
      if (c) return c;
    }
    return undefined;
  };

  const outcomes: CaseOutcome[] = [];
  const interval = 1000 / options.rate;
  let stoppedBy: FuzzRun['stoppedBy'] = 'requests';
  for (let i = 0; i < options.requests; i++) {
    const due = started + i * interval;
    const now = Date.now();
    if (due > now) await sleep(due - now);
    const left = deadline - Date.now();
    if (left <= 0) {
      stoppedBy = 'time-limit';
      break;
    }
    const drawn = next();
    if (!drawn) {
      stoppedBy = 'exhausted';
      break;
    }
    const c: FuzzCase = {
      ...drawn,
      index: i,
      request: { ...drawn.request, headers: { ...drawn.request.headers, 'X-Csm-Fuzz': `${options.seed}-${i}` } },
    };
    const result = await send(options.target, c.request, Math.min(options.requestTimeoutMs, left));
    const findings = judge(c, result, options.api);
    outcomes.push({ case: c, result, findings });
    options.onResult?.(c, result, findings);
  }
  return { plans, tokens, outcomes, stoppedBy, durationMs: Date.now() - started };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
