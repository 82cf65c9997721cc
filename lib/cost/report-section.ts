import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CostStack, estimateIdleCost, IDLE_COST_BUDGET_METADATA_TYPE, IdleCostBudget, priceTableNote, renderIdleCost } from './idle-cost';

/**
 * The stacks of each Stage (nested stacks with their parent's stage), keyed by the stage's path ("" for stacks
 * directly under the app), with the idle-cost budget a platform of that stage recorded.
 */
export function stacksByStage(stacks: readonly CostStack[], root?: IConstruct): Map<string, { stacks: CostStack[]; budget?: IdleCostBudget }> {
  const constructs = new Map((root?.node.findAll() ?? []).map((c) => [c.node.path, c]));
  const stages = new Map<string, { stacks: CostStack[]; budget?: IdleCostBudget }>();
  for (const stack of stacks) {
    const construct = constructs.get(stack.stackPath);
    const stage = construct ? Stage.of(construct) : undefined;
    const key = stage?.node.path ?? '';
    if (!stages.has(key)) {
      const holder = stage?.node.findAll().find((c) => c.node.metadata.some((m) => m.type === IDLE_COST_BUDGET_METADATA_TYPE));
      const data = holder?.node.metadata.find((m) => m.type === IDLE_COST_BUDGET_METADATA_TYPE)?.data as { monthlyUsd: number } | undefined;
      stages.set(key, { stacks: [], budget: holder && data ? { monthlyUsd: data.monthlyUsd, constructPath: holder.node.path } : undefined });
    }
    stages.get(key)!.stacks.push(stack);
  }
  return stages;
}

/** The "Idle monthly cost" section: one table per stage, from the synthesized templates. */
export function renderIdleCostSection(stacks: readonly CostStack[], root?: IConstruct, paths: ReadonlyMap<string, string> = new Map()): string[] {
  const lines = ['## Idle monthly cost', '', priceTableNote(), ''];
  for (const [stage, { stacks: stageStacks, budget }] of [...stacksByStage(stacks, root)].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(...renderIdleCost(stage || '(app)', estimateIdleCost(stageStacks, paths), budget));
  }
  return lines;
}
