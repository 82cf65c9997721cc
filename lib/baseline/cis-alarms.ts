/** One CIS AWS Foundations Benchmark monitoring control: a metric filter on the trail's log group and its alarm. */
export interface CisAlarm {
  /** Construct id prefix and metric name. */
  readonly id: string;
  /** CIS AWS Foundations Benchmark v1.4 recommendation (Security Hub CloudWatch.x control in brackets). */
  readonly control: string;
  readonly description: string;
  /** CloudWatch Logs filter pattern over CloudTrail JSON events. */
  readonly pattern: string;
}

const anyEvent = (names: readonly string[]) => names.map((n) => `($.eventName = ${n})`).join(' || ');

/** The CIS metric filters and alarms the baseline puts on the trail's log group. */
export const CIS_ALARMS: readonly CisAlarm[] = [
  {
    id: 'UnauthorizedApiCalls',
    control: '4.1 (CloudWatch.2)',
    description: 'unauthorized API calls',
    pattern: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
  },
  {
    id: 'ConsoleSignInWithoutMfa',
    control: '4.2 (CloudWatch.3)',
    description: 'console sign-in of an IAM user without MFA',
    pattern:
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  },
  {
    id: 'RootAccountUse',
    control: '4.3 (CloudWatch.1)',
    description: 'use of the root user',
    pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  },
  {
    id: 'IamPolicyChanges',
    control: '4.4 (CloudWatch.4)',
    description: 'IAM policy changes',
    pattern: `{ ${anyEvent([
      'DeleteGroupPolicy',
      'DeleteRolePolicy',
      'DeleteUserPolicy',
      'PutGroupPolicy',
      'PutRolePolicy',
      'PutUserPolicy',
      'CreatePolicy',
      'DeletePolicy',
      'CreatePolicyVersion',
      'DeletePolicyVersion',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'AttachUserPolicy',
      'DetachUserPolicy',
      'AttachGroupPolicy',
      'DetachGroupPolicy',
    ])} }`,
  },
  {
    id: 'CloudTrailChanges',
    control: '4.5 (CloudWatch.5)',
    description: 'CloudTrail configuration changes',
    pattern: `{ ${anyEvent(['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging'])} }`,
  },
  {
    id: 'KmsKeyDisabledOrScheduledForDeletion',
    control: '4.7 (CloudWatch.7)',
    description: 'customer managed KMS keys disabled or scheduled for deletion',
    pattern: '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }',
  },
  {
    id: 'SecurityGroupChanges',
    control: '4.10 (CloudWatch.10)',
    description: 'security group changes',
    pattern: `{ ${anyEvent(['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup'])} }`,
  },
  {
    id: 'NetworkAclChanges',
    control: '4.11 (CloudWatch.11)',
    description: 'network ACL changes',
    pattern: `{ ${anyEvent(['CreateNetworkAcl', 'CreateNetworkAclEntry', 'DeleteNetworkAcl', 'DeleteNetworkAclEntry', 'ReplaceNetworkAclEntry', 'ReplaceNetworkAclAssociation'])} }`,
  },
];
