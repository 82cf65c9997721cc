/** Parts of the account security baseline that a delegated administrator of the organization can run instead. */
export type OrganizationManagedPart = 'trail' | 'config' | 'guardDuty' | 'securityHub' | 'accessAnalyzer' | 'inspector';

/**
 * The control name each organization-managed part is recorded under (an opt-out: synth output and security report).
 * PlatformChecks reads these to know, e.g., that GuardDuty runtime monitoring is run by the organization.
 */
export const ORGANIZATION_MANAGED_CONTROLS: Readonly<Record<OrganizationManagedPart, string>> = {
  trail: 'CloudTrail trail and CIS alarms of this account (managed by the organization)',
  config: 'AWS Config recorder (managed by the organization)',
  guardDuty: 'GuardDuty with ECS runtime monitoring (managed by the organization)',
  securityHub: 'Security Hub with FSBP and CIS standards (managed by the organization)',
  accessAnalyzer: 'IAM Access Analyzer (managed by the organization)',
  inspector: 'Inspector enhanced ECR scanning (managed by the organization)',
};

/** The practice (P9 audit trail, P10 threat detection, P14 image scanning) each part serves. */
export const ORGANIZATION_MANAGED_PRACTICES: Readonly<Record<OrganizationManagedPart, string>> = {
  trail: 'P9',
  config: 'P9',
  guardDuty: 'P10',
  securityHub: 'P10',
  accessAnalyzer: 'P10',
  inspector: 'P14',
};

/** The practice of a recorded opt-out control when it is an organization-managed baseline part. */
export function organizationManagedPractice(control: string): string | undefined {
  const part = (Object.keys(ORGANIZATION_MANAGED_CONTROLS) as OrganizationManagedPart[]).find((p) => ORGANIZATION_MANAGED_CONTROLS[p] === control);
  return part && ORGANIZATION_MANAGED_PRACTICES[part];
}

/** The control PlatformStage records with `withoutAccountBaseline` (the baseline is deployed elsewhere). */
export const ACCOUNT_BASELINE_SKIPPED_CONTROL = 'account security baseline (trail, GuardDuty, Security Hub, Access Analyzer, Inspector)';
