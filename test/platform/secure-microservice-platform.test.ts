import * as fs from 'node:fs';
import { Duration, Stack } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AccountSecurityBaseline } from '../../lib/baseline/account-security-baseline';
import { PlatformStage, PlatformStageProps } from '../../lib/platform/platform-stage';
import { decodeRouteScopes } from '../../lib/pki/route-map';
import { estimateIdleCost, IDLE_COST_BUDGET_METADATA_TYPE } from '../../lib/cost/idle-cost';
import { PLATFORM_PROFILES } from '../../lib/platform/profiles';
import { SecureMicroservicePlatform, SecureMicroservicePlatformProps } from '../../lib/platform/secure-microservice-platform';
import { expectNoFindings, expectReasonedAcknowledgements, newApp, newStack, synthWithGate } from '../support/harness';
import { PlatformProfileName } from '../../lib/platform/profiles';
import { SecureBucket } from '../../lib/storage/secure-bucket';
import { SecureTable } from '../../lib/storage/secure-table';

const BASE: Omit<SecureMicroservicePlatformProps, 'environmentName'> = {
  serviceDomain: 'internal.example.com',
  serviceCertificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  s3PrefixListId: 'pl-6da54004',
  dynamoDbPrefixListId: 'pl-6fa54006',
};
const MTLS = { domainName: 'api.example.com', certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000001' };

function platform(props: Partial<SecureMicroservicePlatformProps> = {}) {
  const stack = newStack('PlatformTest');
  const p = new SecureMicroservicePlatform(stack, 'Platform', { ...BASE, environmentName: 'test', ...props });
  return { stack, platform: p };
}

function addOrdersAndPayments(p: SecureMicroservicePlatform) {
  const orders = p.addService('orders', {
    imageTag: '1.0.0',
    table: true,
    machineClients: { billing: ['api/orders.read'] },
    routes: [{ version: 'v1', path: '/orders/{id}', method: 'GET', scopes: ['api/orders.read'] }],
  });
  const payments = p.addService('payments', {
    imageTag: '2.1.0',
    bucket: { withoutReplication: { reason: 'test: payment receipts are a regional working copy' } },
    allowFrom: ['orders'],
    cpuArchitecture: ecs.CpuArchitecture.ARM64,
    routes: [{ version: 'v2', path: '/payments', method: 'POST', scopes: ['api/payments.write'], requestModel: { type: 'object' as never } }],
  });
  return { orders, payments };
}

describe('SecureMicroservicePlatform with mTLS (wiring)', () => {
  let parent: Template;
  let services: Template;
  let built: ReturnType<typeof addOrdersAndPayments>;
  let p: SecureMicroservicePlatform;

  beforeAll(() => {
    const made = platform({ mutualTls: MTLS, servicesPerStack: 2, userAttributeClaims: ['tenant'] });
    const stack = made.stack;
    p = made.platform;
    built = addOrdersAndPayments(p);
    parent = Template.fromStack(stack);
    services = Template.fromStack(built.orders.stack);
  });

  it('groups services into nested stacks of servicesPerStack', () => {
    expect(built.orders.stack).toBe(built.payments.stack);
    parent.resourceCountIs('AWS::CloudFormation::Stack', 1);
    services.resourceCountIs('AWS::ECS::Service', 2);
    services.resourceCountIs('AWS::ECR::Repository', 2);
  });

  it('shares one internal NLB and VPC link in the platform stack: each service listens on 8443 + its index, API calls name the port', () => {
    parent.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    parent.resourceCountIs('AWS::ApiGateway::VpcLink', 1);
    services.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    services.resourceCountIs('AWS::ApiGateway::VpcLink', 0);
    const [gateway] = p.privateIntegrationGateways;
    expect(p.privateIntegrationGateways).toHaveLength(1);
    expect(Stack.of(gateway)).toBe(Stack.of(p));
    // The nested stack receives the load balancer's ARN as one parameter that both listeners use.
    const listeners = Object.values(services.findResources('AWS::ElasticLoadBalancingV2::Listener')).map((r) => r.Properties);
    expect(listeners.map((l) => l.Port)).toEqual([8443, 8444]);
    expect(listeners[0].LoadBalancerArn).toEqual({ Ref: expect.stringMatching(/PrivateIntegration1LoadBalancer/) });
    expect(listeners[1].LoadBalancerArn).toEqual(listeners[0].LoadBalancerArn);
    expect([built.orders.service.listenerPort, built.payments.service.listenerPort]).toEqual([8443, 8444]);
    const uris = Object.values(services.findResources('AWS::ApiGateway::Method'))
      .map((m) => m.Properties.Integration?.Uri)
      .filter(Boolean)
      .sort();
    expect(uris).toEqual(['https://orders.internal.example.com:8443/orders/{id}', 'https://payments.internal.example.com:8444/payments']);
    const fromGateway = Object.values(services.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r) => r.Properties)
      .filter((q) => /PrivateIntegration1LoadBalancerSecurityGroup/.test(JSON.stringify(q.SourceSecurityGroupId)));
    expect(fromGateway.map((q) => [q.FromPort, q.GroupId['Fn::GetAtt'][0]])).toEqual([
      [8443, expect.stringMatching(/^ordersServiceSecurityGroup/)],
      [8443, expect.stringMatching(/^paymentsServiceSecurityGroup/)],
    ]);
  });

  it('starts a new gateway (ports from 8443) every servicesPerGateway services, whatever the nested stacks', () => {
    const { platform: q } = platform({ servicesPerStack: 2, servicesPerGateway: 3 });
    addOrdersAndPayments(q);
    const third = q.addService('shipping', { imageTag: '1.0.0' });
    const fourth = q.addService('returns', { imageTag: '1.0.0' });
    expect(q.privateIntegrationGateways).toHaveLength(2);
    expect([third.service.listenerPort, fourth.service.listenerPort]).toEqual([8445, 8443]);
    expect(third.service.privateIntegrationGateway).toBe(q.privateIntegrationGateways[0]);
    expect(fourth.service.privateIntegrationGateway).toBe(q.privateIntegrationGateways[1]);
    expect(third.stack).toBe(fourth.stack);
    const t = Template.fromStack(third.stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    expect(Object.values(t.findResources('AWS::ElasticLoadBalancingV2::Listener')).map((r) => r.Properties.Port)).toEqual([8445, 8443]);
  });

  it('shares per platform what can be shared: one image-finding rule for the repositories by prefix, one Service Connect TLS role', () => {
    const imageRules = Object.values(parent.findResources('AWS::Events::Rule')).filter((r) =>
      JSON.stringify(r.Properties.EventPattern).includes('ECR Image Scan'),
    );
    expect(imageRules).toHaveLength(1);
    services.resourceCountIs('AWS::Events::Rule', 0);
    services.resourceCountIs('AWS::SQS::Queue', 0);
    parent.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr', 'aws.inspector2'],
        'detail-type': ['ECR Image Scan', 'Inspector2 Finding'],
        detail: {
          $or: Match.arrayWith([
            Match.objectLike({ 'repository-name': [{ prefix: 'test/' }] }),
            Match.objectLike({ resources: { details: { awsEcrContainerImage: { repositoryName: [{ prefix: 'test/' }] } } } }),
          ]),
        },
      },
    });
    expect(built.orders.repository.scanFindingsRule).toBe(built.payments.repository.inspectorFindingsRule);
    expect(built.orders.service.serviceConnectTlsRole).toBe(built.payments.service.serviceConnectTlsRole);
    expect(Stack.of(built.orders.service.serviceConnectTlsRole)).toBe(Stack.of(p));
    const tlsRoles = JSON.stringify(
      Object.values(services.findResources('AWS::ECS::Service')).map((r) => r.Properties.ServiceConnectConfiguration.Services[0].Tls.RoleArn),
    );
    expect(tlsRoles.match(/ServiceConnectTlsRole/g)).toHaveLength(2);
  });

  it("shares one execution role per nested stack, scoped to that stack's repositories and log groups; never the task roles", () => {
    expect(built.orders.service.executionRole).toBe(built.payments.service.executionRole);
    expect(built.orders.service.taskRole).not.toBe(built.payments.service.taskRole);
    const roles = Object.values(services.findResources('AWS::IAM::Role'));
    expect(roles.filter((r) => /image pull/.test(r.Properties.Description))).toHaveLength(1);
    const executionPolicies = Object.values(services.findResources('AWS::IAM::ManagedPolicy')).filter((r) =>
      JSON.stringify(r).includes('ecr:BatchGetImage'),
    );
    expect(executionPolicies).toHaveLength(1);
    const pulls = executionPolicies[0].Properties.PolicyDocument.Statement.filter((st: { Action: string[] }) =>
      [st.Action].flat().includes('ecr:BatchGetImage'),
    ).map((st: { Resource: unknown }) => st.Resource);
    // The stack's repositories and GuardDuty's runtime agent (injected into every task by runtime monitoring), merged
    // into one statement per kind of grant (a managed policy holds 6,144 characters; 10 services must fit).
    expect(pulls).toEqual([
      [
        { 'Fn::GetAtt': [expect.stringMatching(/^ordersRepository/), 'Arn'] },
        { 'Fn::GetAtt': [expect.stringMatching(/^paymentsRepository/), 'Arn'] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:', { Ref: 'AWS::Region' }, ':*:repository/aws-guardduty-agent-fargate']] },
      ],
    ]);
    expect(executionPolicies[0].Properties.PolicyDocument.Statement).toHaveLength(3);
    expect(JSON.stringify(executionPolicies[0])).not.toMatch(/s3:|dynamodb:/);
  });

  it('serves the API only on the mTLS domain: truststore from the platform CA, execute-api endpoint disabled, root mapping', () => {
    parent.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      SecurityPolicy: 'TLS_1_2',
      MutualTlsAuthentication: { TruststoreUri: Match.anyValue(), TruststoreVersion: Match.anyValue() },
    });
    parent.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    parent.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    parent.resourceCountIs('AWS::ACMPCA::CertificateAuthority', 1);
  });

  it("creates each route's API resources, method and model in its service's nested stack; the deployment depends on them", () => {
    parent.resourceCountIs('AWS::ApiGateway::Method', 0);
    parent.resourceCountIs('AWS::ApiGateway::Model', 0);
    // Only the version resources (/v1, /v2) stay in the platform stack: every service shares them.
    expect(
      Object.values(parent.findResources('AWS::ApiGateway::Resource'))
        .map((r) => r.Properties.PathPart)
        .sort(),
    ).toEqual(['v1', 'v2']);
    expect(
      Object.values(services.findResources('AWS::ApiGateway::Resource'))
        .map((r) => r.Properties.PathPart)
        .sort(),
    ).toEqual(['orders', 'payments', '{id}']);
    services.resourceCountIs('AWS::ApiGateway::Model', 1);
    const nestedStackId = Object.keys(parent.findResources('AWS::CloudFormation::Stack'))[0];
    const [deployment] = Object.values(parent.findResources('AWS::ApiGateway::Deployment'));
    expect(deployment.DependsOn).toContain(nestedStackId);
  });

  it('authorizes every route with the revocation-aware authorizer, which knows each route and its scopes', () => {
    const methods = Object.values(services.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.HttpMethod !== 'OPTIONS');
    expect(methods).toHaveLength(2);
    for (const m of methods) expect(m.Properties.AuthorizationType).toBe('CUSTOM');
    const [authorizerFn] = Object.values(
      parent.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { ROUTE_SCOPES: Match.anyValue() } } } }),
    );
    expect(decodeRouteScopes(authorizerFn.Properties.Environment.Variables.ROUTE_SCOPES)).toEqual({
      'GET /v1/orders/{id}': ['api/orders.read'],
      'POST /v2/payments': ['api/payments.write'],
    });
  });

  it("ABAC: every route sets x-user-tenant from the mTLS authorizer's verified claim, which the authorizer is told to forward", () => {
    const methods = Object.values(services.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.HttpMethod !== 'OPTIONS');
    expect(methods).toHaveLength(2);
    for (const m of methods) {
      expect(m.Properties.Integration.RequestParameters).toMatchObject({
        'integration.request.header.x-user-tenant': 'context.authorizer.claim_tenant',
      });
    }
    const [authorizerFn] = Object.values(
      parent.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { ROUTE_SCOPES: Match.anyValue() } } } }),
    );
    expect(authorizerFn.Properties.Environment.Variables.FORWARDED_CLAIMS).toBe('tenant');
    parent.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([Match.objectLike({ Name: 'tenant' })]),
      LambdaConfig: { PreTokenGenerationConfig: Match.objectLike({ LambdaVersion: 'V2_0' }) },
    });
  });

  it('outputs what operators and clients need: CA ARN (csm-certs --ca-arn), deny-list table (csm-certs revoke), API endpoint', () => {
    const outputs = parent.findOutputs('*');
    const byId = (re: RegExp) => Object.entries(outputs).find(([id]) => re.test(id))?.[1];
    expect(byId(/CertificateAuthorityArn/)?.Description).toBe('csm-certs --ca-arn');
    expect(byId(/DenyListTableName/)?.Value).toEqual({ Ref: expect.stringMatching(/DenyList/) });
    expect(byId(/PlatformApiUrl/)?.Value).toBe('https://api.example.com');
    expect(byId(/CertificateOperatorPolicyArn/)?.Value).toEqual({ Ref: expect.stringMatching(/CertificateOperatorPolicy/) });
  });

  it('gives csm-certs operators a policy that issues client certificates only, and syncs revocations made elsewhere', () => {
    const operator = Object.entries(parent.findResources('AWS::IAM::ManagedPolicy')).find(([id]) => id.includes('CertificateOperatorPolicy'))![1];
    const statements = operator.Properties.PolicyDocument.Statement as { Action: string | string[]; Condition?: unknown }[];
    expect(statements.find((st) => st.Action === 'acm-pca:IssueCertificate')?.Condition).toEqual({
      StringEquals: {
        'acm-pca:TemplateArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':acm-pca:::template/EndEntityClientAuthCertificate/V1']] },
      },
    });
    expect(statements.flatMap((st) => [st.Action].flat())).toEqual(
      expect.arrayContaining(['acm-pca:RevokeCertificate', 'dynamodb:PutItem', 'dynamodb:GetItem']),
    );
    // No CRL is published by default, so there is none to read.
    expect(statements.flatMap((st) => [st.Action].flat())).not.toContain('s3:GetObject');
    parent.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ eventName: ['RevokeCertificate'] }) }),
    });
  });

  it("publishes the services' scopes on one resource server per scope group (platform stack), machine clients in the nested stack", () => {
    parent.resourceCountIs('AWS::Cognito::UserPoolResourceServer', 1);
    services.resourceCountIs('AWS::Cognito::UserPoolResourceServer', 0);
    parent.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'api',
      Scopes: ['orders.read', 'orders.write', 'payments.read', 'payments.write'].map((name) => ({
        ScopeName: name,
        ScopeDescription: `${name} on api`,
      })),
    });
    expect(built.orders.scopes).toEqual(['api/orders.read', 'api/orders.write']);
    expect(built.orders.resourceServer).toBe(built.payments.resourceServer);
    services.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'billing',
      AllowedOAuthFlows: ['client_credentials'],
      GenerateSecret: true,
    });
  });

  it("uses the platform CA for Service Connect TLS, and images from the services' own repositories", () => {
    const ecsServices = Object.values(services.findResources('AWS::ECS::Service'));
    expect(ecsServices).toHaveLength(2);
    const tls = ecsServices.map((svc) => svc.Properties.ServiceConnectConfiguration.Services[0].Tls);
    // Both name the one platform CA (a reference into the platform stack, not a literal) and encrypt with the data key.
    expect(tls[0].IssuerCertificateAuthority.AwsPcaAuthorityArn).toEqual({ Ref: expect.stringMatching(/^referenceto\w*PlatformCa\w*Arn$/) });
    expect(tls[1].IssuerCertificateAuthority).toEqual(tls[0].IssuerCertificateAuthority);
    expect(tls[0].KmsKey).toEqual(tls[1].KmsKey);
    services.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Image: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':2.1.0'])] }) })],
    });
  });

  it('runs each service on the CPU architecture it asks for (x86 by default, Graviton for payments)', () => {
    const platforms = Object.values(services.findResources('AWS::ECS::TaskDefinition')).map((t) => [
      JSON.stringify(t.Properties.ContainerDefinitions[0].Image).match(/:(\d\.\d\.\d)/)?.[1],
      t.Properties.RuntimePlatform,
    ]);
    expect(platforms).toEqual([
      ['1.0.0', { OperatingSystemFamily: 'LINUX', CpuArchitecture: 'X86_64' }],
      ['2.1.0', { OperatingSystemFamily: 'LINUX', CpuArchitecture: 'ARM64' }],
    ]);
  });

  it('grants each service exactly its own storage', () => {
    expect(built.orders.table).toBeInstanceOf(SecureTable);
    expect(built.orders.bucket).toBeUndefined();
    expect(built.payments.bucket).toBeInstanceOf(SecureBucket);
    const policies = JSON.stringify(services.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toMatch(/dynamodb:PutItem/);
    expect(policies).toMatch(/s3:PutObject/);
  });

  it('adds no rule per service to the shared endpoint security group (its 60-rule quota); services get egress to it only', () => {
    const ingress443 = Object.values(services.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => r.Properties.FromPort === 443);
    expect(ingress443).toEqual([]);
    const egress = Object.values(services.findResources('AWS::EC2::SecurityGroupEgress')).filter(
      (e) => e.Properties.Description === 'AWS APIs through the VPC interface endpoints',
    );
    expect(egress).toHaveLength(2);
    for (const e of egress) expect(e.Properties).toMatchObject({ FromPort: 443, ToPort: 443, DestinationSecurityGroupId: expect.anything() });
  });

  it('lets payments be called by orders only: a VPC Lattice auth policy naming the orders task role, no peer rule on the Service Connect port', () => {
    const peerRules = Object.values(services.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => r.Properties.FromPort === 15443);
    expect(peerRules).toEqual([]);
    const [policy] = Object.values(services.findResources('AWS::VpcLattice::AuthPolicy'));
    expect(policy.Properties.Policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'vpc-lattice-svcs:Invoke',
        Principal: { AWS: [{ 'Fn::GetAtt': [expect.stringMatching(/^ordersServiceTaskRole/), 'Arn'] }] },
      }),
    ]);
    expect(p.serviceNetwork?.services.has('payments')).toBe(true);
    expect(p.serviceNetwork?.services.has('orders')).toBe(false);
  });
});

