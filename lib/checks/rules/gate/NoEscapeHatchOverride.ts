import { CfnResource, CustomResourceProviderBase } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { PlatformRule } from '../../rule';

/** Parts of a resource an override may change without a finding: template metadata and deploy ordering. */
const UNCHECKED_SECTIONS = ['Metadata', 'DependsOn'];

/**
 * No raw CloudFormation override (`addOverride`, `addPropertyOverride`, `addDeletionOverride`,
 * `addPropertyDeletionOverride`) changes what a resource deploys, unless that override path is acknowledged with a
 * reason. One finding per overridden path: `Platform-NoEscapeHatchOverride[Properties.MfaConfiguration]`. An AWS
 * resource declared as a plain `CfnResource` instead of its L1 class (which the cdk-nag rules recognize by class, so
 * they skip it) is the finding `Platform-NoEscapeHatchOverride[RawCfnResource]`; custom resources and aws-cdk-lib's
 * own custom-resource providers are not.
 */
export const NoEscapeHatchOverride: PlatformRule = {
  id: 'NoEscapeHatchOverride',
  info: 'A raw CloudFormation override (addOverride/addPropertyOverride/addDeletionOverride) changes this resource, or it is declared as a plain CfnResource, where the security packs cannot see it.',
  explanation:
    "cdk-nag packs judge a resource by its L1 attributes; an escape-hatch override is merged into the template afterwards, so a control the construct set (MFA, public access block, encryption, log settings, authorizer TTL, ...) could be switched off with every pack still passing. Set the property through the construct's props (and declare AWS resources with their L1 class, e.g. s3.CfnBucket, not CfnResource), or, if the override is really needed, acknowledge this finding (the override path is in its id) on the resource with a reason a reviewer can check.",
  practices: ['P16'],
  check(node: CfnResource): NagRuleResult {
    const paths = overriddenPaths(node).filter((p) => !UNCHECKED_SECTIONS.includes(p.split('.')[0]));
    const findings = isRawAwsResource(node) ? ['RawCfnResource', ...paths] : paths;
    return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
  },
};

/** An `AWS::` resource built with the base CfnResource class, outside aws-cdk-lib's custom-resource providers. */
function isRawAwsResource(node: CfnResource): boolean {
  if (node.constructor !== CfnResource || !node.cfnResourceType.startsWith('AWS::')) return false;
  if (['AWS::CloudFormation::CustomResource', 'AWS::CDK::Metadata'].includes(node.cfnResourceType)) return false;
  return !(node.node.scope instanceof CustomResourceProviderBase);
}

/** Every leaf path a raw override sets or deletes on `node` (`Properties.A.B`, `DeletionPolicy`, ...), sorted. */
export function overriddenPaths(node: CfnResource): string[] {
  // aws-cdk-lib keeps escape-hatch overrides in a private field and deep-merges them into the rendered template.
  const overrides = (node as unknown as { rawOverrides?: Record<string, unknown> }).rawOverrides ?? {};
  const out: string[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 && !isIntrinsic(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    } else if (path.length > 0) {
      out.push(path.join('.'));
    }
  };
  walk(overrides, []);
  return out.sort();
}

/** `{ Ref: ... }` or `{ "Fn::...": ... }`: one value, not a structure to descend into. */
function isIntrinsic(value: object): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}
