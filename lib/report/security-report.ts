import * as fs from 'node:fs';
import * as path from 'node:path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { renderIdleCostSection } from '../cost/report-section';
import {
  ARCHITECTURE_DOT_FILE,
  ARCHITECTURE_SVG_FILE,
  architectureGraph,
  constructPathsByLogicalId,
  renderSecurityReport,
  renderSvg,
  ReportedRule,
  ReportStack,
  SECURITY_REPORT_FILE,
  TemplateResource,
  toDot,
} from '../private/security-report-render';
import { addCallGraphToDot, renderServiceCallsSection } from '../private/service-calls-report';

export { ARCHITECTURE_DOT_FILE, ARCHITECTURE_SVG_FILE, SECURITY_REPORT_FILE };
export type { ReportedRule };

/** What the security report describes. */
export interface SecurityReportPluginProps {
  /** Names of the packs that ran (a function when the packs are registered after the plugin). */
  readonly packs: readonly string[] | (() => readonly string[]);
  /** The PlatformChecks rules that ran; the report lists each as a control. */
  readonly rules: readonly ReportedRule[];
}

/**
 * The synthesized template of every stack under root (nested stacks included), read from the cloud assembly after
 * synthesis: a stack's template sits in its stage's outdir, a nested stack's next to its top-level stack's.
 */
export function readSynthesizedStacks(root: IConstruct): ReportStack[] {
  const stacks: ReportStack[] = [];
  for (const stack of root.node.findAll().filter((c): c is Stack => Stack.isStack(c))) {
    let top: Stack = stack;
    while (top.nestedStackParent) top = top.nestedStackParent;
    const file = path.join(Stage.of(top)!.outdir, stack.templateFile);
    if (!fs.existsSync(file)) continue;
    stacks.push({
      stackPath: stack.node.path,
      resources: (JSON.parse(fs.readFileSync(file, 'utf8')).Resources ?? {}) as Record<string, TemplateResource>,
    });
  }
  return stacks;
}

/**
 * A validation plugin that never fails: on every synth it writes cdk.out/security-report.md (controls,
 * acknowledgements with reasons, opt-outs, practice → resource map, architecture diagram), plus the diagram as
 * DOT and, when Graphviz is installed, SVG.
 */
export class SecurityReportPlugin implements IPolicyValidationPlugin {
  public readonly name = 'SecurityReport';

  constructor(private readonly props: SecurityReportPluginProps) {}

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const root = context.appConstruct;
    const stacks = readSynthesizedStacks(root);
    // One walk of the construct tree for the practice map and the cost rows.
    const constructPaths = constructPathsByLogicalId(root);
    const outdir = root && Stage.isStage(root) ? root.outdir : path.dirname(context.templatePaths[0] ?? '.');
    const dotSource = addCallGraphToDot(toDot(architectureGraph(stacks)), root);
    fs.writeFileSync(path.join(outdir, ARCHITECTURE_DOT_FILE), dotSource);
    const svg = renderSvg(dotSource, path.join(outdir, ARCHITECTURE_SVG_FILE)) ? ARCHITECTURE_SVG_FILE : undefined;
    fs.writeFileSync(
      path.join(outdir, SECURITY_REPORT_FILE),
      renderSecurityReport(
        {
          stacks,
          root,
          packs: this.packNames(),
          rules: this.props.rules,
          constructPaths,
          sections: [...renderServiceCallsSection(root), ...renderIdleCostSection(stacks, root, constructPaths)],
        },
        svg,
      ),
    );
    return { success: true, violations: [] };
  }

  private packNames(): readonly string[] {
    return typeof this.props.packs === 'function' ? this.props.packs() : this.props.packs;
  }
}