describe('SecureMicroservicePlatform without mTLS', () => {
  it('uses the Cognito authorizer with the route scopes and keeps one entry (no custom domain)', () => {
    const { stack, platform: p } = platform({ userAttributeClaims: ['tenant'] });
    const { orders } = addOrdersAndPayments(p);
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::DomainName', 0);
    const t = Template.fromStack(orders.stack);
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      Integration: Match.objectLike({
        RequestParameters: Match.objectLike({ 'integration.request.header.x-user-tenant': 'context.authorizer.claims.tenant' }),
      }),
    });
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizationScopes: ['api/orders.read'],
    });
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizationScopes: ['api/payments.write'],
      ApiKeyRequired: true,
    });
  });
});

describe('SecureMicroservicePlatform Cognito domain', () => {
  it('defaults to a prefix unique per account and environment (prefixes are global across AWS customers)', () => {
    const { stack, platform: p } = platform();
    addOrdersAndPayments(p);
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['-', ['csm-test', { Ref: 'AWS::AccountId' }]] },
    });
  });

  it('takes an explicit prefix', () => {
    const { stack, platform: p } = platform({ cognitoDomainPrefix: 'acme-payments-test' });
    addOrdersAndPayments(p);
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-payments-test' });
  });
});

describe('SecureMicroservicePlatform with existing VPC, user pool and CA (through the gate)', () => {
  it('creates none of them and still passes every pack', () => {
    const stack = newStack('Existing');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidrBlock: '10.1.0.0/16',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      isolatedSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    });
    const endpoints = ec2.SecurityGroup.fromSecurityGroupId(stack, 'EndpointSg', 'sg-0123456789abcdef0');
    const p = new SecureMicroservicePlatform(stack, 'Platform', {
      ...BASE,
      environmentName: 'existing',
      existingNetwork: { vpc, endpoints },
      existingUserPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_EXAMPLE01'),
      existingCertificateAuthority: {
        certificateAuthority: acmpca.CertificateAuthority.fromCertificateAuthorityArn(
          stack,
          'Ca',
          'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555',
        ),
        chainPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      },
    });
    p.addService('orders', { imageTag: '1.0.0', routes: [{ version: 'v1', path: '/orders', method: 'GET', scopes: ['api/orders.read'] }] });
    // An existing (Control Tower) account: the organization runs the baseline's parts, recorded with the reason.
    const reason = { reason: 'Control Tower account: the delegated administrator runs this for the organization.' };
    new AccountSecurityBaseline(stack, 'Baseline', {
      name: 'existing',
      organizationManaged: { trail: reason, config: reason, guardDuty: reason, securityHub: reason, accessAnalyzer: reason, inspector: reason },
    });
    expect(p.network).toBeUndefined();
    expect(p.ca).toBeUndefined();
    const result = synthWithGate(stack);
    expectNoFindings(result);
    expectReasonedAcknowledgements(result);
    result.template.resourceCountIs('AWS::EC2::VPC', 0);
    result.template.resourceCountIs('AWS::Cognito::UserPool', 0);
    result.template.resourceCountIs('AWS::ACMPCA::CertificateAuthority', 0);
    // What the idle-cost choices `existingCertificateAuthority` and `existingNetwork` say they save is gone from the bill.
    const rows = estimateIdleCost([{ stackPath: 'Existing', resources: result.template.toJSON().Resources }]).rows;
    expect(rows.filter((r) => r.resourceType === 'AWS::ACMPCA::CertificateAuthority' || r.price === 'interfaceEndpointAzHour')).toEqual([]);
    expect(rows.map((r) => r.resourceType)).toContain('AWS::WAFv2::WebACL');
    // Each one brought in is a recorded weakening: the report lists what the gate no longer checks.
    const report = fs.readFileSync(`${result.assemblyDir}/security-report.md`, 'utf8');
    for (const [prop, unchecked] of [
      ['existingNetwork', 'flow logs, endpoint policies'],
      ['existingUserPool', 'MFA, threat protection'],
      ['existingCertificateAuthority', 'revocation (CRL/OCSP)'],
    ]) {
      expect(report).toMatch(
        new RegExp(`\\| gate checks of [^|]*${unchecked.replace(/[()/]/g, '\\$&')}[^|]* \\| \`Existing/Platform\` \\| ${prop} was given`),
      );
    }
  });
});

