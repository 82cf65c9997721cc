import { Stack, Stage, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { OPT_OUT_METADATA_TYPE, STACK_WIDE_ACKNOWLEDGEMENT_METADATA_TYPE } from './metadata';

/** True for the constructs whose acknowledgements would cover whole apps, stages or stacks. */
export function isRoot(scope: IConstruct): boolean {
  return Stage.isStage(scope) || Stack.isStack(scope);
}

/**
 * Acknowledgements of aws-cdk-lib's own template-schema lint (the built-in CloudFormation-Validate plugin, never a
 * security pack): aws-cdk-lib adds some itself, on stack roots (e.g. W3010 for `stack.availabilityZones`).
 */
const SCHEMA_LINT_NAMESPACE = 'cloudformation-validate::';

/** One acknowledgement as recorded on a construct, by any API (Validations, acknowledgeFinding, metadata). */
export interface RecordedAcknowledgement {
  readonly id: string;
  readonly reason: unknown;
  readonly constructPath: string;
  /** Sits on an App, Stage or Stack (nested stacks included). */
  readonly onRoot: boolean;
  /** Made through acknowledgeStackWide (on a Stack root, flagged in the report). */
  readonly stackWide: boolean;
  /** Acknowledges aws-cdk-lib's template-schema lint, not a security pack (not audited). */
  readonly schemaLint: boolean;
}

/** One opt-out of a secure default as recorded by recordOptOut (or by hand as the same metadata). */
export interface RecordedOptOut {
  readonly control: string;
  readonly reason: unknown;
  readonly constructPath: string;
}

/**
 * Every acknowledgement that can silence a finding under `scope`: those on `scope` and below, and those on its
 * ancestors (an acknowledgement on the App covers every Stage).
 */
export function recordedAcknowledgements(scope: IConstruct): RecordedAcknowledgement[] {
  const out: RecordedAcknowledgement[] = [];
  for (const c of [...scope.node.scopes.slice(0, -1), ...scope.node.findAll()]) {
    const stackWide = c.node.metadata
      .filter((m) => m.type === STACK_WIDE_ACKNOWLEDGEMENT_METADATA_TYPE)
      .map((m) => m.data as { id: string; reason: string });
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !m.data) continue;
      for (const [rawId, reason] of Object.entries(m.data as Record<string, unknown>)) {
        const id = rawId.replace(/^annotation::/i, '');
        const schemaLint = id.toLowerCase().startsWith(SCHEMA_LINT_NAMESPACE);
        out.push({
          id,
          reason,
          constructPath: c.node.path,
          onRoot: isRoot(c),
          schemaLint,
          stackWide: stackWide.some((s) => s.id === id && s.reason === reason),
        });
      }
    }
  }
  return out;
}

/** Every opt-out recorded on `scope` and below. */
export function recordedOptOuts(scope: IConstruct): RecordedOptOut[] {
  return scope.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === OPT_OUT_METADATA_TYPE)
        .map((m) => ({ ...(m.data as { control: string; reason: unknown }), constructPath: c.node.path })),
    );
}
