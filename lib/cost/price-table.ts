/**
 * List prices for the idle-cost estimate in the security report: us-east-1, on-demand, USD, no free tier, no
 * savings plans. Each price names its unit and the AWS pricing page it comes from. Re-read the pages and bump
 * `PRICE_TABLE_DATE` when you change a price.
 */

/** When the prices below were read from their source pages. */
export const PRICE_TABLE_DATE = '2026-12-01';
/** The reference region of every price. */
export const PRICE_TABLE_REGION = 'us-east-1';
/** Hours in a month, as AWS's pricing examples count them (8,760 / 12). */
export const HOURS_PER_MONTH = 730;

export interface Price {
  /** USD per unit. */
  readonly usd: number;
  /** What one unit is. */
  readonly unit: string;
  /** The AWS pricing page the price comes from. */
  readonly source: string;
}

const PRIVATELINK = 'https://aws.amazon.com/privatelink/pricing/';
const ELB = 'https://aws.amazon.com/elasticloadbalancing/pricing/';
const VPC = 'https://aws.amazon.com/vpc/pricing/';
const PCA = 'https://aws.amazon.com/private-ca/pricing/';
const WAF = 'https://aws.amazon.com/waf/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const FARGATE = 'https://aws.amazon.com/fargate/pricing/';
const COGNITO = 'https://aws.amazon.com/cognito/pricing/';
const LATTICE = 'https://aws.amazon.com/vpc/lattice/pricing/';