describe('profile log retention floor', () => {
  it('is recorded for the gate (prod: 365 days) and a profile may only raise it', () => {
    const prod = new SecureMicroservicePlatform(newStack('Floor'), 'Platform', {
      ...BASE,
      environmentName: 'prod',
      profile: PLATFORM_PROFILES.prod,
      alarmEmails: ['oncall@example.com'],
    });
    expect(prod.node.metadata.find((m) => m.type === 'cdk-secure-microservices:log-retention-floor')?.data).toBe(365);
    const custom = (profile: Partial<typeof PLATFORM_PROFILES.dev>) => () =>
      new SecureMicroservicePlatform(newStack('Custom'), 'Platform', {
        ...BASE,
        environmentName: 'dev',
        profile: { ...PLATFORM_PROFILES.dev, ...profile },
      });
    expect(custom({ minimumLogRetention: Duration.days(30) })).toThrow(
      /invalid profile\.minimumLogRetention \(received "Duration.days\(30\)"\).*may only raise that floor.*Fix: use Duration\.days\(n\) with n a whole number of at least 90/,
    );
    expect(custom({ minimumLogRetention: Duration.hours(24 * 365 + 6) })).toThrow(
      /invalid profile\.minimumLogRetention \(received "Duration.hours\(8766\)"\): must be a whole number of days \(365 days 6 hours is 365\.25 days\)/,
    );
    expect(custom({ minimumLogRetention: Duration.days(365), logRetention: Duration.days(180) })).toThrow(
      /invalid profile\.logRetention \(received "Duration.days\(180\)"\): below the profile's minimumLogRetention \(365 days\)/,
    );
    expect(custom({ logRetention: Duration.days(100) })).toThrow(
      /invalid profile\.logRetention \(received "Duration.days\(100\)"\): CloudWatch Logs accepts only a fixed set of finite retention periods/,
    );
  });
});

