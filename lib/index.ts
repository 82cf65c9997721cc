/**
 * Constructs for a secure microservice platform and the synth-time security gate.
 * @packageDocumentation
 * @module cdk-secure-microservices
 */
// The public API of cdk-secure-microservices, grouped by capability. Internal helpers live in ./private and are
// not exported; the client-certificate tool (AWS SDK, x509) lives in ./cli and is never loaded from here, so
// loading the constructs needs only aws-cdk-lib, constructs and cdk-nag.

// Platform: the whole secure platform in one construct, per-environment stages and their profiles.
export * from './platform/secure-microservice-platform';
export * from './platform/platform-stage';
export * from './platform/profiles';

// Account security baseline: trail, CIS alarms, GuardDuty, Security Hub, Access Analyzer, Inspector (own stack).
export * from './baseline/account-security-baseline';
export * from './baseline/cis-alarms';

// Security gate: cdk-nag packs + PlatformChecks at synth time, acknowledgements, opt-outs, the security report.
export * from './checks/apply-security-checks';
export * from './checks/platform-checks';
export * from './checks/rule';
export * from './checks/rules';
export * from './checks/security-gate';
export * from './core/acknowledge';
export * from './core/opt-out';
export {
  SecurityReportPlugin,
  SecurityReportPluginProps,
  ReportedRule,
  SECURITY_REPORT_FILE,
  ARCHITECTURE_DOT_FILE,
  ARCHITECTURE_SVG_FILE,
} from './report/security-report';

// Idle cost: the price table and the estimate the security report's "Idle monthly cost" section uses.
export * from './cost/price-table';
export {
  estimateIdleCost,
  unpricedResourceTypes,
  CostResource,
  CostStack,
  IdleCostRow,
  PerUseItem,
  IdleCostEstimate,
  CheaperChoice,
  CHEAPER_CHOICES,
  IdleCostBudget,
  StageFacts,
  IdleCostStage,
  ChoiceSet,
  savingOf,
  applicableChoices,
  smallestFits,
  totalWith,
  budgetVerdict,
} from './cost/idle-cost';
export { readSynthesizedStacks } from './report/security-report';

// Network.
export * from './network/private-network';

// Encryption and logs.
export * from './encryption/platform-keys';
export { ALLOWED_RETENTION_DAYS } from './core/retention';
export * from './core/secure-log-group';

// Identity and API edge.
export * from './identity/platform-identity';
export {
  SecureApi,
  SecureApiProps,
  ThrottleOptions,
  UsageTierOptions,
  CustomAuthorizerOptions,
  AlarmThresholds,
  RouteOptions,
  RouteInfo,
  AddedRoute,
  ROUTE_METHODS,
  SECURITY_HEADERS,
  ApiResourcePolicyOptions,
  GENERIC_ERROR_RESPONSES,
  GenericErrorResponse,
} from './api/secure-api';
export { HTTP_METHODS, HttpMethod, RouteKey } from './api/route-key';
// The API model written at synth for csm-fuzz (cdk.out/api-model.json).
export {
  ApiModelPlugin,
  buildApiModel,
  toCfnJsonSchema,
  API_MODEL_FILE,
  API_MODEL_FORMAT_VERSION,
  ApiModel,
  ApiModelApi,
  ApiModelRoute,
  ApiModelParameter,
  ApiModelDomain,
} from './api/api-model';
export * from './api/api-firewall';

// PKI and mutual TLS (constructs only; the csm-certs tool is the `cdk-secure-microservices/certs` entry).
export * from './pki/private-certificate-authority';
export * from './pki/truststore';
export * from './pki/mutual-tls-domain';
export * from './pki/client-certificate-authorizer';

// Container runtime.
export * from './registry/secure-repository';
export * from './registry/registry-scanning';
export { ScanFindingAlerts, ScanFindingAlertsProps } from './registry/scan-finding-alerts';
export { PlatformRegistry, PlatformRegistryProps } from './registry/platform-registry';
export * from './compute/secure-fargate-service';
export {
  PrivateIntegrationGateway,
  PrivateIntegrationGatewayProps,
  InternalLoadBalancerOptions,
  MAX_LISTENERS_PER_NLB,
} from './compute/private-integration-gateway';
export * from './core/managed-policy-role';

// Storage.
export * from './storage/secure-bucket';
export * from './storage/secure-table';

// Delivery: CDK Pipelines with the gate, reports, fuzzing after non-prod deploys and approval before prod.
export * from './pipeline/platform-pipeline';
export * from './pipeline/fuzz-access';

// Testing helpers: synthesize through the gate, cfn-lint, a snapshot serializer that strips asset hashes.
export * as testing from './testing';
