import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { REASON_FIX, reasonProblem } from '../private/reason';
import { recordedAcknowledgements, recordedOptOuts } from '../private/recorded';

export { recordedAcknowledgements, recordedOptOuts };
export type { RecordedAcknowledgement, RecordedOptOut } from '../private/recorded';

/** Name of the plugin that audits acknowledgements and opt-outs; its findings read `SecurityGate-<rule>`. */
export const SECURITY_GATE_PLUGIN = 'SecurityGate';

/**
 * Audits what may switch a control off, on every synth: every acknowledgement (ours and the user's, by any API) must
 * carry a real reason (reasonProblem) and sit below App, Stage and Stack roots unless made through
 * acknowledgeStackWide; every opt-out must carry a real reason. Its findings are `fatal`, which aws-cdk-lib never
 * lets an acknowledgement suppress. It also prints every opt-out and stack-wide acknowledgement, so they show on
 * every `cdk synth`, whatever stacks were selected.
 */
export class AcknowledgementAuditPlugin implements IPolicyValidationPlugin {
  public readonly name = SECURITY_GATE_PLUGIN;

  constructor(private readonly scope: IConstruct) {}

  public validate(_context?: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations = this.audit();
    printWeakenings(this.scope);
    return { success: violations.length === 0, violations };
  }

  /** The audit findings without printing (tests). */
  public audit(): PolicyViolation[] {
    const violations: PolicyViolation[] = [];
    for (const ack of recordedAcknowledgements(this.scope).filter((a) => !a.schemaLint)) {
      const problem = reasonProblem(ack.reason);
      if (problem) {
        violations.push(
          fatal(
            'SecurityGate-AcknowledgementReason',
            ack.constructPath,
            `The acknowledgement "${ack.id}" on ${ack.constructPath} has the reason ${JSON.stringify(ack.reason)}: ${problem}.`,
            `${REASON_FIX[0].toUpperCase()}${REASON_FIX.slice(1)} in Validations.of(construct).acknowledge({ id: '${ack.id}', reason }).`,
          ),
        );
      }
      if (ack.onRoot && !ack.stackWide) {
        violations.push(
          fatal(
            'SecurityGate-AcknowledgementOnRoot',
            ack.constructPath,
            `The acknowledgement "${ack.id}" sits on ${ack.constructPath || 'the App'}, an App, Stage or Stack root: it silences the rule for every resource below it.`,
            'Acknowledge on the construct that carries the finding (the path the finding names), or use acknowledgeStackWide(stack, id, reason) if one stack really needs it (the security report flags it).',
          ),
        );
      }
    }
    for (const optOut of recordedOptOuts(this.scope)) {
      const problem = reasonProblem(optOut.reason);
      if (problem) {
        violations.push(
          fatal(
            'SecurityGate-OptOutReason',
            optOut.constructPath,
            `The opt-out of "${optOut.control}" on ${optOut.constructPath} has the reason ${JSON.stringify(optOut.reason)}: ${problem}.`,
            `${REASON_FIX[0].toUpperCase()}${REASON_FIX.slice(1)} in the opt-out prop's reason.`,
          ),
        );
      }
    }
    return violations;
  }
}

function fatal(ruleName: string, constructPath: string, description: string, fix: string): PolicyViolation {
  return {
    ruleName,
    description: `${description} Fix: ${fix}`,
    fix,
    severity: 'fatal',
    violatingResources: [{ constructPath, locations: [] } as never],
  };
}

/** Prints every opt-out and stack-wide acknowledgement under `scope` to stderr (one line each). */
export function printWeakenings(scope: IConstruct): void {
  const lines = [
    ...recordedAcknowledgements(scope)
      .filter((a) => a.stackWide)
      .map((a) => `[security STACK-WIDE acknowledgement] ${a.constructPath}: ${a.id}: ${String(a.reason)}`),
    ...recordedOptOuts(scope).map((o) => `[security opt-out] ${o.constructPath}: ${o.control}: ${String(o.reason)}`),
  ];
  if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
}

/**
 * Wraps a pack so that its verdict comes from its violations: every unacknowledged finding fails synth, whatever
 * severity the pack gave it. (aws-cdk-lib recomputes a report's success as "no error-severity violations" once any
 * acknowledgement exists, so a warning would otherwise pass; the finding keeps the pack's rating in its text.)
 */
export class StrictVerdictPack implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];

  constructor(public readonly pack: IPolicyValidationPlugin & { validateScope(scope: IConstruct): PolicyValidationPluginReport }) {
    this.name = pack.name;
    this.version = pack.version;
    this.ruleIds = pack.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return strictVerdict(this.pack.validate(context));
  }

  /** The pack's findings on one construct tree, without synthesizing (tests). */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    return strictVerdict(this.pack.validateScope(scope));
  }
}

/** Every violation counts: non-blocking severities become `error` (their pack rating noted), success = none left. */
export function strictVerdict(report: PolicyValidationPluginReport): PolicyValidationPluginReport {
  const violations = report.violations.map((v): PolicyViolation =>
    v.severity === 'error' || v.severity === 'fatal'
      ? v
      : {
          ...v,
          severity: 'error',
          description: `${v.description} [rated "${v.severity ?? 'unspecified'}" by the pack; the gate fails on every unacknowledged finding]`,
        },
  );
  return { ...report, violations, success: violations.length === 0 };
}
