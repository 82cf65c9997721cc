import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { resolvedProperties } from '../../../private/rule-helpers';

const KMS_TYPES = ['KMS', 'KMS_DSSE'];

/** Every ECR repository has immutable tags, scans on push and is encrypted with a customer managed KMS key. */
export const EcrRepositoryHardened: PlatformRule = {
  id: 'EcrRepositoryHardened',
  info: 'The ECR repository allows tag overwrites, does not scan on push, or is not encrypted with a customer managed KMS key.',
  explanation:
    'A mutable tag lets a push silently replace what a running service deploys next; without scan on push a vulnerable image is never looked at; AES-256 encryption uses a key the platform does not control. Use SecureRepository.',
  practices: ['P8', 'P14'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::ECR::Repository') return NagRuleCompliance.NOT_APPLICABLE;
    const props = resolvedProperties(node);
    const immutable = props.ImageTagMutability === 'IMMUTABLE';
    const scanOnPush = props.ImageScanningConfiguration?.ScanOnPush === true || props.ImageScanningConfiguration?.ScanOnPush === 'true';
    const encryption = props.EncryptionConfiguration;
    const customerKey = KMS_TYPES.includes(encryption?.EncryptionType) && !!encryption?.KmsKey;
    return immutable && scanOnPush && customerKey ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
