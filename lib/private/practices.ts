import { CfnJson } from './rule-helpers';

/** The practices of docs/PRACTICES.md (P1–P16) and the CloudFormation resources that implement each. */
export interface PracticeEvidence {
  /** CloudFormation resource type. */
  readonly type: string;
  /** What this resource does for the practice; return undefined when this particular resource does not count. */
  readonly describe: (properties: CfnJson) => string | undefined;
}

export interface Practice {
  readonly id: string;
  readonly title: string;
  readonly evidence: readonly PracticeEvidence[];
}

const always = (text: string) => () => text;

export const PRACTICES: readonly Practice[] = [
  {
    id: 'P1',
    title: 'Expose as little as possible',
    evidence: [
      { type: 'AWS::EC2::Subnet', describe: (p) => (p.MapPublicIpOnLaunch === true ? undefined : 'subnet without public IPs') },
      {
        type: 'AWS::EC2::VPCEndpoint',
        describe: (p) => (p.PolicyDocument ? `${p.VpcEndpointType ?? 'Gateway'} endpoint with an account-scoped policy` : undefined),
      },
      {
        type: 'AWS::ApiGateway::RestApi',
        describe: (p) => (p.DisableExecuteApiEndpoint ? 'default execute-api endpoint disabled' : 'regional REST API (single entry)'),
      },
      { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', describe: (p) => (p.Scheme === 'internal' ? 'internal load balancer' : undefined) },
    ],
  },
  {
    id: 'P2',
    title: 'Authenticate every request',
    evidence: [
      { type: 'AWS::Cognito::UserPool', describe: always('Cognito user pool (OAuth 2.0 / OIDC)') },
      { type: 'AWS::ApiGateway::Authorizer', describe: (p) => `${p.Type} authorizer` },
      { type: 'AWS::ApiGateway::ApiKey', describe: always('API key') },
      { type: 'AWS::ApiGateway::DomainName', describe: (p) => (p.MutualTlsAuthentication ? 'mutual TLS against the CA truststore' : undefined) },
    ],
  },
  {
    id: 'P3',
    title: 'Authorize with least privilege',
    evidence: [
      {
        type: 'AWS::Cognito::UserPoolResourceServer',
        describe: (p) => `OAuth scopes ${(p.Scopes ?? []).map((s: CfnJson) => s.ScopeName).join(', ')}`,
      },
      {
        type: 'AWS::VpcLattice::AuthPolicy',
        describe: (p) =>
          JSON.stringify(p.Policy ?? {}).includes('"AWS"')
            ? 'service-to-service auth policy naming the calling task roles'
            : 'service network auth policy (this account only)',
      },
      {
        type: 'AWS::Cognito::UserPoolGroup',
        describe: (p) => `role ${p.GroupName}: members' access tokens carry only its scopes (pre-token-generation trigger)`,
      },
      {
        type: 'AWS::ApiGateway::Method',
        describe: (p) =>
          p.AuthorizationScopes?.length
            ? `scopes ${p.AuthorizationScopes.join(', ')}`
            : p.AuthorizationType === 'CUSTOM'
              ? 'custom authorizer (scopes + revocation)'
              : undefined,
      },
      { type: 'AWS::IAM::ManagedPolicy', describe: always('customer managed policy scoped to named resources') },
      { type: 'AWS::IAM::Role', describe: always('role with a scoped trust policy') },
      { type: 'AWS::EC2::SecurityGroup', describe: always('security group admitting named peers only') },
    ],
  },
  {
    id: 'P4',
    title: 'One gateway as the single point of entry',
    evidence: [
      { type: 'AWS::ApiGateway::RestApi', describe: always('REST API in front of every service') },
      { type: 'AWS::ApiGateway::VpcLink', describe: always('private integration (VPC link)') },
    ],
  },
  {
    id: 'P5',
    title: 'Rate limiting and throttling',
    evidence: [
      {
        type: 'AWS::ApiGateway::UsagePlan',
        describe: (p) =>
          `usage plan ${p.UsagePlanName ?? ''} (rate ${p.Throttle?.RateLimit ?? '-'}, quota ${p.Quota?.Limit ?? '-'}/${p.Quota?.Period ?? '-'})`,
      },
      { type: 'AWS::ApiGateway::Stage', describe: (p) => (p.MethodSettings?.length ? 'stage-wide throttling' : undefined) },
      {
        type: 'AWS::WAFv2::WebACL',
        describe: (p) => ((p.Rules ?? []).some((r: CfnJson) => r.Statement?.RateBasedStatement) ? 'WAF rate-based rule' : undefined),
      },
    ],
  },
  {
    id: 'P6',
    title: 'Encrypt in transit everywhere',
    evidence: [
      { type: 'AWS::ApiGateway::DomainName', describe: (p) => `TLS policy ${p.SecurityPolicy ?? 'default'}` },
      {
        type: 'AWS::ElasticLoadBalancingV2::Listener',
        describe: (p) => (p.Protocol === 'TLS' || p.Protocol === 'HTTPS' ? `${p.Protocol} listener (${p.SslPolicy ?? 'default policy'})` : undefined),
      },
      {
        type: 'AWS::ECS::Service',
        describe: (p) =>
          p.ServiceConnectConfiguration?.Services?.some((s: CfnJson) => s.Tls) ? 'Service Connect TLS from the private CA' : undefined,
      },
      {
        type: 'AWS::S3::BucketPolicy',
        describe: (p) => (JSON.stringify(p.PolicyDocument ?? {}).includes('aws:SecureTransport') ? 'bucket denies non-TLS requests' : undefined),
      },
    ],
  },
  {
    id: 'P7',
    title: 'An internal PKI with revocation',
    evidence: [
      {
        type: 'AWS::ACMPCA::CertificateAuthority',
        describe: (p) =>
          `private CA (${p.KeyAlgorithm}, ${p.UsageMode ?? 'GENERAL_PURPOSE'}, CRL ${p.RevocationConfiguration?.CrlConfiguration?.Enabled ? 'on' : 'off'})`,
      },
      { type: 'AWS::ACMPCA::CertificateAuthorityActivation', describe: always('CA activation') },
      {
        type: 'AWS::ApiGateway::Authorizer',
        describe: (p) =>
          String(p.IdentitySource ?? '').includes('clientCert')
            ? "mTLS authorizer: refuses certificates on the revocation deny-list and tokens of another client than the certificate's"
            : undefined,
      },
      {
        type: 'AWS::Events::Rule',
        describe: (p) =>
          JSON.stringify(p.EventPattern ?? {}).includes('RevokeCertificate')
            ? 'revocations by any path (CloudTrail RevokeCertificate) written to the deny-list; needs a trail recording management events in this region'
            : undefined,
      },
    ],
  },
  {
    id: 'P8',
    title: 'Encrypt at rest',
    evidence: [
      { type: 'AWS::KMS::Key', describe: (p) => (p.EnableKeyRotation ? 'customer managed key with rotation' : undefined) },
      {
        type: 'AWS::S3::Bucket',
        describe: (p) =>
          `bucket encryption ${p.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm ?? 'default'}`,
      },
      { type: 'AWS::DynamoDB::Table', describe: (p) => (p.SSESpecification?.SSEEnabled ? 'table encrypted with a customer key' : undefined) },
      { type: 'AWS::DynamoDB::GlobalTable', describe: (p) => (p.SSESpecification?.SSEEnabled ? 'table encrypted with a customer key' : undefined) },
      {
        type: 'AWS::ECR::Repository',
        describe: (p) => (p.EncryptionConfiguration?.EncryptionType === 'KMS' ? 'repository encrypted with KMS' : undefined),
      },
      { type: 'AWS::SNS::Topic', describe: (p) => (p.KmsMasterKeyId ? 'encrypted topic' : undefined) },
      { type: 'AWS::Backup::BackupVault', describe: (p) => (p.EncryptionKeyArn ? 'encrypted backup vault' : undefined) },
    ],
  },
  {
    id: 'P9',
    title: 'Log everything needed for an audit trail',
    evidence: [
      { type: 'AWS::VpcLattice::AccessLogSubscription', describe: always('service-to-service access logs (caller identity per request)') },
      {
        type: 'AWS::Logs::LogGroup',
        describe: (p) => (p.KmsKeyId && p.RetentionInDays ? `encrypted log group, ${p.RetentionInDays} days` : undefined),
      },
      { type: 'AWS::EC2::FlowLog', describe: (p) => `VPC flow log (${p.TrafficType})` },
      { type: 'AWS::WAFv2::LoggingConfiguration', describe: always('WAF logging') },
      { type: 'AWS::ApiGateway::Stage', describe: (p) => (p.AccessLogSetting ? 'JSON access log' : undefined) },
      {
        type: 'AWS::CloudTrail::Trail',
        describe: (p) =>
          `CloudTrail trail${p.IsMultiRegionTrail ? ', multi-region' : ''}${p.EnableLogFileValidation ? ', log-file validation' : ''}${p.KMSKeyId ? ', KMS-encrypted' : ''}${p.CloudWatchLogsLogGroupArn ? ', to CloudWatch Logs' : ''}${
            (p.AdvancedEventSelectors ?? []).length > 1
              ? `, data events (${(p.AdvancedEventSelectors as CfnJson[])
                  .slice(1)
                  .map((s) => s.Name)
                  .join('; ')})`
              : ''
          }`,
      },
      {
        type: 'AWS::Config::ConfigurationRecorder',
        describe: (p) => `AWS Config recorder (${p.RecordingGroup?.AllSupported ? 'all supported resource types' : 'selected resource types'})`,
      },
      {
        type: 'AWS::S3::Bucket',
        describe: (p) =>
          p.ObjectLockEnabled
            ? `Object Lock ${p.ObjectLockConfiguration?.Rule?.DefaultRetention?.Mode ?? 'on'} ${p.ObjectLockConfiguration?.Rule?.DefaultRetention?.Days ?? '-'} days`
            : undefined,
      },
    ],
  },
  {
    id: 'P10',
    title: 'Monitor and detect threats',
    evidence: [
      {
        type: 'AWS::WAFv2::WebACL',
        describe: (p) =>
          `managed rule groups: ${
            (p.Rules ?? [])
              .map((r: CfnJson) => r.Statement?.ManagedRuleGroupStatement?.Name)
              .filter(Boolean)
              .join(', ') || 'none'
          }`,
      },
      { type: 'AWS::CloudWatch::Alarm', describe: (p) => `alarm ${p.MetricName ?? p.AlarmDescription ?? ''}`.trim() },
      {
        type: 'AWS::Cognito::UserPool',
        describe: (p) => (p.UserPoolAddOns?.AdvancedSecurityMode === 'ENFORCED' ? 'threat protection enforced' : undefined),
      },
      { type: 'AWS::Events::Rule', describe: always('EventBridge alert rule') },
      { type: 'AWS::Logs::MetricFilter', describe: (p) => `CIS metric filter ${p.MetricTransformations?.[0]?.MetricName ?? ''}`.trim() },
      {
        type: 'AWS::GuardDuty::Detector',
        describe: (p) =>
          `GuardDuty detector (${
            (p.Features ?? [])
              .filter((f: CfnJson) => f.Status === 'ENABLED')
              .map((f: CfnJson) =>
                [f.Name, ...(f.AdditionalConfiguration ?? []).filter((a: CfnJson) => a.Status === 'ENABLED').map((a: CfnJson) => a.Name)].join(' + '),
              )
              .join(', ') || 'no features'
          })`,
      },
      { type: 'AWS::SecurityHub::Hub', describe: always('Security Hub') },
      {
        type: 'AWS::SecurityHub::Standard',
        describe: (p) => `Security Hub standard ${String(JSON.stringify(p.StandardsArn)).match(/standards\/([^"]+)/)?.[1] ?? ''}`.trim(),
      },
      { type: 'AWS::AccessAnalyzer::Analyzer', describe: (p) => `IAM Access Analyzer (${p.Type})` },
      {
        type: 'AWS::ECR::RegistryScanningConfiguration',
        describe: (p) => (p.ScanType === 'ENHANCED' ? 'Inspector enhanced ECR scanning' : undefined),
      },
    ],
  },
  {
    id: 'P11',
    title: 'Contain failures',
    evidence: [
      {
        type: 'AWS::ECS::Service',
        describe: (p) => (p.DeploymentConfiguration?.DeploymentCircuitBreaker?.Enable ? 'deployment circuit breaker with rollback' : undefined),
      },
      { type: 'AWS::ElasticLoadBalancingV2::TargetGroup', describe: (p) => (p.HealthCheckEnabled !== false ? 'target health checks' : undefined) },
      {
        type: 'AWS::VpcLattice::TargetGroup',
        describe: (p) => (p.Config?.HealthCheck?.Enabled ? 'service-to-service target health checks (failing targets removed)' : undefined),
      },
      { type: 'AWS::VpcLattice::Service', describe: (p) => `service-to-service idle timeout ${p.IdleTimeoutSeconds ?? 60} s` },
      { type: 'AWS::ApplicationAutoScaling::ScalingPolicy', describe: always('auto scaling policy') },
    ],
  },
  {
    id: 'P12',
    title: 'Version APIs',
    evidence: [
      { type: 'AWS::ApiGateway::Resource', describe: (p) => (/^v\d+$/.test(String(p.PathPart)) ? `versioned base path /${p.PathPart}` : undefined) },
      { type: 'AWS::ApiGateway::BasePathMapping', describe: (p) => `base path mapping ${p.BasePath ?? '(root)'}` },
    ],
  },
  {
    id: 'P13',
    title: 'Minimize data exposure',
    evidence: [
      {
        type: 'AWS::ApiGateway::RequestValidator',
        describe: (p) => `request validator (body ${p.ValidateRequestBody ? 'on' : 'off'}, parameters ${p.ValidateRequestParameters ? 'on' : 'off'})`,
      },
      { type: 'AWS::ApiGateway::Model', describe: always('JSON schema model') },
      { type: 'AWS::ApiGateway::GatewayResponse', describe: (p) => `generic ${p.ResponseType} body` },
      { type: 'AWS::WAFv2::LoggingConfiguration', describe: (p) => (p.RedactedFields?.length ? 'redacted fields in WAF logs' : undefined) },
    ],
  },
  {
    id: 'P14',
    title: 'Trust no image blindly',
    evidence: [
      {
        type: 'AWS::ECR::Repository',
        describe: (p) => `tags ${p.ImageTagMutability ?? 'MUTABLE'}, scan on push ${p.ImageScanningConfiguration?.ScanOnPush ? 'on' : 'off'}`,
      },
      { type: 'AWS::ECR::RegistryScanningConfiguration', describe: (p) => `registry scanning ${p.ScanType}` },
    ],
  },
  {
    id: 'P15',
    title: 'Harden the container host',
    evidence: [
      {
        type: 'AWS::ECS::TaskDefinition',
        describe: (p) => {
          const c = p.ContainerDefinitions ?? [];
          const hardened = c.every((d: CfnJson) => d.ReadonlyRootFilesystem && d.User && d.Privileged !== true);
          const limited = c.length > 0 && c.every((d: CfnJson) => d.Memory !== undefined);
          return hardened ? `non-root, read-only root filesystem, unprivileged${limited ? ', memory hard limit' : ''}` : undefined;
        },
      },
    ],
  },
  { id: 'P16', title: 'Test the defenses', evidence: [] },
];