/** Every price the estimate uses, by key. */
export const PRICES = {
  interfaceEndpointAzHour: { usd: 0.01, unit: 'interface endpoint per AZ-hour', source: PRIVATELINK },
  interfaceEndpointGb: { usd: 0.01, unit: 'GB processed by interface endpoints', source: PRIVATELINK },
  nlbHour: { usd: 0.0225, unit: 'Network Load Balancer-hour', source: ELB },
  nlcuHour: { usd: 0.006, unit: 'NLCU-hour', source: ELB },
  albHour: { usd: 0.0225, unit: 'Application Load Balancer-hour', source: ELB },
  lcuHour: { usd: 0.008, unit: 'LCU-hour', source: ELB },
  natGatewayHour: { usd: 0.045, unit: 'NAT gateway-hour', source: VPC },
  natGatewayGb: { usd: 0.045, unit: 'GB processed by a NAT gateway', source: VPC },
  publicIpv4Hour: { usd: 0.005, unit: 'public IPv4 address-hour', source: VPC },
  pcaGeneralPurposeMonth: { usd: 400, unit: 'general-purpose private CA-month', source: PCA },
  pcaShortLivedMonth: { usd: 50, unit: 'short-lived-certificate private CA-month', source: PCA },
  pcaGeneralPurposeCertificate: { usd: 0.75, unit: 'certificate from a general-purpose CA (first 1,000 per month)', source: PCA },
  pcaShortLivedCertificate: { usd: 0.058, unit: 'certificate from a short-lived CA (first 1,000 per month)', source: PCA },
  webAclMonth: { usd: 5, unit: 'web ACL-month', source: WAF },
  wafRuleMonth: { usd: 1, unit: 'rule or rule group in a web ACL-month', source: WAF },
  wafRequests: { usd: 0.6, unit: 'million requests inspected', source: WAF },
  botControlMonth: { usd: 10, unit: 'Bot Control (common) subscription-month', source: WAF },
  botControlRequests: { usd: 1, unit: 'million requests inspected by Bot Control (common)', source: WAF },
  kmsKeyMonth: { usd: 1, unit: 'customer managed key-month (+$1 for each of the first two rotations)', source: KMS },
  kmsRequests: { usd: 0.03, unit: '10,000 KMS requests', source: KMS },
  alarmMetricMonth: { usd: 0.1, unit: 'standard-resolution alarm metric-month', source: CLOUDWATCH },
  compositeAlarmMonth: { usd: 0.5, unit: 'composite alarm-month', source: CLOUDWATCH },
  dashboardMonth: { usd: 3, unit: 'dashboard-month', source: CLOUDWATCH },
  logsIngestGb: { usd: 0.5, unit: 'GB ingested into CloudWatch Logs', source: CLOUDWATCH },
  logsStorageGbMonth: { usd: 0.03, unit: 'GB-month of CloudWatch Logs storage', source: CLOUDWATCH },
  vendedLogsGb: { usd: 0.5, unit: 'GB of vended logs (flow logs, WAF) delivered to CloudWatch Logs (first 10 TB)', source: CLOUDWATCH },
  fargateVcpuHourX86: { usd: 0.04048, unit: 'Fargate Linux/x86 vCPU-hour', source: FARGATE },
  fargateGbHourX86: { usd: 0.004445, unit: 'Fargate Linux/x86 GB-hour', source: FARGATE },
  fargateVcpuHourArm: { usd: 0.03238, unit: 'Fargate Linux/ARM vCPU-hour', source: FARGATE },
  fargateGbHourArm: { usd: 0.00356, unit: 'Fargate Linux/ARM GB-hour', source: FARGATE },
  cognitoM2mClientMonth: { usd: 6, unit: 'machine-to-machine (client credentials) app client-month', source: COGNITO },
  cognitoM2mTokens: { usd: 2.25, unit: '1,000 client-credentials token requests', source: COGNITO },
  cognitoPlusMau: { usd: 0.02, unit: 'monthly active user on the Plus tier', source: COGNITO },
  latticeServiceHour: { usd: 0.025, unit: 'VPC Lattice service-hour', source: LATTICE },
  latticeGb: { usd: 0.025, unit: 'GB processed by a VPC Lattice service', source: LATTICE },
  latticeRequests: { usd: 0.1, unit: 'million requests to a VPC Lattice service', source: LATTICE },
  secretMonth: { usd: 0.4, unit: 'secret-month', source: 'https://aws.amazon.com/secrets-manager/pricing/' },
  hostedZoneMonth: { usd: 0.5, unit: 'hosted zone-month (first 25)', source: 'https://aws.amazon.com/route53/pricing/' },
  apiRequests: { usd: 3.5, unit: 'million REST API calls (first 333 million)', source: 'https://aws.amazon.com/api-gateway/pricing/' },
  apiCache05GbHour: { usd: 0.02, unit: '0.5 GB API cache-hour', source: 'https://aws.amazon.com/api-gateway/pricing/' },
  lambdaRequests: { usd: 0.2, unit: 'million Lambda requests', source: 'https://aws.amazon.com/lambda/pricing/' },
  lambdaGbSecond: { usd: 0.0000166667, unit: 'Lambda GB-second (x86)', source: 'https://aws.amazon.com/lambda/pricing/' },
  s3StorageGbMonth: { usd: 0.023, unit: 'GB-month of S3 Standard (first 50 TB)', source: 'https://aws.amazon.com/s3/pricing/' },
  ddbWriteRequests: { usd: 0.625, unit: 'million on-demand write request units', source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  ddbReadRequests: { usd: 0.125, unit: 'million on-demand read request units', source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  ddbPitrGbMonth: { usd: 0.2, unit: 'GB-month of point-in-time recovery', source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  ddbWcuHour: { usd: 0.00065, unit: 'provisioned WCU-hour', source: 'https://aws.amazon.com/dynamodb/pricing/provisioned/' },
  ddbRcuHour: { usd: 0.00013, unit: 'provisioned RCU-hour', source: 'https://aws.amazon.com/dynamodb/pricing/provisioned/' },
  backupWarmGbMonth: { usd: 0.1, unit: 'GB-month of backup storage (DynamoDB advanced, S3)', source: 'https://aws.amazon.com/backup/pricing/' },
  ecrStorageGbMonth: { usd: 0.1, unit: 'GB-month of image storage', source: 'https://aws.amazon.com/ecr/pricing/' },
  snsRequests: { usd: 0.5, unit: 'million SNS publishes (+ $2 per 100,000 e-mail notifications)', source: 'https://aws.amazon.com/sns/pricing/' },
  sqsRequests: { usd: 0.4, unit: 'million SQS requests', source: 'https://aws.amazon.com/sqs/pricing/' },
  cloudMapInstanceMonth: {
    usd: 0.1,
    unit: 'registered Cloud Map instance-month (one per Service Connect task)',
    source: 'https://aws.amazon.com/cloud-map/pricing/',
  },
  cloudTrailDataEvents: {
    usd: 0.1,
    unit: '100,000 data events recorded (management events: first copy free)',
    source: 'https://aws.amazon.com/cloudtrail/pricing/',
  },
  guardDutyEvents: {
    usd: 4,
    unit: 'million CloudTrail management events analysed (first 500 million)',
    source: 'https://aws.amazon.com/guardduty/pricing/',
  },
  guardDutyFargateVcpuMonth: {
    usd: 1.5,
    unit: 'Fargate vCPU-month under runtime monitoring (first 500)',
    source: 'https://aws.amazon.com/guardduty/pricing/',
  },
  securityHubChecks: { usd: 0.001, unit: 'security check (first 100,000 per month)', source: 'https://aws.amazon.com/security-hub/pricing/' },
  configItems: { usd: 0.003, unit: 'AWS Config configuration item recorded', source: 'https://aws.amazon.com/config/pricing/' },
  accessAnalyzerUnusedMonth: {
    usd: 0.2,
    unit: 'IAM role or user analysed for unused access-month',
    source: 'https://aws.amazon.com/iam/access-analyzer/pricing/',
  },
  inspectorEcrImage: {
    usd: 0.09,
    unit: 'container image scanned on push (+$0.01 per continuous rescan)',
    source: 'https://aws.amazon.com/inspector/pricing/',
  },
  eventsCustom: {
    usd: 1,
    unit: 'million custom events (AWS service events to the default bus are free)',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
  },
} as const satisfies Record<string, Price>;

export type PriceKey = keyof typeof PRICES;

/**
 * How a resource type is charged: `fixed` prices accrue every month whatever the traffic (hours provisioned,
 * monthly fees, task time) and are computed per resource from its properties; `perUse` prices accrue only with
 * use (requests, GB, events) and are listed with their unit prices, never guessed; `free` types have no charge.
 */
export interface ResourcePricing {
  readonly fixed?: readonly PriceKey[];
  readonly perUse?: readonly PriceKey[];
  /** Why the type costs nothing of its own. */
  readonly free?: string;
}

const fixed = (...prices: PriceKey[]): ResourcePricing => ({ fixed: prices });
const perUse = (...prices: PriceKey[]): ResourcePricing => ({ perUse: prices });
const both = (fixedPrices: PriceKey[], perUsePrices: PriceKey[]): ResourcePricing => ({ fixed: fixedPrices, perUse: perUsePrices });
const free = (note: string): ResourcePricing => ({ free: note });
const CONFIG = free('configuration only');
const IAM = free('IAM has no charge');

/**
 * Every CloudFormation resource type the platform synthesizes, by how it is charged. A type missing here makes
 * the cost test fail, so a new resource cannot slip into the platform without a price.
 */
export const RESOURCE_PRICING: Readonly<Record<string, ResourcePricing>> = {
  'AWS::ACMPCA::Certificate': perUse('pcaGeneralPurposeCertificate', 'pcaShortLivedCertificate'),
  'AWS::ACMPCA::CertificateAuthority': both(
    ['pcaGeneralPurposeMonth', 'pcaShortLivedMonth'],
    ['pcaGeneralPurposeCertificate', 'pcaShortLivedCertificate'],
  ),
  'AWS::ACMPCA::CertificateAuthorityActivation': CONFIG,
  'AWS::ACMPCA::Permission': CONFIG,
  'AWS::AccessAnalyzer::Analyzer': perUse('accessAnalyzerUnusedMonth'),
  'AWS::ApiGateway::Account': CONFIG,
  'AWS::ApiGateway::ApiKey': CONFIG,
  'AWS::ApiGateway::Authorizer': CONFIG,
  'AWS::ApiGateway::BasePathMapping': CONFIG,
  'AWS::ApiGateway::BasePathMappingV2': CONFIG,
  'AWS::ApiGateway::ClientCertificate': CONFIG,
  'AWS::ApiGateway::Deployment': CONFIG,
  'AWS::ApiGateway::DomainName': free('custom domains have no charge of their own'),
  'AWS::ApiGateway::GatewayResponse': CONFIG,
  'AWS::ApiGateway::Method': CONFIG,
  'AWS::ApiGateway::Model': CONFIG,
  'AWS::ApiGateway::RequestValidator': CONFIG,
  'AWS::ApiGateway::Resource': CONFIG,
  'AWS::ApiGateway::RestApi': free('charged per request on its stages'),
  'AWS::ApiGateway::Stage': both(['apiCache05GbHour'], ['apiRequests']),
  'AWS::ApiGateway::UsagePlan': CONFIG,
  'AWS::ApiGateway::UsagePlanKey': CONFIG,
  'AWS::ApiGateway::VpcLink': free('charged through its load balancer'),
  'AWS::ApplicationAutoScaling::ScalableTarget': CONFIG,
  'AWS::ApplicationAutoScaling::ScalingPolicy': CONFIG,
  'AWS::Backup::BackupPlan': CONFIG,
  'AWS::Backup::BackupSelection': CONFIG,
  'AWS::Backup::BackupVault': perUse('backupWarmGbMonth'),
  'AWS::CDK::Metadata': free('CDK bookkeeping'),
  'AWS::CloudFormation::Stack': free('nested stack'),
  'AWS::CloudFormation::CustomResource': perUse('lambdaRequests'),
  'AWS::CloudTrail::Trail': perUse('cloudTrailDataEvents'),
  'AWS::CloudWatch::Alarm': fixed('alarmMetricMonth'),
  'AWS::CloudWatch::CompositeAlarm': fixed('compositeAlarmMonth'),
  'AWS::CloudWatch::Dashboard': fixed('dashboardMonth'),
  'AWS::CodeStarNotifications::NotificationRule': CONFIG,
  'AWS::Cognito::UserPool': perUse('cognitoPlusMau'),
  'AWS::Cognito::UserPoolClient': both(['cognitoM2mClientMonth'], ['cognitoM2mTokens']),
  'AWS::Cognito::UserPoolDomain': CONFIG,
  'AWS::Cognito::UserPoolGroup': CONFIG,
  'AWS::Cognito::UserPoolResourceServer': CONFIG,
  'AWS::Config::ConfigurationRecorder': perUse('configItems'),
  'AWS::Config::DeliveryChannel': CONFIG,
  'AWS::DynamoDB::GlobalTable': both(['ddbWcuHour', 'ddbRcuHour'], ['ddbWriteRequests', 'ddbReadRequests', 'ddbPitrGbMonth']),
  'AWS::DynamoDB::Table': both(['ddbWcuHour', 'ddbRcuHour'], ['ddbWriteRequests', 'ddbReadRequests', 'ddbPitrGbMonth']),
  'AWS::EC2::EIP': fixed('publicIpv4Hour'),
  'AWS::EC2::FlowLog': perUse('vendedLogsGb'),
  'AWS::EC2::InternetGateway': CONFIG,
  'AWS::EC2::NatGateway': both(['natGatewayHour'], ['natGatewayGb']),
  'AWS::EC2::NetworkAcl': CONFIG,
  'AWS::EC2::NetworkAclEntry': CONFIG,
  'AWS::EC2::Route': CONFIG,
  'AWS::EC2::RouteTable': CONFIG,
  'AWS::EC2::SecurityGroup': CONFIG,
  'AWS::EC2::SecurityGroupEgress': CONFIG,
  'AWS::EC2::SecurityGroupIngress': CONFIG,
  'AWS::EC2::Subnet': CONFIG,
  'AWS::EC2::SubnetNetworkAclAssociation': CONFIG,
  'AWS::EC2::SubnetRouteTableAssociation': CONFIG,
  'AWS::EC2::VPC': CONFIG,
  'AWS::EC2::VPCEndpoint': both(['interfaceEndpointAzHour'], ['interfaceEndpointGb']),
  'AWS::EC2::VPCGatewayAttachment': CONFIG,
  'AWS::ECR::RegistryScanningConfiguration': perUse('inspectorEcrImage'),
  'AWS::ECR::Repository': perUse('ecrStorageGbMonth'),
  'AWS::ECS::Cluster': free('Fargate is charged per task'),
  'AWS::ECS::ClusterCapacityProviderAssociations': CONFIG,
  'AWS::ECS::Service': fixed('fargateVcpuHourX86', 'fargateGbHourX86', 'fargateVcpuHourArm', 'fargateGbHourArm'),
  'AWS::ECS::TaskDefinition': free('charged through the tasks its services run'),
  'AWS::ElasticLoadBalancingV2::Listener': CONFIG,
  'AWS::ElasticLoadBalancingV2::LoadBalancer': both(['nlbHour', 'albHour'], ['nlcuHour', 'lcuHour']),
  'AWS::ElasticLoadBalancingV2::TargetGroup': CONFIG,
  'AWS::Events::Rule': free('AWS service events to the default bus are free'),
  'AWS::GuardDuty::Detector': perUse('guardDutyEvents', 'guardDutyFargateVcpuMonth'),
  'AWS::IAM::InstanceProfile': IAM,
  'AWS::IAM::ManagedPolicy': IAM,
  'AWS::IAM::Policy': IAM,
  'AWS::IAM::Role': IAM,
  'AWS::IAM::ServiceLinkedRole': IAM,
  'AWS::Inspector::AssessmentTarget': perUse('inspectorEcrImage'),
  'AWS::InspectorV2::Filter': CONFIG,
  'AWS::KMS::Alias': CONFIG,
  'AWS::KMS::Key': both(['kmsKeyMonth'], ['kmsRequests']),
  'AWS::Lambda::EventInvokeConfig': CONFIG,
  'AWS::Lambda::Function': perUse('lambdaRequests', 'lambdaGbSecond'),
  'AWS::Lambda::Permission': CONFIG,
  'AWS::Logs::LogGroup': perUse('logsIngestGb', 'logsStorageGbMonth'),
  'AWS::Logs::MetricFilter': CONFIG,
  'AWS::Logs::ResourcePolicy': CONFIG,
  'AWS::Route53::HostedZone': fixed('hostedZoneMonth'),
  'AWS::Route53::RecordSet': free('queries to alias records of AWS resources are free'),
  'AWS::S3::Bucket': perUse('s3StorageGbMonth'),
  'AWS::S3::BucketPolicy': CONFIG,
  'AWS::SNS::Subscription': CONFIG,
  'AWS::SNS::Topic': perUse('snsRequests'),
  'AWS::SNS::TopicPolicy': CONFIG,
  'AWS::SQS::Queue': perUse('sqsRequests'),
  'AWS::SQS::QueuePolicy': CONFIG,
  'AWS::SecretsManager::Secret': fixed('secretMonth'),
  'AWS::SecurityHub::Hub': perUse('securityHubChecks', 'configItems'),
  'AWS::SecurityHub::Standard': perUse('securityHubChecks'),
  'AWS::ServiceDiscovery::HttpNamespace': perUse('cloudMapInstanceMonth'),
  'AWS::ServiceDiscovery::PrivateDnsNamespace': fixed('hostedZoneMonth'),
  'AWS::ServiceDiscovery::Service': CONFIG,
  'AWS::VpcLattice::AccessLogSubscription': CONFIG,
  'AWS::VpcLattice::AuthPolicy': CONFIG,
  'AWS::VpcLattice::Listener': CONFIG,
  'AWS::VpcLattice::Rule': CONFIG,
  'AWS::VpcLattice::Service': both(['latticeServiceHour'], ['latticeGb', 'latticeRequests']),
  'AWS::VpcLattice::ServiceNetwork': free('charged per service associated'),
  'AWS::VpcLattice::ServiceNetworkServiceAssociation': CONFIG,
  'AWS::VpcLattice::ServiceNetworkVpcAssociation': CONFIG,
  'AWS::VpcLattice::TargetGroup': CONFIG,
  'AWS::WAFv2::IPSet': CONFIG,
  'AWS::WAFv2::LoggingConfiguration': perUse('vendedLogsGb'),
  'AWS::WAFv2::WebACL': both(['webAclMonth', 'wafRuleMonth', 'botControlMonth'], ['wafRequests', 'botControlRequests']),
  'AWS::WAFv2::WebACLAssociation': CONFIG,
};

/** Custom resources (`Custom::*`) are Lambda invocations at deploy time. */
export function pricingOf(resourceType: string): ResourcePricing | undefined {
  if (resourceType.startsWith('Custom::')) return RESOURCE_PRICING['AWS::CloudFormation::CustomResource'];
  return RESOURCE_PRICING[resourceType];
}