describe('PlatformStage profiles', () => {
  function stage(profile: PlatformProfileName, extra: Partial<PlatformStageProps> = {}) {
    const s = new PlatformStage(newApp(), profile === 'prod' ? 'prod' : 'dev', { ...BASE, profile, ...extra });
    s.platform.addService('orders', { imageTag: '1.0.0', routes: [{ version: 'v1', path: '/orders', method: 'GET', scopes: ['api/orders.read'] }] });
    return s;
  }

  it('a platform without routes fails synth with the fix', () => {
    const s = new PlatformStage(newApp(), 'dev', { ...BASE, profile: 'dev' });
    expect(() => Template.fromStack(s.stack)).toThrow(
      /the platform has no route, so its API would be empty\. Fix: add a service with at least one route/,
    );
  });

  it('dev: 2 AZs (interface endpoints in one), short-lived CA, 90-day logs, a $150 idle budget recorded for the report', () => {
    const s = stage('dev');
    const t = Template.fromStack(s.stack);
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    const endpoints = Object.values(t.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }));
    expect(endpoints.length).toBeGreaterThan(0);
    for (const e of endpoints) expect(e.Properties.SubnetIds).toHaveLength(1);
    expect(s.platform.node.metadata.find((m) => m.type === IDLE_COST_BUDGET_METADATA_TYPE)?.data).toEqual({ monthlyUsd: 150 });
    t.hasResourceProperties('AWS::ACMPCA::CertificateAuthority', { UsageMode: 'SHORT_LIVED_CERTIFICATE' });
    t.resourceCountIs('AWS::ACMPCA::CertificateAuthority', 1);
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: PLATFORM_PROFILES.dev.logRetention.toDays() });
    expect(s.stack.terminationProtection).toBe(false);
  });

  it('prod: 3 AZs, general-purpose root + issuing CA, 2-year logs, alarms routed by e-mail with a dead-letter queue, termination protection', () => {
    const s = stage('prod', { alarmEmails: ['oncall@example.com'], env: { account: '111122223333', region: 'eu-west-1' } });
    const t = Template.fromStack(s.stack);
    t.resourceCountIs('AWS::EC2::Subnet', 3);
    const endpoints = Object.values(t.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }));
    expect(endpoints.length).toBeGreaterThan(0);
    for (const e of endpoints) expect(e.Properties.SubnetIds).toHaveLength(3);
    expect(s.platform.node.metadata.some((m) => m.type === IDLE_COST_BUDGET_METADATA_TYPE)).toBe(false);
    t.resourceCountIs('AWS::ACMPCA::CertificateAuthority', 2);
    t.hasResourceProperties('AWS::ACMPCA::CertificateAuthority', { UsageMode: 'GENERAL_PURPOSE' });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', RedrivePolicy: Match.anyValue() });
    expect(s.stack.terminationProtection).toBe(true);
    expect(Stack.of(s.platform).account).toBe('111122223333');
  });

  it('puts the repositories in <env>/Registry, which <env>/Platform depends on and references (no repository next to the services)', () => {
    const s = stage('dev');
    expect(s.registryStack.stackName).toBe('dev-Registry');
    expect(s.stack.dependencies).toContain(s.registryStack);
    Template.fromStack(s.registryStack).hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'dev/orders' });
    const service = s.platform.services.get('orders')!;
    expect(service.repository).toBe(s.registry.repositories.get('orders'));
    Template.fromStack(service.stack).resourceCountIs('AWS::ECR::Repository', 0);
    Template.fromStack(s.stack).resourceCountIs('AWS::ECR::Repository', 0);
  });

  it('rejects an unknown profile', () => {
    // A JavaScript caller (or a cdk.json value) can pass any string.
    expect(() => stage('staging' as PlatformProfileName)).toThrow(
      /invalid profile \(received "staging"\): unknown profile\. Fix: use one of dev, prod/,
    );
  });

  it('creates the account baseline stack first: dev locks the trail 90 days (governance), prod 365 days (compliance)', () => {
    const dev = stage('dev');
    expect(dev.baselineStack!.node.path).toBe('dev/Baseline');
    expect(dev.stack.dependencies).toContain(dev.baselineStack);
    const devBaseline = Template.fromStack(dev.baselineStack!);
    devBaseline.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 90 } } },
    });
    devBaseline.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    devBaseline.resourceCountIs('AWS::CloudTrail::Trail', 1);
    // Data events of the buckets and tables CloudFormation names after the platform stack (nested stacks included).
    devBaseline.hasResourceProperties('AWS::CloudTrail::Trail', {
      AdvancedEventSelectors: Match.arrayWith([
        Match.objectLike({
          FieldSelectors: Match.arrayWith([
            { Field: 'resources.ARN', StartsWith: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::dev-platform-']] }] },
          ]),
        }),
        Match.objectLike({ FieldSelectors: Match.arrayWith([{ Field: 'resources.type', Equals: ['AWS::DynamoDB::Table'] }]) }),
      ]),
    });
    const prod = stage('prod', { alarmEmails: ['oncall@example.com'] });
    const prodBaseline = Template.fromStack(prod.baselineStack!);
    prodBaseline.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
    });
    prodBaseline.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
    prodBaseline.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    expect(prod.baselineStack!.terminationProtection).toBe(true);
  });

  it('passes organization-managed parts to the baseline, or skips it with a recorded reason', () => {
    const reason = 'Control Tower: GuardDuty is run by the delegated administrator.';
    const managed = stage('dev', { accountBaseline: { organizationManaged: { guardDuty: { reason } } } });
    Template.fromStack(managed.baselineStack!).resourceCountIs('AWS::GuardDuty::Detector', 0);
    const skipped = stage('dev', {
      withoutAccountBaseline: { reason: 'The dev environment in this account and region already deploys the baseline.' },
    });
    expect(skipped.baselineStack).toBeUndefined();
    expect(skipped.node.metadata.map((m) => m.type)).toContain('cdk-secure-microservices:opt-out');
    expect(() => stage('dev', { accountBaseline: {}, withoutAccountBaseline: { reason } })).toThrow(
      /invalid withoutAccountBaseline .*accountBaseline and withoutAccountBaseline were both given/,
    );
  });
});

