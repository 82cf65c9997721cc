import { PlatformRule } from '../rule';
import { KmsKeyPolicyScoped } from './kms/KmsKeyPolicyScoped';
import { LogGroupEncryptedWithRetention } from './logs/LogGroupEncryptedWithRetention';
import { SecurityGroupNoOpenEgress } from './network/SecurityGroupNoOpenEgress';
import { VpcEndpointRestrictivePolicy } from './network/VpcEndpointRestrictivePolicy';
import { DynamoDbTableCustomerKeyAndPitr } from './storage/DynamoDbTableCustomerKeyAndPitr';
import { S3BucketDeniesInsecureTransport } from './storage/S3BucketDeniesInsecureTransport';
import { MutualTlsDomainDisablesExecuteApi } from './pki/MutualTlsDomainDisablesExecuteApi';
import { PrivateCaRevocationEnabled } from './pki/PrivateCaRevocationEnabled';

/** Every rule of PlatformChecks, in the order they run. RULES.md documents each. */
export const PLATFORM_RULES: readonly PlatformRule[] = [
  LogGroupEncryptedWithRetention,
  VpcEndpointRestrictivePolicy,
  SecurityGroupNoOpenEgress,
  KmsKeyPolicyScoped,
  S3BucketDeniesInsecureTransport,
  DynamoDbTableCustomerKeyAndPitr,
  MutualTlsDomainDisablesExecuteApi,
  PrivateCaRevocationEnabled,
];

export { KmsKeyPolicyScoped, LogGroupEncryptedWithRetention, SecurityGroupNoOpenEgress, VpcEndpointRestrictivePolicy };
export { DynamoDbTableCustomerKeyAndPitr, S3BucketDeniesInsecureTransport };
export { MutualTlsDomainDisablesExecuteApi, PrivateCaRevocationEnabled };
