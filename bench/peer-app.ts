/**
 * The peer of the reference app for the end-to-end synth comparison (`npm run bench:peer`, issue #19): the same two
 * services (orders with a table and a bucket, payments with a bucket) behind a REST API with WAF and Cognito, composed
 * from AWS Solutions Constructs 2.104.0 the way a platform team would without this library, checked by the same five
 * cdk-nag packs as the reference app (registered directly as validation plugins: AwsSolutions, Serverless,
 * NIST.800.53.R5, PCI.DSS.321, HIPAA.Security). Run: `npx cdk synth --app "node --import tsx bench/peer-app.ts"`.
 *
 * Patterns: `WafwebaclToApiGateway` (the WAF pattern) and, per service, what the aws-fargate-dynamodb /
 * aws-fargate-s3 patterns build (their packages 2.104.0 are not on the registry this project reaches, so their
 * @aws-solutions-constructs/core builders are called the same way: `buildVpc` with the isolated defaults,
 * `CreateFargateService`, `buildDynamoDBTable`, `buildS3Bucket`, `AddAwsServiceEndpoint`), the core's `RegionalRestApi`
 * (access logs, CloudWatch role, usage plan) and `buildUserPool` / `buildUserPoolClient` (the Cognito pattern's
 * defaults). API Gateway reaches each service through one internal NLB and a VPC link, as the reference app does.
 *
 * The peer's own findings (64 rule ids with the patterns' defaults: open default security group, no ELB access logs or
 * certificates, no log-group encryption, wildcard grants, ...) are acknowledged on its stack by id (PEER_FINDINGS),
 * the way a team would before it ships, so the packs run in full over every resource and both apps exit 0. The
 * list is the peer's, found by running this app without it; it is not a review of them.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as defaults from '@aws-solutions-constructs/core';
import { WafwebaclToApiGateway } from '@aws-solutions-constructs/aws-wafwebacl-apigateway';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';

interface PeerService {
  readonly name: string;
  readonly table: boolean;
  readonly routes: readonly { readonly path: string; readonly method: string; readonly scope: string }[];
}

const SERVICES: readonly PeerService[] = [
  {
    name: 'orders',
    table: true,
    routes: [
      { path: 'orders/{id}', method: 'GET', scope: 'orders.read' },
      { path: 'orders', method: 'POST', scope: 'orders.write' },
    ],
  },
  { name: 'payments', table: false, routes: [{ path: 'payments/{id}', method: 'GET', scope: 'payments.read' }] },
];

const app = new App();
const stack = new Stack(app, 'PeerPlatform', { env: { region: String(app.node.tryGetContext('region') ?? 'eu-west-1') } });

const vpc = defaults.buildVpc(stack, {
  defaultVpcProps: defaults.DefaultIsolatedVpcProps(),
  constructVpcProps: { enableDnsHostnames: true, enableDnsSupport: true },
});
defaults.AddAwsServiceEndpoint(stack, vpc, defaults.ServiceEndpointTypes.DYNAMODB);

const userPool = defaults.buildUserPool(stack);
const resourceServer = userPool.addResourceServer('Api', {
  identifier: 'api',
  scopes: SERVICES.flatMap((s) =>
    s.routes.map((r) => new cognito.ResourceServerScope({ scopeName: r.scope, scopeDescription: `${s.name} ${r.method} ${r.path}` })),
  ),
});
defaults.buildUserPoolClient(stack, userPool, {
  userPool,
  generateSecret: true,
  oAuth: {
    flows: { clientCredentials: true },
    scopes: [
      cognito.OAuthScope.resourceServer(
        resourceServer,
        new cognito.ResourceServerScope({ scopeName: 'orders.read', scopeDescription: 'orders GET orders/{id}' }),
      ),
    ],
  },
});

const { api } = defaults.RegionalRestApi(stack);
const authorizer = new apigateway.CognitoUserPoolsAuthorizer(stack, 'Authorizer', { cognitoUserPools: [userPool] });
new WafwebaclToApiGateway(stack, 'Waf', { existingApiGatewayInterface: api });

const nlb = new elbv2.NetworkLoadBalancer(stack, 'ServicesNlb', {
  vpc,
  internetFacing: false,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
});
const vpcLink = new apigateway.VpcLink(stack, 'VpcLink', { targets: [nlb] });

SERVICES.forEach((service, i) => {
  const { service: fargate, containerDefinition } = defaults.CreateFargateService(stack, service.name, {
    constructVpc: vpc,
    ecrRepositoryArn: `arn:aws:ecr:${stack.region}:111122223333:repository/${service.name}`,
    ecrImageVersion: '1.0.0',
  });
  if (service.table) {
    const { tableInterface } = defaults.buildDynamoDBTable(stack, {});
    tableInterface.grantReadWriteData(fargate.taskDefinition.taskRole);
    containerDefinition.addEnvironment('DYNAMODB_TABLE_NAME', tableInterface.tableName);
  }
  const { bucket } = defaults.buildS3Bucket(stack, {}, `${service.name}Bucket`);
  bucket.grantReadWrite(fargate.taskDefinition.taskRole);
  containerDefinition.addEnvironment('S3_BUCKET_NAME', bucket.bucketName);

  const port = 8080 + i;
  const listener = nlb.addListener(`${service.name}Listener`, { port });
  listener.addTargets(`${service.name}Targets`, { port: 8080, targets: [fargate] });
  fargate.connections.allowFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(8080));

  for (const route of service.routes) {
    const resource = api.root.resourceForPath(`v1/${route.path}`);
    resource.addMethod(
      route.method,
      new apigateway.Integration({
        type: apigateway.IntegrationType.HTTP_PROXY,
        integrationHttpMethod: route.method,
        uri: `http://${nlb.loadBalancerDnsName}:${port}/${route.path}`,
        options: { connectionType: apigateway.ConnectionType.VPC_LINK, vpcLink },
      }),
      { authorizer, authorizationType: apigateway.AuthorizationType.COGNITO, authorizationScopes: [`api/${route.scope}`] },
    );
  }
});
defaults.AddAwsServiceEndpoint(stack, vpc, defaults.ServiceEndpointTypes.S3);

const COMPLIANCE = [
  'APIGWCacheEnabledAndEncrypted',
  'APIGWSSLEnabled',
  'CloudWatchLogGroupEncrypted',
  'CloudWatchLogGroupRetentionPeriod',
  'EC2RestrictedCommonPorts',
  'EC2RestrictedSSH',
  'ELBLoggingEnabled',
  'ELBv2ACMCertificateRequired',
  'IAMNoInlinePolicy',
  'S3BucketReplicationEnabled',
  'S3DefaultEncryptionKMS',
  'VPCDefaultSecurityGroupClosed',
  'WAFv2LoggingEnabled',
];
const PEER_FINDINGS: readonly string[] = [
  'Annotation::@aws-cdk/aws-ecs:shouldUseCircuitBreaker',
  ...[
    'APIG2',
    'COG1',
    'COG2',
    'COG8',
    'EC23',
    'ECS2',
    'ECS4',
    'ECS7',
    'ELB2',
    'IAM5[Action::s3:Abort*]',
    'IAM5[Action::s3:DeleteObject*]',
    'IAM5[Action::s3:GetBucket*]',
    'IAM5[Action::s3:GetObject*]',
    'IAM5[Action::s3:List*]',
    'IAM5[Resource::*]',
    'IAM5[Resource::<ordersBucketS3BucketD53B05EA.Arn>/*]',
    'IAM5[Resource::<paymentsBucketS3BucketF74EFC25.Arn>/*]',
    'IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:*]',
  ].map((r) => `AwsSolutions::AwsSolutions-${r}`),
  ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap((pack) =>
    [...COMPLIANCE, 'DynamoDBInBackupPlan', 'ELBDeletionProtectionEnabled'].map((r) => `${pack}::${pack}-${r}`),
  ),
  ...COMPLIANCE.map((r) => `PCI.DSS.321::PCI.DSS.321-${r}`),
  ...['APIGWDefaultThrottling', 'CloudWatchLogGroupRetentionPeriod'].map((r) => `Serverless::Serverless-${r}`),
];
for (const id of PEER_FINDINGS)
  Validations.of(stack).acknowledge({
    id,
    reason: 'Peer composition of the synth benchmark: a finding of the Solutions Constructs defaults, listed, not reviewed.',
  });

const packs = [
  new AwsSolutionsChecks(app, { verbose: true }),
  new ServerlessChecks(app, { verbose: true }),
  new NIST80053R5Checks(app, { verbose: true }),
  new PCIDSS321Checks(app, { verbose: true }),
  new HIPAASecurityChecks(app, { verbose: true }),
];
Validations.of(app).addPlugins(...packs);
app.synth();