describe('SecureMicroservicePlatform routes', () => {
  it('passes a route throttle to the API stage (tighter limits for writes)', () => {
    const { stack, platform: p } = platform();
    p.addService('orders', {
      imageTag: '1.0.0',
      routes: [
        {
          version: 'v1',
          path: '/orders',
          method: 'POST',
          scopes: ['api/orders.write'],
          requestModel: { type: 'object' as never },
          throttle: { rateLimit: 5, burstLimit: 10 },
        },
      ],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ResourcePath: '/~1v1~1orders', HttpMethod: 'POST', ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 }),
      ]),
    });
  });
});

describe('SecureMicroservicePlatform rejects bad input with prop, value and fix', () => {
  it.each<[string, Partial<SecureMicroservicePlatformProps>, RegExp]>([
    ['environment name', { environmentName: 'Dev_1' }, /invalid environmentName \(received "Dev_1"\)/],
    ['servicesPerStack 0', { servicesPerStack: 0 }, /invalid servicesPerStack \(received 0\).*Fix: use a whole number between 1 and 10/],
    ['prod without alarm routing', { profile: PLATFORM_PROFILES.prod }, /invalid alarmEmails \(received \[\]\).*Fix: give at least one address/],
    ['bad e-mail', { alarmEmails: ['oncall'] }, /invalid alarmEmails \(received "oncall"\): not an e-mail address/],
    [
      'service certificate not an ACM ARN',
      { serviceCertificateArn: 'arn:aws:iam::111122223333:server-certificate/x' },
      /invalid serviceCertificateArn.*not an ACM certificate ARN/,
    ],
    [
      'mTLS certificate not an ACM ARN',
      { mutualTls: { domainName: 'api.example.com', certificateArn: 'cert-1' } },
      /invalid mutualTls\.certificateArn \(received "cert-1"\)/,
    ],
    [
      'idle budget not positive',
      { profile: { ...PLATFORM_PROFILES.dev, idleMonthlyBudgetUsd: 0 } },
      /invalid profile\.idleMonthlyBudgetUsd \(received 0\): an idle budget is a positive amount of USD per month\. Fix: use e\.g\. 150/,
    ],
    [
      'prefix list id',
      { s3PrefixListId: 'com.amazonaws.eu-west-1.s3' },
      /invalid s3PrefixListId \(received "com\.amazonaws\.eu-west-1\.s3"\): not a managed prefix list id\. Fix: set it to the id this prints for the target region: aws ec2 describe-managed-prefix-lists --region <region> --filters Name=prefix-list-name,Values=com\.amazonaws\.<region>\.s3/,
    ],
    [
      'DynamoDB prefix list id',
      { dynamoDbPrefixListId: 'pl-XYZ' },
      /invalid dynamoDbPrefixListId \(received "pl-XYZ"\).*Values=com\.amazonaws\.<region>\.dynamodb/,
    ],
    [
      'servicesPerGateway 0',
      { servicesPerGateway: 0 },
      /invalid servicesPerGateway \(received 0\): a shared load balancer holds 1 to 50 listeners.*Fix: use a whole number between 1 and 50/,
    ],
    ['servicesPerGateway 51', { servicesPerGateway: 51 }, /invalid servicesPerGateway \(received 51\)/],
  ])('%s', (_name, props, message) => {
    expect(() => platform(props)).toThrow(message);
  });

  it('a service with a table needs the DynamoDB prefix list (its only route to DynamoDB from an isolated subnet)', () => {
    const { platform: p } = platform({ dynamoDbPrefixListId: undefined });
    expect(() => p.addService('orders', { imageTag: '1.0.0', table: true })).toThrow(
      /invalid dynamoDbPrefixListId \(received undefined\): service "orders" has a table.*Fix: set it to the id this prints/,
    );
  });

  it('without a registry, the repository sits next to its service and synth warns that a first deploy cannot start it', () => {
    const { stack, platform: p } = platform();
    const built = p.addService('orders', { imageTag: '1.0.0', routes: [{ version: 'v1', path: '/orders', method: 'GET', scopes: ['orders/read'] }] });
    Template.fromStack(built.stack).resourceCountIs('AWS::ECR::Repository', 1);
    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp(
        'created in the same deployment as the service that pulls from it, so a first deploy fails \\(no image yet\\)\\. Fix: pass registry',
      ),
    );
  });

  it('service names, duplicates and unknown callers', () => {
    const { platform: p } = platform();
    expect(() => p.addService('Orders', { imageTag: '1.0.0' })).toThrow(/invalid addService\.name \(received "Orders"\)/);
    p.addService('orders', { imageTag: '1.0.0' });
    expect(() => p.addService('orders', { imageTag: '1.0.1' })).toThrow(
      /invalid addService\.name \(received "orders"\): a service with this name already exists/,
    );
    expect(() => p.addService('payments', { imageTag: '1.0.0', allowFrom: ['billing'] })).toThrow(
      /invalid addService\("payments"\)\.allowFrom \(received "billing"\).*Fix: add "billing" first, or use one of: orders/,
    );
  });

  it('scope groups: a valid resource-server identifier, at most 100 scopes each (Cognito)', () => {
    const { platform: p } = platform();
    expect(() => p.addService('orders', { imageTag: '1.0.0', scopeGroup: 'Sales Team' })).toThrow(
      /invalid addService\("orders"\)\.scopeGroup \(received "Sales Team"\).*Fix: use a domain or team name/,
    );
    for (let i = 1; i <= 50; i++) p.addService(`svc-${i}`, { imageTag: '1.0.0' });
    expect(() => p.addService('one-too-many', { imageTag: '1.0.0' })).toThrow(
      /invalid addResourceServerScopes\("api"\)\.scopes \(received "one-too-many.read"\): resource server "api" already has 100 scopes, the most Cognito allows\. Fix: publish further scopes under another resource-server identifier/,
    );
    expect(p.addService('other', { imageTag: '1.0.0', scopeGroup: 'team-b' }).scopes).toEqual(['team-b/other.read', 'team-b/other.write']);
  });
});
