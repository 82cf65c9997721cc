import { Stack } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { SecureFargateServiceProps } from '../../lib/compute/secure-fargate-service';
import { PlatformKeys } from '../../lib/encryption/platform-keys';
import { PrivateNetwork } from '../../lib/network/private-network';
import { SecureRepository } from '../../lib/registry/secure-repository';
import { newStack } from '../support/harness';

export const CA_ARN = 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555';
export const CERT_ARN = 'arn:aws:acm:eu-west-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

export interface Fixture {
  readonly stack: Stack;
  readonly keys: PlatformKeys;
  readonly network: PrivateNetwork;
  readonly repository: SecureRepository;
  readonly props: SecureFargateServiceProps;
}

/** A platform (keys, network, repository, GuardDuty detector) and the props of a compliant service in it. */
export function fixture(stack: Stack = newStack()): Fixture {
  const keys = new PlatformKeys(stack, 'Keys');
  const network = new PrivateNetwork(stack, 'Network', { logsKey: keys.logsKey });
  const repository = new SecureRepository(stack, 'Repo', { encryptionKey: keys.dataKey, repositoryName: 'orders' });
  // What the account baseline provides for services (PlatformChecks GuardDutyRuntimeMonitoringForEcs).
  new guardduty.CfnDetector(stack, 'Detector', {
    enable: true,
    features: [
      { name: 'RUNTIME_MONITORING', status: 'ENABLED', additionalConfiguration: [{ name: 'ECS_FARGATE_AGENT_MANAGEMENT', status: 'ENABLED' }] },
    ],
  });
  const props: SecureFargateServiceProps = {
    serviceName: 'orders',
    image: { repository, tag: '1.0.0' },
    vpc: network.vpc,
    serviceSubnets: network.serviceSubnets,
    awsEndpoints: network,
    s3PrefixList: ec2.PrefixList.fromPrefixListId(stack, 'S3PrefixList', 'pl-6da54004'),
    encryptionKey: keys.dataKey,
    logsKey: keys.logsKey,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERT_ARN),
    tlsHostname: 'orders.internal.example.com',
    certificateAuthority: acmpca.CertificateAuthority.fromCertificateAuthorityArn(stack, 'Ca', CA_ARN),
  };
  return { stack, keys, network, repository, props };
}
