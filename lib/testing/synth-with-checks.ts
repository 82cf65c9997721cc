import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stage } from 'aws-cdk-lib';

/** One unacknowledged finding of the security gate. */
export interface SecurityFinding {
  /** Pack that reported it, e.g. `AwsSolutions`. */
  readonly pack: string;
  /** Rule id, e.g. `AwsSolutions-IAM5[Resource::*]`. */
  readonly ruleId: string;
  /** The id to pass to `Validations.of(construct).acknowledge`: `<pack>::<ruleId>`. */
  readonly acknowledgeId: string;
  readonly severity: string;
  readonly description: string;
  readonly constructPath: string;
}

/** One acknowledged finding, with the reason recorded for the audit trail. */
export interface AcknowledgedFinding {
  readonly pack: string;
  readonly ruleId: string;
  readonly acknowledgedId: string;
  readonly reason: string;
  readonly acknowledgedAt: string;
  readonly constructPaths: string[];
}

export interface SecuritySynthResult {
  /** The cloud assembly (present also when the gate failed: templates are written before validation). */
  readonly assemblyDir: string;
  /** Unacknowledged findings; synth fails when this is not empty. */
  readonly findings: SecurityFinding[];
  readonly acknowledged: AcknowledgedFinding[];
  /** Validation plugins registered on the app (the packs that ran). */
  readonly packs: string[];
  /** Every CloudFormation template of the assembly, nested stages included. */
  readonly templatePaths: string[];
}

interface ReportViolation {
  ruleName: string;
  description: string;
  severity?: string;
  violatingConstructs?: { constructPath: string }[];
  acknowledgedId?: string;
  reason?: string;
  acknowledgedAt?: string;
}

/**
 * Synthesizes an app that has security checks registered and returns the structured findings of the
 * validation report instead of throwing, so tests can assert on rule ids and construct paths.
 */
export function synthesizeWithChecks(app: App | Stage): SecuritySynthResult {
  const assemblyDir = app.outdir;
  let error: Error | undefined;
  try {
    app.synth({ force: true });
  } catch (e) {
    error = e as Error;
  }
  const reportPath = path.join(assemblyDir, 'validation-report.json');
  const findings: SecurityFinding[] = [];
  const acknowledged: AcknowledgedFinding[] = [];
  // Stage keeps its registered plugins internally; the report lists only plugins that had something to say.
  const packs = ((app as unknown as { _validationPlugins?: { name: string }[] })._validationPlugins ?? []).map((p) => p.name);
  if (fs.existsSync(reportPath)) {
    const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as {
      pluginReports: { pluginName: string; violations: ReportViolation[]; suppressedViolations?: ReportViolation[] }[];
    };
    for (const plugin of report.pluginReports) {
      for (const v of plugin.violations) {
        for (const c of v.violatingConstructs ?? []) {
          findings.push({
            pack: plugin.pluginName,
            ruleId: v.ruleName,
            acknowledgeId: `${plugin.pluginName}::${v.ruleName}`,
            severity: v.severity ?? 'error',
            description: v.description,
            constructPath: c.constructPath,
          });
        }
      }
      for (const v of plugin.suppressedViolations ?? []) {
        acknowledged.push({
          pack: plugin.pluginName,
          ruleId: v.ruleName,
          acknowledgedId: v.acknowledgedId ?? '',
          reason: v.reason ?? '',
          acknowledgedAt: v.acknowledgedAt ?? '',
          constructPaths: (v.violatingConstructs ?? []).map((c) => c.constructPath),
        });
      }
    }
  }
  // aws-cdk-lib names the error of a failed validation 'ValidationFailed' (its message holds the report).
  const gateFailed = error !== undefined && error.name === 'ValidationFailed' && fs.existsSync(reportPath);
  if (error && !gateFailed) throw error;
  return { assemblyDir, findings, acknowledged, packs, templatePaths: findTemplates(assemblyDir) };
}

/** One line per finding: `<acknowledge id> at <construct path>` — readable in a failed assertion. */
export function formatFindings(findings: readonly SecurityFinding[]): string {
  return findings.map((f) => `${f.acknowledgeId} at ${f.constructPath} (${f.severity})`).join('\n');
}

/** All `*.template.json` files of a cloud assembly directory, nested stage assemblies included. */
export function findTemplates(assemblyDir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(assemblyDir)) return out;
  for (const entry of fs.readdirSync(assemblyDir, { withFileTypes: true })) {
    const full = path.join(assemblyDir, entry.name);
    if (entry.isDirectory() && entry.name.startsWith('assembly-')) out.push(...findTemplates(full));
    else if (entry.isFile() && entry.name.endsWith('.template.json')) out.push(full);
  }
  return out.sort();
}
