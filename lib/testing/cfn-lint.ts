import { spawn, spawnSync } from 'node:child_process';

/** One problem cfn-lint reported. */
export interface CfnLintMatch {
  readonly rule: string;
  readonly level: string;
  readonly message: string;
  readonly file: string;
  readonly line?: number;
}

export interface CfnLintResult {
  /** False when the cfn-lint executable is not on PATH. */
  readonly available: boolean;
  readonly matches: CfnLintMatch[];
  readonly errors: CfnLintMatch[];
  readonly warnings: CfnLintMatch[];
}

export interface CfnLintOptions {
  /** Rule ids to ignore (e.g. `W3005`); keep this list short and say why for each. */
  readonly ignoreChecks?: readonly string[];
  /** @default 'cfn-lint' */
  readonly executable?: string;
}

const availability = new Map<string, boolean>();

/** Whether the cfn-lint executable runs (probed once per process: starting Python costs about a second). */
export function isCfnLintAvailable(executable = 'cfn-lint'): boolean {
  let available = availability.get(executable);
  if (available === undefined) {
    const version = spawnSync(executable, ['--version'], { encoding: 'utf8' });
    available = !version.error && version.status === 0;
    availability.set(executable, available);
  }
  return available;
}

/** Runs AWS's CloudFormation linter over templates and returns its findings as structured data. */
export function runCfnLint(templatePaths: readonly string[], options: CfnLintOptions = {}): CfnLintResult {
  const executable = options.executable ?? 'cfn-lint';
  if (!isCfnLintAvailable(executable)) return { available: false, matches: [], errors: [], warnings: [] };
  if (templatePaths.length === 0) return { available: true, matches: [], errors: [], warnings: [] };
  const run = spawnSync(executable, cfnLintArgs(templatePaths, options), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  return parseCfnLintOutput(run.stdout, run.stderr, run.status);
}

/**
 * Like `runCfnLint`, without blocking: the templates are split over `parallelism` cfn-lint processes (each starts
 * Python and loads the resource schemas once, ~1 s), so many templates are linted in one pass on every core.
 */
export async function runCfnLintAsync(
  templatePaths: readonly string[],
  options: CfnLintOptions & { readonly parallelism?: number } = {},
): Promise<CfnLintResult> {
  const executable = options.executable ?? 'cfn-lint';
  if (!isCfnLintAvailable(executable)) return { available: false, matches: [], errors: [], warnings: [] };
  const parallelism = Math.max(1, Math.min(options.parallelism ?? 1, templatePaths.length));
  const chunks = Array.from({ length: parallelism }, (_, i) => templatePaths.filter((_p, j) => j % parallelism === i));
  const results = await Promise.all(
    chunks
      .filter((c) => c.length > 0)
      .map(
        (chunk) =>
          new Promise<CfnLintResult>((resolve, reject) => {
            const child = spawn(executable, cfnLintArgs(chunk, options), { stdio: ['ignore', 'pipe', 'pipe'] });
            let stdout = '';
            let stderr = '';
            child.stdout.setEncoding('utf8').on('data', (d: string) => {
              stdout += d;
            });
            child.stderr.setEncoding('utf8').on('data', (d: string) => {
              stderr += d;
            });
            child.on('error', reject);
            child.on('close', (status) => {
              try {
                resolve(parseCfnLintOutput(stdout, stderr, status));
              } catch (e) {
                reject(e);
              }
            });
          }),
      ),
  );
  const matches = results.flatMap((r) => r.matches);
  return { available: true, matches, errors: matches.filter((m) => m.level === 'Error'), warnings: matches.filter((m) => m.level === 'Warning') };
}

function cfnLintArgs(templatePaths: readonly string[], options: CfnLintOptions): string[] {
  return ['--format', 'json', ...(options.ignoreChecks?.length ? ['--ignore-checks', ...options.ignoreChecks] : []), '--', ...templatePaths];
}

/** One entry of `cfn-lint --format json` (the fields read here; cfn-lint prints more). */
interface RawCfnLintMatch {
  readonly Rule?: { readonly Id?: string };
  readonly Level?: string;
  readonly Message?: string;
  readonly Filename?: string;
  readonly Location?: { readonly Start?: { readonly LineNumber?: number } };
}

function parseCfnLintOutput(stdout: string, stderr: string, status: number | null): CfnLintResult {
  let raw: RawCfnLintMatch[];
  try {
    raw = stdout.trim() ? JSON.parse(stdout) : [];
  } catch {
    throw new Error(`cfn-lint printed something that is not JSON (exit ${status}): ${stdout.slice(0, 500)} ${stderr.slice(0, 500)}`);
  }
  const matches: CfnLintMatch[] = raw.map((m) => ({
    rule: m.Rule?.Id ?? 'unknown',
    level: m.Level ?? 'Error',
    message: m.Message ?? '',
    file: m.Filename ?? '',
    line: m.Location?.Start?.LineNumber,
  }));
  return {
    available: true,
    matches,
    errors: matches.filter((m) => m.level === 'Error'),
    warnings: matches.filter((m) => m.level === 'Warning'),
  };
}
