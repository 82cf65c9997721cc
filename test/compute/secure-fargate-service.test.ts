import { App, CfnWaitConditionHandle, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SecureFargateService, SecureFargateServiceProps } from '../../lib/compute/secure-fargate-service';
import { OPT_OUT_METADATA_TYPE } from '../../lib/core/opt-out';
import { PlatformKeys } from '../../lib/encryption/platform-keys';
import { SecureRepository } from '../../lib/registry/secure-repository';
import { acknowledgeFinding } from '../../lib/core/acknowledge';
import { ServiceToServiceCallsIdentityChecked } from '../../lib/checks/rules';
import { expectCfnLintClean, logicalIdOf, ruleViolations } from '../support/checks';
import { CA_ARN, CERT_ARN, Fixture, fixture } from './fixtures';
import { expectNoFindings, expectReasonedAcknowledgements, newStack, synthWithGate } from '../support/harness';

describe('SecureFargateService', () => {
  // GIVEN two services sharing cluster and namespace: orders (env + secret) and payments (called by orders, ECS Exec on)
  let gate: ReturnType<typeof synthWithGate>;
  let template: Template;
  let f: Fixture;
  let orders: SecureFargateService;
  let payments: SecureFargateService;
  let caActive: CfnWaitConditionHandle;

  beforeAll(() => {
    f = fixture();
    caActive = new CfnWaitConditionHandle(f.stack, 'CaActive');
    const dbPassword = ssm.StringParameter.fromSecureStringParameterAttributes(f.stack, 'DbPassword', { parameterName: '/orders/db-password' });
    orders = new SecureFargateService(f.stack, 'Orders', {
      ...f.props,
      environment: { LOG_LEVEL: 'info' },
      secrets: { DB_PASSWORD: ecs.Secret.fromSsmParameter(dbPassword) },
      dynamoDbPrefixList: ec2.PrefixList.fromPrefixListId(f.stack, 'DynamoDbPrefixList', 'pl-6fa54006'),
      certificateAuthorityActive: caActive,
    });
    payments = new SecureFargateService(f.stack, 'Payments', {
      ...f.props,
      serviceName: 'payments',
      image: { repository: f.repository, digest: `sha256:${'a'.repeat(64)}` },
      tlsHostname: 'payments.internal.example.com',
      cluster: orders.cluster,
      namespace: orders.namespace,
      allowFrom: [orders],
      cpu: 512,
      memoryLimitMiB: 2048,
      desiredCount: 3,
      minCapacity: 2,
      maxCapacity: 6,
      targetCpuUtilizationPercent: 50,
      allowExecuteCommand: { reason: 'Operators debug payment incidents interactively' },
      containerHealthCheckCommand: ['CMD', '/app/healthcheck'],
      loadBalancerDeletionProtection: true,
    });
    // allowFrom is a network path without caller identity: the gate flags it until someone owns that decision.
    expect(ruleViolations(ServiceToServiceCallsIdentityChecked, f.stack)).toEqual([
      expect.stringMatching(/^TestStack\/Payments\/SecurityGroup\/from TestStackOrdersSecurityGroup\w+:15443$/),
    ]);
    acknowledgeFinding(
      payments.securityGroup,
      'PlatformChecks::Platform-ServiceToServiceCallsIdentityChecked',
      'test: exercises the network-level allowFrom path; the platform admits callers by identity through VPC Lattice (callers).',
    );
    gate = synthWithGate(f.stack);
    template = gate.template;
  });

  it('passes every security pack with reasoned acknowledgements only', () => {
    expectNoFindings(gate);
    expectReasonedAcknowledgements(gate);
    const mine = gate.acknowledged.filter((a) => /\/(Orders|Payments)\//.test(a.acknowledgedAt)).map((a) => a.acknowledgedId);
    expect([...new Set(mine)].sort()).toEqual([
      'AwsSolutions::AwsSolutions-ECS2',
      'AwsSolutions::AwsSolutions-ELB2',
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:*:repository/aws-guardduty-agent-fargate]',
      expect.stringMatching(
        /^AwsSolutions::AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:<OrdersExecLogGroup[0-9A-F]+>:\*\]$/,
      ),
      // orders' load balancer is created without deletion protection (a rollback must be able to delete it).
      'HIPAA.Security::HIPAA.Security-ELBDeletionProtectionEnabled',
      'HIPAA.Security::HIPAA.Security-ELBLoggingEnabled',
      'NIST.800.53.R5::NIST.800.53.R5-ELBDeletionProtectionEnabled',
      'NIST.800.53.R5::NIST.800.53.R5-ELBLoggingEnabled',
      'PCI.DSS.321::PCI.DSS.321-ELBLoggingEnabled',
      'PlatformChecks::Platform-ServiceToServiceCallsIdentityChecked',
    ]);
  });

  it('is clean under cfn-lint', () => {
    expectCfnLintClean(gate.templatePaths);
  });

  it('creates one cluster with enhanced Container Insights and KMS-encrypted, logged ECS Exec', () => {
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
      Configuration: {
        ExecuteCommandConfiguration: {
          KmsKeyId: { 'Fn::GetAtt': [logicalIdOf(f.keys.dataKey), 'Arn'] },
          Logging: 'OVERRIDE',
          LogConfiguration: { CloudWatchEncryptionEnabled: true, CloudWatchLogGroupName: { Ref: Match.stringLikeRegexp('^OrdersExecLogGroup') } },
        },
      },
    });
  });

  it('encrypts Fargate ephemeral storage with the data key, which admits Fargate only for clusters of this account', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: { ManagedStorageConfiguration: { FargateEphemeralStorageKmsKeyId: { Ref: logicalIdOf(f.keys.dataKey) } } },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'fargate.amazonaws.com' },
            Action: 'kms:GenerateDataKeyWithoutPlaintext',
            Condition: { StringEquals: { 'kms:EncryptionContext:aws:ecs:clusterAccount': [{ Ref: 'AWS::AccountId' }] } },
          }),
          Match.objectLike({
            Principal: { Service: 'fargate.amazonaws.com' },
            Action: 'kms:CreateGrant',
            Condition: Match.objectLike({ 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt'] } }),
          }),
        ]),
      },
    });
  });

  it('lets the execution role pull the GuardDuty runtime agent from its repository only', () => {
    // One pull statement (the execution role merges its grants): the service's repository and GuardDuty's agent.
    const guardDutyAgent = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:', { Ref: 'AWS::Region' }, ':*:repository/aws-guardduty-agent-fargate']],
    };
    const pulls = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter(
        (st: { Action: unknown }) =>
          JSON.stringify(st.Action) === JSON.stringify(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']),
      );
    expect(pulls.length).toBeGreaterThan(0);
    for (const pull of pulls) {
      expect(pull.Effect).toBe('Allow');
      expect(pull.Resource).toContainEqual(guardDutyAgent);
      for (const resource of pull.Resource.filter((r: unknown) => JSON.stringify(r) !== JSON.stringify(guardDutyAgent))) {
        expect(resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(f.repository.repository), 'Arn'] });
      }
    }
  });

  it('gives every container a memory hard limit that leaves the Service Connect proxy its share', () => {
    const limits = Object.values(template.findResources('AWS::ECS::TaskDefinition')).map((r) => [
      r.Properties.Memory,
      r.Properties.ContainerDefinitions.map((c: { Memory?: number }) => c.Memory),
    ]);
    expect(limits).toEqual([
      ['512', [448]],
      ['2048', [1984]],
    ]);
  });

  it('hardens the container: non-root, read-only root filesystem, unprivileged, capabilities dropped, init process', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '256',
      Memory: '512',
      ContainerDefinitions: [
        Match.objectLike({
          User: '1000:1000',
          ReadonlyRootFilesystem: true,
          Privileged: false,
          LinuxParameters: { Capabilities: { Drop: ['ALL'] }, InitProcessEnabled: true },
          PortMappings: [{ ContainerPort: 8443, Protocol: 'tcp', Name: 'app' }],
          // The root filesystem stays read-only; /tmp is a writable, task-private volume.
          MountPoints: [{ SourceVolume: 'tmp', ContainerPath: '/tmp', ReadOnly: false }],
        }),
      ],
      Volumes: [{ Name: 'tmp' }],
    });
  });

  it('runs no container health check unless one is given (no curl assumed in the image); the load balancer checks HTTPS', () => {
    const [ordersTask, paymentsTask] = Object.values(template.findResources('AWS::ECS::TaskDefinition')).map(
      (r) => r.Properties.ContainerDefinitions[0],
    );
    expect(ordersTask.HealthCheck).toBeUndefined();
    expect(paymentsTask.HealthCheck).toMatchObject({ Command: ['CMD', '/app/healthcheck'] });
    expect(JSON.stringify(template.toJSON())).not.toContain('curl');
  });

  it('Service Connect TLS: the role may kms:GenerateDataKeyPair; the service waits for the role, its policy and the CA activation', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: logicalIdOf(orders.serviceConnectTlsRole) }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair'] })] },
    });
    const service = template.findResources('AWS::ECS::Service')[logicalIdOf(orders.service)];
    expect(service.DependsOn).toEqual(
      expect.arrayContaining([logicalIdOf(orders.serviceConnectTlsRole), logicalIdOf(orders.serviceConnectTlsRole.policy!), 'CaActive']),
    );
  });

  it('pins images by tag or digest from the SecureRepository', () => {
    const images = Object.values(template.findResources('AWS::ECS::TaskDefinition')).map((r) =>
      JSON.stringify(r.Properties.ContainerDefinitions[0].Image),
    );
    expect(images).toHaveLength(2);
    expect(images[0]).toContain(':1.0.0');
    expect(images[1]).toContain(`@sha256:${'a'.repeat(64)}`);
    for (const image of images) expect(image).toContain(logicalIdOf(f.repository.repository));
  });

  it('passes secrets as ecs.Secret and keeps plain variables plain', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Environment: [{ Name: 'LOG_LEVEL', Value: 'info' }],
          Secrets: [{ Name: 'DB_PASSWORD', ValueFrom: Match.anyValue() }],
        }),
      ],
    });
  });

  it('logs to KMS-encrypted log groups with retention', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          LogConfiguration: {
            LogDriver: 'awslogs',
            Options: Match.objectLike({ 'awslogs-group': { Ref: Match.stringLikeRegexp('^OrdersLogGroup') } }),
          },
        }),
      ],
    });
    const logsKey = logicalIdOf(f.keys.logsKey);
    for (const name of ['OrdersLogGroup', 'OrdersServiceConnectLogGroup', 'OrdersExecLogGroup']) {
      const groups = template.findResources('AWS::Logs::LogGroup', {
        Properties: { KmsKeyId: { 'Fn::GetAtt': [logsKey, 'Arn'] }, RetentionInDays: 365 },
      });
      expect(
        Object.keys(groups).some((k) => k.startsWith(name)),
        name,
      ).toBe(true);
    }
  });

  it('runs tasks in the isolated subnets without public IPs, with circuit breaker and rollback', () => {
    const isolated = f.network.vpc.isolatedSubnets.map((s) => ({ Ref: logicalIdOf(s) }));
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      EnableExecuteCommand: false,
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          Subnets: isolated,
          SecurityGroups: [{ 'Fn::GetAtt': [logicalIdOf(orders.securityGroup), 'GroupId'] }],
        },
      },
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 }),
      HealthCheckGracePeriodSeconds: 60,
      LoadBalancers: [{ ContainerName: 'app', ContainerPort: 8443, TargetGroupArn: { Ref: logicalIdOf(orders.targetGroup) } }],
    });
  });

  it('calls other services over Service Connect TLS with certificates from the private CA', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: {
        Enabled: true,
        Namespace: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersNamespace'), 'Arn'] },
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        Services: [
          {
            PortName: 'app',
            DiscoveryName: 'payments',
            ClientAliases: [{ DnsName: 'payments', Port: 8443 }],
            IngressPortOverride: 15443,
            Tls: {
              IssuerCertificateAuthority: { AwsPcaAuthorityArn: CA_ARN },
              KmsKey: { 'Fn::GetAtt': [logicalIdOf(f.keys.dataKey), 'Arn'] },
              RoleArn: { 'Fn::GetAtt': [logicalIdOf(payments.serviceConnectTlsRole), 'Arn'] },
            },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::ServiceDiscovery::HttpNamespace', { Name: 'orders.internal' });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] },
      ManagedPolicyArns: Match.arrayWith([
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity',
            ],
          ],
        },
      ]),
    });
  });

  it('auto scales between min and max on a CPU target', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 4,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 6 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 50,
      }),
    });
  });

  it('fronts the service with an internal NLB: TLS listener with the certificate, TLS to the tasks, HTTPS health checks', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internal',
      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'off',
      SecurityGroups: [{ 'Fn::GetAtt': [logicalIdOf(orders.loadBalancerSecurityGroup), 'GroupId'] }],
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }]),
    });
    // Created without deletion protection (a rollback of the create must delete it); on request only.
    const attributes = (lb: SecureFargateService) =>
      JSON.stringify(
        template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer')[logicalIdOf(lb.loadBalancer)].Properties.LoadBalancerAttributes,
      );
    expect(attributes(orders)).not.toContain('"deletion_protection.enabled","Value":"true"');
    expect(attributes(payments)).toContain('{"Key":"deletion_protection.enabled","Value":"true"}');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'TLS',
      Port: 443,
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: CERT_ARN }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'TLS',
      Port: 8443,
      TargetType: 'ip',
      HealthCheckProtocol: 'HTTPS',
      HealthCheckPath: '/health',
    });
    template.hasResourceProperties('AWS::ApiGateway::VpcLink', { TargetArns: [{ Ref: logicalIdOf(orders.loadBalancer) }] });
  });

  it('admits only the load balancer and named peers, and names every egress destination', () => {
    const sg = (x: ec2.ISecurityGroup) => ({ 'Fn::GetAtt': [logicalIdOf(x), 'GroupId'] });
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    const intoOrders = ingress.filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(sg(orders.securityGroup)));
    expect(intoOrders).toEqual([
      expect.objectContaining({ FromPort: 8443, ToPort: 8443, SourceSecurityGroupId: sg(orders.loadBalancerSecurityGroup) }),
    ]);
    const intoPayments = ingress.filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(sg(payments.securityGroup)));
    expect(intoPayments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ FromPort: 15443, ToPort: 15443, SourceSecurityGroupId: sg(orders.securityGroup) }),
        expect.objectContaining({ FromPort: 8443, SourceSecurityGroupId: sg(payments.loadBalancerSecurityGroup) }),
      ]),
    );
    expect(intoPayments).toHaveLength(2);
    // Nothing may enter the load balancer's group except through PrivateLink (the VPC link).
    expect(ingress.filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(sg(orders.loadBalancerSecurityGroup)))).toEqual([]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^orders internal NLB'),
      SecurityGroupIngress: Match.absent(),
    });
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(sg(orders.securityGroup)));
    expect(egress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ FromPort: 443, DestinationSecurityGroupId: sg(f.network.endpointSecurityGroup) }),
        expect.objectContaining({ FromPort: 15443, DestinationSecurityGroupId: sg(payments.securityGroup) }),
      ]),
    );
    expect(egress).toEqual(expect.arrayContaining([expect.objectContaining({ FromPort: 443, ToPort: 443, DestinationPrefixListId: 'pl-6da54004' })]));
    // orders has a table: DynamoDB through the gateway endpoint, by its prefix list.
    expect(egress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          FromPort: 443,
          ToPort: 443,
          DestinationPrefixListId: 'pl-6fa54006',
          Description: 'DynamoDB through the gateway endpoint',
        }),
      ]),
    );
    expect(egress).toHaveLength(4);
  });

  it('gives the application a task role without permissions, and keeps every policy customer managed', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const taskRole = logicalIdOf(orders.taskRole);
    const attached = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(taskRole),
    );
    expect(attached).toEqual([]);
    expect(orders.grantPrincipal).toBe(orders.taskRole);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'ecs-tasks.amazonaws.com' },
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
          }),
        ],
      },
    });
  });

  it('turns ECS Exec on only with a recorded reason', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      EnableExecuteCommand: true,
      ServiceConnectConfiguration: Match.objectLike({ Services: [Match.objectLike({ DiscoveryName: 'payments' })] }),
    });
    expect(payments.node.metadata.find((m) => m.type === OPT_OUT_METADATA_TYPE)?.data).toEqual({
      control: 'ECS Exec off',
      reason: 'Operators debug payment incidents interactively',
    });
    expect(orders.node.metadata.find((m) => m.type === OPT_OUT_METADATA_TYPE)).toBeUndefined();
  });

  describe('variants (no gate)', () => {
    it("routes grants into the task role's customer managed policy", () => {
      const v = fixture();
      const service = new SecureFargateService(v.stack, 'Svc', v.props);
      const bucket = new s3.Bucket(v.stack, 'Bucket');
      bucket.grantRead(service);
      const t = Template.fromStack(v.stack);
      t.resourceCountIs('AWS::IAM::Policy', 0);
      t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        Roles: [{ Ref: logicalIdOf(service.taskRole) }],
        PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*']) })] },
      });
    });

    it('integration(path) is an HTTPS HTTP_PROXY over the VPC link for a SecureApi route', () => {
      const v = fixture();
      const service = new SecureFargateService(v.stack, 'Svc', v.props);
      const api = new apigw.RestApi(v.stack, 'Api', { deploy: false });
      api.root.addResource('orders').addMethod('GET', service.integration('/orders', { httpMethod: 'GET' }));
      api.root
        .addResource('items')
        .addResource('{id}')
        .addMethod(
          'GET',
          service.integration('/items/{id}', { requestParameters: { 'integration.request.header.x-request-id': 'context.requestId' } }),
        );
      api.root.addResource('files').addResource('{proxy+}').addMethod('GET', service.integration('/files/{proxy+}'));
      const t = Template.fromStack(v.stack);
      t.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'GET',
        Integration: {
          Type: 'HTTP_PROXY',
          IntegrationHttpMethod: 'GET',
          Uri: 'https://orders.internal.example.com/orders',
          ConnectionType: 'VPC_LINK',
          ConnectionId: { Ref: logicalIdOf(service.vpcLink) },
          RequestParameters: Match.absent(),
        },
      });
      // Path parameters pass through by name; a greedy {proxy+} becomes {proxy} in the URI.
      t.hasResourceProperties('AWS::ApiGateway::Method', {
        Integration: {
          Uri: 'https://orders.internal.example.com/items/{id}',
          RequestParameters: {
            'integration.request.path.id': 'method.request.path.id',
            'integration.request.header.x-request-id': 'context.requestId',
          },
        },
      });
      t.hasResourceProperties('AWS::ApiGateway::Method', {
        Integration: {
          Uri: 'https://orders.internal.example.com/files/{proxy}',
          RequestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
        },
      });
      expect(() => service.integration('orders')).toThrow(/invalid integration\.path \(received "orders"\).*Fix: use a path such as/);
    });

    it('writes load balancer access logs to a bucket when given one', () => {
      const v = fixture(newStack('TestStack', { account: '111122223333', region: 'eu-west-1' }));
      const accessLogsBucket = s3.Bucket.fromBucketName(v.stack, 'Logs', 'access-logs');
      new SecureFargateService(v.stack, 'Svc', { ...v.props, accessLogsBucket });
      Template.fromStack(v.stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([
          { Key: 'access_logs.s3.enabled', Value: 'true' },
          { Key: 'access_logs.s3.bucket', Value: 'access-logs' },
        ]),
      });
    });
  });

  describe('rejects bad input with prop, value and fix', () => {
    let count = 0;
    const build =
      (overrides: Partial<SecureFargateServiceProps>, v: Fixture = fixture()) =>
      () =>
        new SecureFargateService(v.stack, `Svc${count++}`, { ...v.props, ...overrides });

    it.each([
      [
        { cpu: 256, memoryLimitMiB: 4096 },
        /invalid memoryLimitMiB \(received \{"cpu":256,"memoryLimitMiB":4096\}\).*Fix: use one of 512, 1024, 2048 MiB for cpu 256/,
      ],
      [{ cpu: 1024, memoryLimitMiB: 1024 }, /invalid memoryLimitMiB .*Fix: use one of 2048, 3072/],
      [{ cpu: 300, memoryLimitMiB: 512 }, /invalid cpu \(received 300\): not a Fargate CPU value\. Fix: use one of 256, 512/],
    ])('invalid Fargate size %j', (size, message) => {
      expect(build(size)).toThrow(message);
    });

    it.each([0, 65536, 80.5])('containerPort %s', (containerPort) => {
      expect(build({ containerPort })).toThrow(new RegExp(`invalid containerPort \\(received ${containerPort}\\).*Fix: use a port such as 8443`));
    });

    it('cpuArchitecture other than X86_64 or ARM64', () => {
      expect(build({ cpuArchitecture: ecs.CpuArchitecture.of('RISCV') })).toThrow(
        /invalid cpuArchitecture \(received "RISCV"\): Fargate runs Linux tasks on X86_64 or ARM64 only\. Fix: use ecs\.CpuArchitecture\.X86_64 or ecs\.CpuArchitecture\.ARM64/,
      );
      expect(build({ cpuArchitecture: ecs.CpuArchitecture.ARM64 })).not.toThrow();
    });

    it('serviceConnectPort out of range or equal to the container port', () => {
      expect(build({ serviceConnectPort: 70000 })).toThrow(/invalid serviceConnectPort \(received 70000\)/);
      expect(build({ serviceConnectPort: 8443 })).toThrow(/invalid serviceConnectPort \(received 8443\).*Fix: use a port other than containerPort/);
    });

    it('desiredCount < 1 and min > max capacity', () => {
      expect(build({ desiredCount: 0 })).toThrow(
        /invalid desiredCount \(received 0\): a service needs at least one task\. Fix: use a whole number from 1/,
      );
      expect(build({ minCapacity: 0 })).toThrow(/invalid minCapacity \(received 0\)/);
      expect(build({ minCapacity: 5, maxCapacity: 3 })).toThrow(
        /invalid minCapacity \(received \{"minCapacity":5,"maxCapacity":3\}\).*Fix: set minCapacity ≤ maxCapacity/,
      );
      expect(build({ targetCpuUtilizationPercent: 95 })).toThrow(/invalid targetCpuUtilizationPercent \(received 95\)/);
    });

    it.each(['latest', 'LATEST', '', '  '])('image tag %j', (tag) => {
      const v = fixture();
      expect(build({ image: { repository: v.repository, tag } }, v)).toThrow(
        /invalid image\.tag \(received ".*"\): `latest` and empty tags .*Fix: use a release tag such as '1\.0\.0' or a digest/,
      );
    });

    it('malformed tags and digests, and tag + digest together', () => {
      const v = fixture();
      expect(build({ image: { repository: v.repository, tag: 'v1 beta' } }, v)).toThrow(
        /invalid image\.tag \(received "v1 beta"\): not a valid image tag/,
      );
      expect(build({ image: { repository: v.repository, digest: 'sha256:abc' } }, v)).toThrow(
        /invalid image\.digest \(received "sha256:abc"\).*Fix: use 'sha256:' followed by 64/,
      );
      expect(build({ image: { repository: v.repository, tag: '1.0.0', digest: `sha256:${'b'.repeat(64)}` } }, v)).toThrow(
        /invalid image .*give exactly one of tag or digest/,
      );
      expect(build({ image: { repository: v.repository } }, v)).toThrow(/invalid image \(received \{\}\)/);
    });

    it.each(['DB_PASSWORD', 'stripe_api_key', 'GITHUB_TOKEN', 'JWT_SECRET', 'TLS_PRIVATE_KEY', 'AWS_ACCESS_KEY_ID'])(
      'secret-looking variable %s',
      (name) => {
        expect(build({ environment: { [name]: 'x' } })).toThrow(
          new RegExp(
            `invalid environment\\.${name} \\(received "<redacted>"\\): the name looks like a secret.*Fix: pass it through secrets: \\{ ${name}: ecs\\.Secret\\.fromSecretsManager`,
          ),
        );
      },
    );

    it.each([
      ['a database URL with a password', 'postgres://orders:hunter2@db.internal:5432/orders', /a URL with user:password/],
      ['a Stripe live key', 'sk_live_51HqLyjWDarjtT1zdp7dc0a', /a Stripe API key/],
      ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE', /an AWS access key id/],
      ['a GitHub token', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a', /a GitHub token/],
      ['a Slack token', 'xoxb-123456789012-abcdefghijkl', /a Slack token/],
      ['a long random string', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', /a long random string/],
    ])('an environment value that is %s, under an innocent name', (_name, value, what) => {
      expect(build({ environment: { UPSTREAM: value } })).toThrow(/invalid environment\.UPSTREAM \(received "<redacted>"\): the value looks like/);
      expect(build({ environment: { UPSTREAM: value } })).toThrow(what);
      expect(build({ environment: { UPSTREAM: value } })).toThrow(
        /Fix: store it in Secrets Manager and pass it through secrets: \{ UPSTREAM: ecs\.Secret\.fromSecretsManager/,
      );
    });

    it('acknowledges AwsSolutions-ECS2 only when every environment value could be checked (not for a token)', () => {
      const v = fixture();
      const checked = new SecureFargateService(v.stack, 'Checked', { ...v.props, environment: { LOG_LEVEL: 'info' } });
      const unchecked = new SecureFargateService(v.stack, 'Unchecked', { ...v.props, environment: { ENDPOINT: Fn.ref('AWS::URLSuffix') } });
      const ecs2 = (svc: SecureFargateService) =>
        svc.taskDefinition.node.metadata.some(
          (m) => m.type === 'aws:cdk:acknowledged-rules' && 'AwsSolutions::AwsSolutions-ECS2' in (m.data as object),
        );
      expect(ecs2(checked)).toBe(true);
      expect(ecs2(unchecked)).toBe(false);
    });

    it('a repository not created by SecureRepository, or from another app', () => {
      const v = fixture();
      const plain = ecr.Repository.fromRepositoryName(v.stack, 'Plain', 'orders');
      expect(build({ image: { repository: plain as unknown as SecureRepository, tag: '1.0.0' } }, v)).toThrow(
        /invalid image\.repository \(received "TestStack\/Plain \(.*\)"\): images must come from a SecureRepository.*Fix: create the repository with new SecureRepository/,
      );
      const otherStack = new Stack(new App(), 'Other');
      const foreign = new SecureRepository(otherStack, 'Repo', { encryptionKey: new PlatformKeys(otherStack, 'Keys').dataKey });
      expect(build({ image: { repository: foreign, tag: '1.0.0' } }, v)).toThrow(
        /invalid image\.repository \(received "Other\/Repo"\): the repository belongs to another app or stage/,
      );
    });

    it('root users', () => {
      for (const user of ['root', '0', '00', '+0', '0:0', '0:1000', 'root:wheel', 'ROOT', '']) {
        expect(build({ user })).toThrow(/invalid user .*containers must not run as root \(P15\)\. Fix: use an unprivileged uid:gid/);
      }
    });

    it('ECS Exec on a cluster without encrypted, logged sessions, or without a real reason', () => {
      const v = fixture();
      const cluster = new ecs.Cluster(v.stack, 'Plain', { vpc: v.network.vpc });
      expect(build({ cluster, allowExecuteCommand: { reason: 'operators debug incidents in production' } }, v)).toThrow(
        /invalid allowExecuteCommand .*must be KMS-encrypted and logged.*Fix: omit cluster/,
      );
      expect(build({ allowExecuteCommand: { reason: 'x' } })).toThrow(/invalid allowExecuteCommand\.reason \(received "x"\)/);
    });

    it('an access log bucket in an env-agnostic stack', () => {
      const v = fixture();
      expect(build({ accessLogsBucket: s3.Bucket.fromBucketName(v.stack, 'Logs', 'access-logs') }, v)).toThrow(
        /invalid accessLogsBucket \(received "TestStack\/Logs"\).*Fix: give the stack an env with account and region/,
      );
    });

    it('service names and host names that are not DNS names', () => {
      expect(build({ serviceName: 'Orders_API' })).toThrow(/invalid serviceName \(received "Orders_API"\)/);
      expect(build({ tlsHostname: 'https://orders' })).toThrow(/invalid tlsHostname \(received "https:\/\/orders"\)/);
      expect(build({ healthCheckPath: 'health' })).toThrow(/invalid healthCheckPath \(received "health"\)/);
    });
  });
});
