import { PlatformRule } from '../rule';
import { MethodAuthorizedWithScopes } from './api/MethodAuthorizedWithScopes';
import { RestStageBehindRateLimitedWebAcl } from './api/RestStageBehindRateLimitedWebAcl';
import { UsagePlanThrottleAndQuota } from './api/UsagePlanThrottleAndQuota';
import { WafLoggingRedactsAuthorization } from './api/WafLoggingRedactsAuthorization';
import { WebAclHasRateRule } from './api/WebAclHasRateRule';
import { KmsKeyPolicyScoped } from './kms/KmsKeyPolicyScoped';
import { LogGroupEncryptedWithRetention } from './logs/LogGroupEncryptedWithRetention';
import { SecurityGroupNoOpenEgress } from './network/SecurityGroupNoOpenEgress';
import { VpcEndpointRestrictivePolicy } from './network/VpcEndpointRestrictivePolicy';
import { EcrRepositoryHardened } from './runtime/EcrRepositoryHardened';
import { EcsServiceNoPublicIp } from './runtime/EcsServiceNoPublicIp';
import { FargateTaskHardened } from './runtime/FargateTaskHardened';
import { ServiceToServiceCallsIdentityChecked } from './runtime/ServiceToServiceCallsIdentityChecked';
import { ServiceToServiceRouteHasTimeout } from './runtime/ServiceToServiceRouteHasTimeout';
import { DynamoDbTableCustomerKeyAndPitr } from './storage/DynamoDbTableCustomerKeyAndPitr';
import { S3BucketDeniesInsecureTransport } from './storage/S3BucketDeniesInsecureTransport';
import { MutualTlsDomainDisablesExecuteApi } from './pki/MutualTlsDomainDisablesExecuteApi';
import { PrivateCaIssuanceScopedToEndEntity } from './pki/PrivateCaIssuanceScopedToEndEntity';
import { PrivateCaRevocationEnabled } from './pki/PrivateCaRevocationEnabled';
import { NoEscapeHatchOverride } from './gate/NoEscapeHatchOverride';
import { AuditBucketObjectLock } from './audit/AuditBucketObjectLock';
import { CloudTrailValidatedEncryptedMultiRegion } from './audit/CloudTrailValidatedEncryptedMultiRegion';
import { FargateClusterEphemeralStorageEncrypted } from './runtime/FargateClusterEphemeralStorageEncrypted';
import { GuardDutyRuntimeMonitoringForEcs } from './runtime/GuardDutyRuntimeMonitoringForEcs';
import { NoBroadPublicCidr } from './network/NoBroadPublicCidr';
import { NoInternetEgressRoute } from './network/NoInternetEgressRoute';
import { ContainerImageFromEcrPinned } from './runtime/ContainerImageFromEcrPinned';
import { TaskEnvironmentHasNoSecrets } from './runtime/TaskEnvironmentHasNoSecrets';
import { WebAclBaselineRules } from './api/WebAclBaselineRules';
import { LogRetentionAboveFloor } from './logs/LogRetentionAboveFloor';

/** Every rule of PlatformChecks, in the order they run. RULES.md documents each. */
export const PLATFORM_RULES: readonly PlatformRule[] = [
  LogGroupEncryptedWithRetention,
  VpcEndpointRestrictivePolicy,
  SecurityGroupNoOpenEgress,
  KmsKeyPolicyScoped,
  S3BucketDeniesInsecureTransport,
  DynamoDbTableCustomerKeyAndPitr,
  MethodAuthorizedWithScopes,
  UsagePlanThrottleAndQuota,
  WafLoggingRedactsAuthorization,
  WebAclHasRateRule,
  RestStageBehindRateLimitedWebAcl,
  EcrRepositoryHardened,
  FargateTaskHardened,
  EcsServiceNoPublicIp,
  ServiceToServiceCallsIdentityChecked,
  ServiceToServiceRouteHasTimeout,
  MutualTlsDomainDisablesExecuteApi,
  PrivateCaRevocationEnabled,
  NoEscapeHatchOverride,
  PrivateCaIssuanceScopedToEndEntity,
  CloudTrailValidatedEncryptedMultiRegion,
  AuditBucketObjectLock,
  GuardDutyRuntimeMonitoringForEcs,
  FargateClusterEphemeralStorageEncrypted,
  NoBroadPublicCidr,
  NoInternetEgressRoute,
  ContainerImageFromEcrPinned,
  TaskEnvironmentHasNoSecrets,
  WebAclBaselineRules,
  LogRetentionAboveFloor,
];

export { KmsKeyPolicyScoped, LogGroupEncryptedWithRetention, SecurityGroupNoOpenEgress, VpcEndpointRestrictivePolicy };
export { DynamoDbTableCustomerKeyAndPitr, S3BucketDeniesInsecureTransport };
export { MethodAuthorizedWithScopes, RestStageBehindRateLimitedWebAcl, UsagePlanThrottleAndQuota, WafLoggingRedactsAuthorization, WebAclHasRateRule };
export { EcrRepositoryHardened, EcsServiceNoPublicIp, FargateTaskHardened, ServiceToServiceCallsIdentityChecked, ServiceToServiceRouteHasTimeout };
export { NoEscapeHatchOverride };
export { MutualTlsDomainDisablesExecuteApi, PrivateCaIssuanceScopedToEndEntity, PrivateCaRevocationEnabled };
export { AuditBucketObjectLock, CloudTrailValidatedEncryptedMultiRegion, FargateClusterEphemeralStorageEncrypted, GuardDutyRuntimeMonitoringForEcs };
export {
  NoBroadPublicCidr,
  NoInternetEgressRoute,
  ContainerImageFromEcrPinned,
  TaskEnvironmentHasNoSecrets,
  WebAclBaselineRules,
  LogRetentionAboveFloor,
};
