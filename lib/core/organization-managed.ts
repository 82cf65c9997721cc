/** Parts of the account security baseline that a delegated administrator of the organization can run instead. */
export type OrganizationManagedPart = 'trail' | 'guardDuty' | 'securityHub' | 'accessAnalyzer' | 'inspector';

/**
 * The control name each organization-managed part is recorded under (an opt-out: synth output and security report).
 * PlatformChecks reads these to know, e.g., that GuardDuty runtime monitoring is run by the organization.
 */
export const ORGANIZATION_MANAGED_CONTROLS: Readonly<Record<OrganizationManagedPart, string>> = {
  trail: 'CloudTrail trail and CIS alarms of this account (managed by the organization)',
  guardDuty: 'GuardDuty with ECS runtime monitoring (managed by the organization)',
  securityHub: 'Security Hub with FSBP and CIS standards (managed by the organization)',
  accessAnalyzer: 'IAM Access Analyzer (managed by the organization)',
  inspector: 'Inspector enhanced ECR scanning (managed by the organization)',
};
