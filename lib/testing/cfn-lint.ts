import { spawnSync } from 'node:child_process';

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
  const args = ['--format', 'json', ...(options.ignoreChecks?.length ? ['--ignore-checks', ...options.ignoreChecks] : []), '--', ...templatePaths];
  const run = spawnSync(executable, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  let raw: any[];
  try {
    raw = run.stdout.trim() ? JSON.parse(run.stdout) : [];
  } catch {
    throw new Error(`cfn-lint printed something that is not JSON (exit ${run.status}): ${run.stdout.slice(0, 500)} ${run.stderr.slice(0, 500)}`);
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
