import { CfnResource, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { PlatformRule } from './rule';
import { PLATFORM_RULES } from './rules';
import { withRulePass } from '../private/rule-helpers';

/** Pack name: findings read `Platform-<RuleId>` and are acknowledged as `PlatformChecks::Platform-<RuleId>`. */
export const PLATFORM_PACK_PREFIX = 'Platform';

/**
 * The platform's own cdk-nag pack: the baseline controls cdk-nag's packs do not check (see RULES.md).
 * Reads synthesized resources only; it never depends on the constructs that create them.
 */
export class PlatformChecks extends NagPack {
  public readonly name = 'PlatformChecks';
  /** The rules this pack runs. */
  public readonly rules: readonly PlatformRule[];

  constructor(scope?: IConstruct, props?: NagPackProps & { readonly rules?: readonly PlatformRule[] }) {
    super(scope, props);
    this.packName = PLATFORM_PACK_PREFIX;
    this.rules = props?.rules ?? PLATFORM_RULES;
  }

  /** One walk over the finished tree; the rules share what they look up across the app during it (see withRulePass). */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    return withRulePass(() => super.validateScope(scope));
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of this.rules) {
      this.applyRule({
        ruleSuffixOverride: rule.id,
        info: rule.info,
        explanation: `${rule.explanation} (practices: ${rule.practices.join(', ')})`,
        level: rule.level ?? NagMessageLevel.ERROR,
        rule: (resource) => rule.check(resource),
        node,
      });
    }
  }
}
