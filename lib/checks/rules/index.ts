import { PlatformRule } from '../rule';
import { KmsKeyPolicyScoped } from './kms/KmsKeyPolicyScoped';
import { LogGroupEncryptedWithRetention } from './logs/LogGroupEncryptedWithRetention';
import { SecurityGroupNoOpenEgress } from './network/SecurityGroupNoOpenEgress';
import { VpcEndpointRestrictivePolicy } from './network/VpcEndpointRestrictivePolicy';
import { DynamoDbTableCustomerKeyAndPitr } from './storage/DynamoDbTableCustomerKeyAndPitr';
import { S3BucketDeniesInsecureTransport } from './storage/S3BucketDeniesInsecureTransport';
import { EcrRepositoryHardened } from './runtime/EcrRepositoryHardened';
import { EcsServiceNoPublicIp } from './runtime/EcsServiceNoPublicIp';
import { FargateTaskHardened } from './runtime/FargateTaskHardened';

/** Every rule of PlatformChecks, in the order they run. RULES.md documents each. */
export const PLATFORM_RULES: readonly PlatformRule[] = [
  LogGroupEncryptedWithRetention,
  VpcEndpointRestrictivePolicy,
  SecurityGroupNoOpenEgress,
  KmsKeyPolicyScoped,
  S3BucketDeniesInsecureTransport,
  DynamoDbTableCustomerKeyAndPitr,
  EcrRepositoryHardened,
  FargateTaskHardened,
  EcsServiceNoPublicIp,
];

export { KmsKeyPolicyScoped, LogGroupEncryptedWithRetention, SecurityGroupNoOpenEgress, VpcEndpointRestrictivePolicy };
export { DynamoDbTableCustomerKeyAndPitr, S3BucketDeniesInsecureTransport };
export { EcrRepositoryHardened, EcsServiceNoPublicIp, FargateTaskHardened };
