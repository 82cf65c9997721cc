import { PlatformRule } from '../rule';
import { KmsKeyPolicyScoped } from './kms/KmsKeyPolicyScoped';
import { LogGroupEncryptedWithRetention } from './logs/LogGroupEncryptedWithRetention';
import { SecurityGroupNoOpenEgress } from './network/SecurityGroupNoOpenEgress';
import { VpcEndpointRestrictivePolicy } from './network/VpcEndpointRestrictivePolicy';
import { MutualTlsDomainDisablesExecuteApi } from './pki/MutualTlsDomainDisablesExecuteApi';
import { PrivateCaRevocationEnabled } from './pki/PrivateCaRevocationEnabled';

/** Every rule of PlatformChecks, in the order they run. RULES.md documents each. */
export const PLATFORM_RULES: readonly PlatformRule[] = [
  LogGroupEncryptedWithRetention,
  VpcEndpointRestrictivePolicy,
  SecurityGroupNoOpenEgress,
  KmsKeyPolicyScoped,
  MutualTlsDomainDisablesExecuteApi,
  PrivateCaRevocationEnabled,
];

export { KmsKeyPolicyScoped, LogGroupEncryptedWithRetention, SecurityGroupNoOpenEgress, VpcEndpointRestrictivePolicy };
export { MutualTlsDomainDisablesExecuteApi, PrivateCaRevocationEnabled };
