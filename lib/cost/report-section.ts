import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CostStack, estimateIdleCost, IDLE_COST_BUDGET_METADATA_TYPE, IdleCostBudget, priceTableNote, renderIdleCost } from './idle-cost';

/** One stage's stacks, the idle-cost budget a platform of it recorded, and its profile when it is a PlatformStage. */
export interface StageStacks {
  readonly stacks: CostStack[];
  readonly budget?: IdleCostBudget;
  /** PlatformStage.profileName (read by shape: this module cannot import the platform, which imports it). */
  readonly profileName?: string;
}

/**
 * The stacks of each Stage (nested stacks with their parent's stage), keyed by the stage's path ("" for stacks
 * directly under the app), with the idle-cost budget a platform of that stage recorded and the stage's profile.
 */
export function stacksByStage(stacks: readonly CostStack[], root?: IConstruct): Map<string, StageStacks> {
  const constructs = new Map((root?.node.findAll() ?? []).map((c) => [c.node.path, c]));
  const stages = new Map<string, StageStacks>();
  for (const stack of stacks) {
    const construct = constructs.get(stack.stackPath);
    const stage = construct ? Stage.of(construct) : undefined;
    const key = stage?.node.path ?? '';
    if (!stages.has(key)) {
      const holder = stage?.node.findAll().find((c) => c.node.metadata.some((m) => m.type === IDLE_COST_BUDGET_METADATA_TYPE));
      const data = holder?.node.metadata.find((m) => m.type === IDLE_COST_BUDGET_METADATA_TYPE)?.data as { monthlyUsd: number } | undefined;
      const profileName = (stage as { profileName?: unknown } | undefined)?.profileName;
      stages.set(key, {
        stacks: [],
        budget: holder && data ? { monthlyUsd: data.monthlyUsd, constructPath: holder.node.path } : undefined,
        profileName: typeof profileName === 'string' ? profileName : undefined,
      });
    }
    stages.get(key)!.stacks.push(stack);
  }
  return stages;
}

/** The "Idle monthly cost" section: one table per stage, from the synthesized templates. */
export function renderIdleCostSection(stacks: readonly CostStack[], root?: IConstruct, paths: ReadonlyMap<string, string> = new Map()): string[] {
  const lines = ['## Idle monthly cost', '', priceTableNote(), ''];
  for (const [stage, { stacks: stageStacks, budget, profileName }] of [...stacksByStage(stacks, root)].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(...renderIdleCost(stage || '(app)', estimateIdleCost(stageStacks, paths), budget, { profileName }));
  }
  return lines;
}
