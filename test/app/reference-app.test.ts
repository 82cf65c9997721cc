import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReferenceApp } from '../../bin/reference-app';
import { estimateIdleCost, unpricedResourceTypes } from '../../lib/cost/idle-cost';
import { PRICE_TABLE_DATE, PRICES } from '../../lib/cost/price-table';
import { API_MODEL_FILE, ApiModel } from '../../lib/api/api-model';
import { SecuritySynthResult, synthesizeWithChecks } from '../../lib/testing/synth-with-checks';
import { expectNoFindings, expectReasonedAcknowledgements, newApp } from '../support/harness';
import { expectCfnLintClean } from '../support/checks';
import { evaluate, resolveIntrinsics } from '../support/aws-policy';
import { CfnJson } from '../../lib/private/rule-helpers';

const cdkJson = JSON.parse(fs.readFileSync(`${__dirname}/../../cdk.json`, 'utf8')) as { context: Record<string, unknown> };

function synthEnvironment(env: string): SecuritySynthResult {
  const app: App = newApp({ ...cdkJson.context, env });
  createReferenceApp(app);
  return synthesizeWithChecks(app);
}

describe.each(['dev', 'prod'])('reference app (%s)', (env) => {
  let result: SecuritySynthResult;
  beforeAll(() => {
    result = synthEnvironment(env);
  });

  it('runs all six packs and has zero unacknowledged findings', () => {
    expect(result.packs).toEqual(
      expect.arrayContaining(['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security', 'PlatformChecks']),
    );
    expectNoFindings(result);
  });

  it('gives every acknowledgement a specific reason, visible in the validation report', () => {
    expect(result.acknowledged.length).toBeGreaterThan(0);
    expectReasonedAcknowledgements(result);
  });

  it('writes the security report with every acknowledgement and the practice map', () => {
    const report = fs.readFileSync(`${result.assemblyDir}/security-report.md`, 'utf8');
    for (const ack of result.acknowledged) {
      expect(report).toContain(`\`${ack.acknowledgedId}\``);
      expect(report).toContain(ack.reason);
    }
    for (let i = 1; i <= 16; i++) expect(report).toMatch(new RegExp(`^### P${i} `, 'm'));
    expect(report).toContain('```mermaid');
    // Resources of the nested service stacks are mapped too.
    expect(report).toMatch(
      new RegExp(
        `### P15 [^\\n]+\\n\\n- \`${env}/Platform/Platform/Services1/orders/Service/TaskDefinition/Resource\` \\(AWS::ECS::TaskDefinition\\): non-root, read-only root filesystem, unprivileged, memory hard limit`,
      ),
    );
    expect(report).toContain('services["Fargate services x2"]');
  });

  it('prices every resource type of its templates (a new type without a price table entry fails here)', () => {
    const stacks = result.templatePaths.map((p) => ({ stackPath: p, resources: JSON.parse(fs.readFileSync(p, 'utf8')).Resources ?? {} }));
    expect(stacks.length).toBeGreaterThanOrEqual(2); // the platform stack and at least one nested services stack
    expect(unpricedResourceTypes(stacks)).toEqual([]);
    expect(estimateIdleCost(stacks).unresolved).toEqual([]);
  });

  it('writes the idle monthly cost of the stage into the security report, with the choices that bring dev within budget', () => {
    const report = fs.readFileSync(`${result.assemblyDir}/security-report.md`, 'utf8');
    const section = report.slice(report.indexOf('## Idle monthly cost'), report.indexOf('## Architecture'));
    expect(section).toContain(`read ${PRICE_TABLE_DATE}`);
    expect(section).toContain(`### ${env}\n`);
    expect(section).toMatch(
      new RegExp(
        `\\| \`${env}/Platform/Platform/Services1/orders/Service/Service/Service\` \\| AWS::ECS::Service \\| \\d task\\(s\\) × 0.25 vCPU × 730 h`,
      ),
    );
    expect(section).toContain('Charged per use (not in the total)');
    const total = Number(/\| \*\*total\*\* \| \| \| \*\*\$([\d,.]+)\*\* \|/.exec(section)?.[1].replace(/,/g, ''));
    const stacks = result.templatePaths.map((p) => ({ stackPath: p, resources: JSON.parse(fs.readFileSync(p, 'utf8')).Resources ?? {} }));
    expect(total).toBeCloseTo(estimateIdleCost(stacks).totalUsd, 2);
    const rows = estimateIdleCost(stacks).rows;
    const caRows = rows.filter((r) => r.resourceType === 'AWS::ACMPCA::CertificateAuthority');
    const x86 = rows.filter((r) => r.price === 'fargateVcpuHourX86' || r.price === 'fargateGbHourX86');
    const armSaving = x86.reduce(
      (n, r) => n + r.quantity * (PRICES[r.price].usd - PRICES[r.price === 'fargateVcpuHourX86' ? 'fargateVcpuHourArm' : 'fargateGbHourArm'].usd),
      0,
    );
    expect(armSaving).toBeGreaterThan(0);
    expect(section).toContain(
      `| \`addService(name, { cpuArchitecture: ecs.CpuArchitecture.ARM64 })\` (SecureFargateService \`cpuArchitecture\`) | $${armSaving.toFixed(2)} |`,
    );
    if (env === 'dev') {
      // Over the $150 budget with every control on ($50 CA, $43.80 endpoints in one AZ, $18.25 Lattice, …): the
      // report names the smallest set of choices that keeps every control on and brings dev within it, with the total.
      expect(total).toBeGreaterThan(150);
      expect(section).toContain(`**over by $${(total - 150).toFixed(2)}**`);
      expect(section).toMatch(/^- caller identity between services \(VPC Lattice IAM auth, one service per callee, P3\): \$18\.25$/m);
      expect(section).toMatch(/^- private CA \(client and service certificates, P7\): \$50\.00$/m);
      const caMonthly = caRows.reduce((n, r) => n + r.monthlyUsd, 0);
      expect(caMonthly).toBe(50);
      expect(section).toContain(
        `| \`existingCertificateAuthority\` (PlatformStage or SecureMicroservicePlatform): the active CA of another non-production environment`,
      );
      expect(section).toContain(
        `\`existingCertificateAuthority\` shared with another non-production environment brings dev to $${(total - caMonthly).toFixed(2)} (≤ $150.00), every security control on.`,
      );
      expect(total - caMonthly).toBeLessThanOrEqual(150);
      // dev calls payments through VPC Lattice: its VPC cannot join another environment's network, so no existingNetwork row.
      expect(section).not.toContain('`existingNetwork`');
    } else {
      // prod is priced and explained, not capped: the general-purpose root + issuing CA dominate, and the report says what
      // is cheaper; a production CA or network is never offered for sharing.
      expect(total).toBeGreaterThan(800);
      expect(section).toContain('| profile `caUsageMode: SHORT_LIVED_CERTIFICATE` | $700.00 |');
      expect(caRows).toHaveLength(2);
      expect(section).not.toContain('`existingCertificateAuthority`');
      expect(section).not.toContain('`existingNetwork`');
      expect(section).not.toContain('idleMonthlyBudgetUsd');
    }
  });

  it('writes the API model for csm-fuzz next to the security report and into the stage assembly, from the constructs', () => {
    const model = JSON.parse(fs.readFileSync(`${result.assemblyDir}/${API_MODEL_FILE}`, 'utf8')) as ApiModel;
    const perStage = JSON.parse(fs.readFileSync(`${result.assemblyDir}/assembly-${env}/${API_MODEL_FILE}`, 'utf8')) as ApiModel;
    expect(perStage).toEqual(model);
    expect(model.formatVersion).toBe(1);
    expect(model.apis).toHaveLength(1);
    const [api] = model.apis;
    const domain =
      (cdkJson.context.environments as Record<string, { mutualTls?: { domainName: string } }>)[env].mutualTls ??
      (cdkJson.context.platform as { mutualTls: { domainName: string } }).mutualTls;
    expect(api).toMatchObject({
      id: `${env}/Platform/Platform/Api`,
      stage: env,
      stackName: `${env}-Platform`,
      stageName: env, // the stage is named after the environment
      executeApiEndpoint: false,
      domains: [{ domainName: domain.domainName, basePath: '', mutualTls: true }],
      mutualTls: true,
      authorization: { header: 'Authorization', scheme: 'Bearer', authorizer: 'CUSTOM' },
      apiKey: { required: true, header: 'x-api-key' },
      throttle: { rateLimit: 50, burstLimit: 100 },
      usageTiers: [{ name: 'standard', rateLimit: 50, burstLimit: 100, quota: 1_000_000, quotaPeriod: 'MONTH' }],
      internalDomains: ['internal.example.com'],
    });
    expect(api.errorResponses).toContainEqual({ type: 'UNAUTHORIZED', statusCode: 401, body: { message: 'Unauthorized' } });
    expect(api.errorResponses).toContainEqual({ type: 'DEFAULT_5XX', statusCode: null, body: { message: 'Internal error' } });
    expect(api.securityHeaders['X-Content-Type-Options']).toBe('nosniff');
    expect(api.routes.map((r) => `${r.method} ${r.path} ${r.scopes.join(',')} ${r.authorization}`)).toEqual([
      'GET /v1/orders/{id} api/orders.read CUSTOM',
      'POST /v1/orders api/orders.write CUSTOM',
      'GET /v1/payments/{id} api/payments.read CUSTOM',
    ]);
    const [get, post] = api.routes;
    expect(get.pathParameters).toEqual([{ name: 'id', greedy: false }]);
    expect(get.body).toBeUndefined();
    expect(post.body).toEqual({
      contentType: 'application/json',
      schema: {
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        required: ['item', 'quantity'],
        properties: { item: { type: 'string', maxLength: 64 }, quantity: { type: 'integer', minimum: 1, maximum: 1000 } },
        additionalProperties: false,
      },
    });
    expect(api.routes.every((r) => r.apiKeyRequired)).toBe(true);
    // The model agrees with what API Gateway gets: the same methods and the same body schema in the template.
    // The routes' methods and models are in the services' nested stacks (the platform stack holds none).
    const templatePaths = result.templatePaths.filter((p) => /assembly-[a-z]+\/[a-z]+Platform[0-9A-Za-z]*\.(nested\.)?template\.json$/.test(p));
    const resources = templatePaths.flatMap((p) =>
      Object.values(
        (JSON.parse(fs.readFileSync(p, 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }).Resources,
      ),
    );
    expect(
      resources
        .filter((r) => r.Type === 'AWS::ApiGateway::Method')
        .map((r) => r.Properties.HttpMethod)
        .sort(),
    ).toEqual(['GET', 'GET', 'POST']);
    expect(resources.find((r) => r.Type === 'AWS::ApiGateway::Model')?.Properties.Schema).toEqual(post.body?.schema);
  });

  it('states in the security report which relying parties check revocation', () => {
    const report = fs.readFileSync(`${result.assemblyDir}/security-report.md`, 'utf8');
    const section = report.slice(report.indexOf('## Revocation: which relying parties check it'));
    expect(section).toMatch(
      /\| mTLS authorizer \(ClientCertificateAuthorizer\) x1 \| \*\*yes\*\* \| .*CloudTrail RevokeCertificate sync, which needs a trail recording management events/,
    );
    expect(section).toContain('| API Gateway mutual TLS (custom domain) x1 | **no** |');
    expect(section).toContain('| ECS Service Connect TLS x2 | **no** |');
    // The CRL is opt-in: nobody above would read it.
    expect(section).toContain("No CA publishes a CRL; the CA's audit report records revocations.");
  });

  it('limits every acm-pca:IssueCertificate grant of every template to the end-entity client template', () => {
    const grants = result.templatePaths
      .flatMap((file) =>
        Object.entries((JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources: Record<string, { Type: string; Properties?: CfnJson }> }).Resources)
          .filter(([, r]) => r.Type.startsWith('AWS::IAM::'))
          .flatMap(([id, r]) =>
            [r.Properties?.PolicyDocument, ...(r.Properties?.Policies ?? []).map((p: CfnJson) => p.PolicyDocument)]
              .filter(Boolean)
              .flatMap((d: CfnJson) => [].concat(d.Statement).map((statement: CfnJson) => ({ id, statement }))),
          ),
      )
      .filter(
        ({ statement }) =>
          JSON.stringify([].concat(statement.Action ?? []))
            .toLowerCase()
            .includes('acm-pca:issuecertificate') || statement.NotAction !== undefined,
      );
    expect(grants.length).toBeGreaterThan(0);
    for (const { id, statement } of grants) {
      expect(statement.Condition, id).toEqual({
        StringEquals: {
          'acm-pca:TemplateArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':acm-pca:::template/EndEntityClientAuthCertificate/V1']] },
        },
      });
    }
  });

  it('deploys an account baseline stack with the trail, detectors, standards and CIS alarms', () => {
    const file = result.templatePaths.find((p) => /Baseline[0-9A-F]{8}\.template\.json$/.test(p));
    expect(file, result.templatePaths.join(', ')).toBeDefined();
    const baseline = Template.fromJSON(JSON.parse(fs.readFileSync(file!, 'utf8')));
    baseline.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
      KMSKeyId: Match.anyValue(),
      S3BucketName: Match.anyValue(),
    });
    const lock = env === 'prod' ? { Mode: 'COMPLIANCE', Days: 365 } : { Mode: 'GOVERNANCE', Days: 90 };
    baseline.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: lock } },
    });
    baseline.hasResourceProperties('AWS::GuardDuty::Detector', {
      Features: Match.arrayWith([
        Match.objectLike({ Name: 'RUNTIME_MONITORING', AdditionalConfiguration: [{ Name: 'ECS_FARGATE_AGENT_MANAGEMENT', Status: 'ENABLED' }] }),
      ]),
    });
    baseline.resourceCountIs('AWS::SecurityHub::Standard', 2);
    baseline.resourceCountIs('AWS::AccessAnalyzer::Analyzer', 1);
    baseline.hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', { ScanType: 'ENHANCED' });
    baseline.resourceCountIs('AWS::CloudWatch::Alarm', 8);
  });

  it('passes cfn-lint on every template', () => {
    expect(result.templatePaths.length).toBeGreaterThan(0);
    expectCfnLintClean(result.templatePaths);
  });

  describe('first deploy into an empty account, and its retry (issue "Done when")', () => {
    let templates: { file: string; unit: string; resources: CfnJson }[];
    let all: [string, CfnJson][];
    const ofType = (type: string) => all.filter(([, r]) => r.Type === type);
    beforeAll(() => {
      templates = result.templatePaths.map((file) => {
        const t = JSON.parse(fs.readFileSync(file, 'utf8'));
        // A deployment unit is a top-level stack with its nested stacks: `<env>Platform…` and `<env>Registry…`.
        const unit = /(Baseline|Registry|Platform)/.exec(path.basename(file))![1];
        return { file, unit, resources: t.Resources as CfnJson };
      });
      all = templates.flatMap((t) => Object.entries(t.resources));
    });

    it('no ECR repository in the deployment unit of the services that pull from it; <env>/Registry deploys first', () => {
      const count = (unit: string, type: string) =>
        templates
          .filter((t) => t.unit === unit)
          .flatMap((t) => Object.values(t.resources))
          .filter((r) => r.Type === type).length;
      expect(count('Platform', 'AWS::ECS::Service')).toBe(2);
      expect(count('Platform', 'AWS::ECR::Repository')).toBe(0);
      expect(count('Registry', 'AWS::ECR::Repository')).toBe(2);
      expect(count('Registry', 'AWS::ECS::Service')).toBe(0);
      const manifest = JSON.parse(fs.readFileSync(path.join(result.assemblyDir, `assembly-${env}`, 'manifest.json'), 'utf8'));
      const platformArtifact = Object.entries<CfnJson>(manifest.artifacts).find(
        ([id, a]) => id.startsWith(`${env}Platform`) && a.type === 'aws:cloudformation:stack',
      )![1];
      expect(platformArtifact.dependencies).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${env}Registry`))]));
    });

    it('services reference their repositories by name: the Registry stack exports nothing (a stack has at most 200 outputs)', () => {
      const registry = result.templatePaths.filter((p) => /Registry[0-9A-F]{8}\.template\.json$/.test(p));
      expect(registry).toHaveLength(1);
      expect(JSON.parse(fs.readFileSync(registry[0], 'utf8')).Outputs ?? {}).toEqual({});
      const platform = templates.filter((t) => t.unit === 'Platform');
      expect(JSON.stringify(platform.map((t) => t.resources))).not.toContain('Fn::ImportValue');
      const images = ofType('AWS::ECS::TaskDefinition').flatMap(([, r]) =>
        r.Properties.ContainerDefinitions.map((c: CfnJson) => JSON.stringify(c.Image)),
      );
      expect(images).toHaveLength(2);
      for (const image of images) expect(image).toMatch(new RegExp(`"/${env}/(orders|payments):[^"]+"`));
      const pulls = [...ofType('AWS::IAM::Policy'), ...ofType('AWS::IAM::ManagedPolicy')]
        .flatMap(([, r]) => r.Properties.PolicyDocument.Statement)
        .filter((st: CfnJson) => [st.Action].flat().includes('ecr:BatchGetImage'));
      expect(JSON.stringify(pulls)).toMatch(new RegExp(`:repository/${env}/orders"`));
      expect(JSON.stringify(pulls)).toMatch(new RegExp(`:repository/${env}/payments"`));
    });

    it('the ECR image-layer statement of the S3 gateway endpoint has no principal-account condition', () => {
      const statements = ofType('AWS::EC2::VPCEndpoint').flatMap(([, r]) => r.Properties.PolicyDocument?.Statement ?? []);
      const layers = statements.find((st: CfnJson) => st.Sid === 'EcrImageLayers');
      expect(JSON.stringify(layers.Resource)).toContain('-starport-layer-bucket/*');
      expect(layers.Condition).toBeUndefined();
      const gateways = ofType('AWS::EC2::VPCEndpoint').filter(([, r]) => r.Properties.VpcEndpointType === 'Gateway');
      expect(JSON.stringify(gateways)).not.toContain('aws:PrincipalAccount');
    });

    it('the truststore handler may s3:ListBucket (S3 answers 403 for a missing key otherwise)', () => {
      const truststoreRole = ofType('AWS::IAM::Role').find(([id]) => /TruststoreHandlerRole/.test(id))!;
      const policies = ofType('AWS::IAM::ManagedPolicy').filter(([id]) =>
        JSON.stringify(truststoreRole[1].Properties.ManagedPolicyArns).includes(id),
      );
      expect(JSON.stringify(policies)).toContain('"Action":"s3:ListBucket"');
    });

    it('the CA used by Service Connect carries AmazonECSManaged=true; its roles may kms:GenerateDataKeyPair', () => {
      const services = ofType('AWS::ECS::Service');
      const cas = ofType('AWS::ACMPCA::CertificateAuthority');
      for (const [, service] of services) {
        const tls = service.Properties.ServiceConnectConfiguration.Services[0].Tls;
        // Nested stacks get the CA ARN as a parameter: follow it to the CA of the parent stack.
        const caId = JSON.stringify(tls.IssuerCertificateAuthority.AwsPcaAuthorityArn).match(/Platform(?:Ca|Platform)[A-Za-z]*Ca[0-9A-F]{8}/)?.[0];
        const used = cas.filter(([id]) => caId?.startsWith(id.slice(0, -8)) || (caId && caId.includes(id)));
        expect(used.length, `CA of ${JSON.stringify(tls.IssuerCertificateAuthority)}`).toBeGreaterThan(0);
      }
      const tagged = cas.filter(([, ca]) => JSON.stringify(ca.Properties.Tags ?? []).includes('{"Key":"AmazonECSManaged","Value":"true"}'));
      expect(tagged).toHaveLength(1);
      // The tagged one is the issuing CA (the subordinate in prod, the root in dev).
      expect(tagged[0][1].Properties.Type).toBe(env === 'prod' ? 'SUBORDINATE' : 'ROOT');
      const tlsPolicies = ofType('AWS::IAM::ManagedPolicy').filter(([id]) => /ServiceConnectTlsRolePolicy/.test(id));
      expect(tlsPolicies.length).toBeGreaterThan(0);
      for (const [, policy] of tlsPolicies) expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('kms:GenerateDataKeyPair');
    });

    it('no retained resource with a fixed name keeps plain Retain (a rolled-back create would block the retry)', () => {
      const NAME_PROPERTIES = [
        'RepositoryName',
        'LogGroupName',
        'BackupVaultName',
        'BucketName',
        'TableName',
        'TopicName',
        'QueueName',
        'RoleName',
        'FunctionName',
        'Name',
        'AliasName',
      ];
      const offenders = all
        .filter(([, r]) => r.DeletionPolicy === 'Retain')
        .flatMap(([id, r]) =>
          NAME_PROPERTIES.filter((p) => r.Properties?.[p] !== undefined)
            // A name built from the stack id is new for every stack creation, so a kept copy never clashes with a retry.
            .filter((p) => !JSON.stringify(r.Properties[p]).includes('AWS::StackId'))
            .map((p) => `${id}.${p}`),
        );
      expect(offenders).toEqual([]);
      for (const type of ['AWS::ECR::Repository', 'AWS::Backup::BackupVault', 'AWS::ACMPCA::CertificateAuthority']) {
        for (const [id, r] of ofType(type)) expect([id, r.DeletionPolicy]).toEqual([id, 'RetainExceptOnCreate']);
      }
      const wafLogs = ofType('AWS::Logs::LogGroup').filter(([, r]) => JSON.stringify(r.Properties.LogGroupName ?? '').includes('aws-waf-logs-'));
      expect(wafLogs.map(([, r]) => r.DeletionPolicy)).toEqual(['RetainExceptOnCreate']);
    });

    it('no load balancer is created with deletion protection; no reserved concurrency by default', () => {
      expect(ofType('AWS::ElasticLoadBalancingV2::LoadBalancer').length).toBeGreaterThan(0);
      expect(JSON.stringify(ofType('AWS::ElasticLoadBalancingV2::LoadBalancer'))).not.toContain('"deletion_protection.enabled","Value":"true"');
      const functions = ofType('AWS::Lambda::Function');
      expect(functions.length).toBeGreaterThan(0);
      expect(functions.filter(([, f]) => f.Properties.ReservedConcurrentExecutions !== undefined)).toEqual([]);
    });

    it('services with a table have egress to the DynamoDB prefix list (and only they)', () => {
      const dynamoEgress = ofType('AWS::EC2::SecurityGroupEgress').filter(([, r]) => r.Properties.DestinationPrefixListId === 'pl-6fa54006');
      expect(dynamoEgress.map(([, r]) => [JSON.stringify(r.Properties.GroupId).match(/orders|payments/)?.[0], r.Properties.FromPort])).toEqual([
        ['orders', 443],
      ]);
    });

    it('alarm topics allow CloudWatch to publish (aws:SourceAccount); keys of encrypted topics and DLQs admit the publishers', () => {
      const alarmTopics = new Set(ofType('AWS::CloudWatch::Alarm').flatMap(([, a]) => a.Properties.AlarmActions.map((t: CfnJson) => t.Ref)));
      expect(alarmTopics.size).toBe(2); // the API's and the account baseline's
      for (const topic of alarmTopics) {
        const policy = ofType('AWS::SNS::TopicPolicy').find(([, p]) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topic }]))!;
        expect(policy[1].Properties.PolicyDocument.Statement).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            }),
          ]),
        );
      }
      for (const [, key] of ofType('AWS::KMS::Key').filter(([id]) => /DataKey|RegistryKey/.test(id))) {
        const services = JSON.stringify(key.Properties.KeyPolicy.Statement.map((st: CfnJson) => st.Principal?.Service));
        expect(services).toContain('sns.amazonaws.com');
        expect(services).toContain('events.amazonaws.com');
      }
    });

    it('API, stage and alarm names carry the environment', () => {
      expect(ofType('AWS::ApiGateway::RestApi').map(([, r]) => r.Properties.Name)).toEqual([`csm-${env}-api`]);
      expect(ofType('AWS::ApiGateway::Stage').map(([, r]) => r.Properties.StageName)).toEqual([env]);
      // The API's alarms are named after it; the others have names CloudFormation derives from their stack (`<env>-…`).
      const alarmNames = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName);
      expect(alarmNames.filter((n) => n !== undefined)).toEqual(
        ['ServerErrors', 'ClientErrorRate', 'P99Latency', 'WafBlockedRequests'].map((a) => `csm-${env}-api-${a}`),
      );
    });

    describe('evaluated the way AWS evaluates these policies at deploy and run time (test/support/aws-policy.ts)', () => {
      const pseudo = { account: '111122223333', region: 'eu-west-1', partition: 'aws' };
      const statementsOf = (r: CfnJson, refs: Record<string, string> = {}) =>
        (resolveIntrinsics(r.Properties.PolicyDocument, pseudo, refs) as { Statement: CfnJson[] }).Statement;

      it("S3 gateway endpoint: ECR layer downloads (AWS-owned principal and bucket) and this account's buckets pass; other buckets do not", () => {
        const s3 = ofType('AWS::EC2::VPCEndpoint').find(([, r]) => JSON.stringify(r.Properties.ServiceName).includes('.s3'))![1];
        const statements = statementsOf(s3);
        // The gateway endpoint supplies aws:ResourceAccount, never aws:PrincipalAccount; ECR presigns layer requests.
        const layer = {
          action: 's3:GetObject',
          resource: 'arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/sha256/abc',
          context: { 'aws:ResourceAccount': '999988887777' },
        };
        expect(evaluate(statements, layer)).toBe('Allow');
        expect(
          evaluate(statements, { action: 's3:PutObject', resource: 'arn:aws:s3:::my-bucket/x', context: { 'aws:ResourceAccount': pseudo.account } }),
        ).toBe('Allow');
        expect(
          evaluate(statements, {
            action: 's3:PutObject',
            resource: 'arn:aws:s3:::exfil-bucket/x',
            context: { 'aws:ResourceAccount': '444455556666' },
          }),
        ).toBe('ImplicitDeny');
        // The double fails the way AWS did: the former statement (principal-account condition) blocks every layer.
        const former = [
          {
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*',
            Condition: { StringEquals: { 'aws:PrincipalAccount': pseudo.account } },
          },
        ];
        expect(evaluate(former, layer)).toBe('ImplicitDeny');
      });

      it('alarm topics: CloudWatch alarms of this account may publish over TLS; other accounts and plain HTTP may not', () => {
        const topicPolicies = ofType('AWS::SNS::TopicPolicy').filter(([, p]) => JSON.stringify(p).includes('cloudwatch.amazonaws.com'));
        expect(topicPolicies).toHaveLength(2);
        for (const [, policy] of topicPolicies) {
          const topicId = policy.Properties.Topics[0].Ref as string;
          const topicArn = `arn:aws:sns:eu-west-1:${pseudo.account}:${topicId}`;
          const statements = statementsOf(policy, { [topicId]: topicArn });
          const publish = (account: string, tls: string) =>
            evaluate(statements, {
              action: 'sns:Publish',
              resource: topicArn,
              principal: { Service: 'cloudwatch.amazonaws.com' },
              context: { 'aws:SourceAccount': account, 'aws:SecureTransport': tls },
            });
          expect([publish(pseudo.account, 'true'), publish('444455556666', 'true'), publish(pseudo.account, 'false')]).toEqual([
            'Allow',
            'ImplicitDeny',
            'ExplicitDeny',
          ]);
        }
      });

      it("Service Connect TLS: the ECS infrastructure policy (modelled on AWS's documentation: PCA actions on CAs tagged AmazonECSManaged=true) reaches the issuing CA only", () => {
        const ecsManagedPolicy = [
          {
            Effect: 'Allow',
            Action: [
              'acm-pca:IssueCertificate',
              'acm-pca:GetCertificate',
              'acm-pca:GetCertificateAuthorityCertificate',
              'acm-pca:DescribeCertificateAuthority',
            ],
            Resource: '*',
            Condition: { StringEquals: { 'aws:ResourceTag/AmazonECSManaged': 'true' } },
          },
        ];
        const decisions = ofType('AWS::ACMPCA::CertificateAuthority').map(([id, ca]) => {
          const tags = Object.fromEntries(
            (ca.Properties.Tags ?? []).map((t: { Key: string; Value: string }) => [`aws:ResourceTag/${t.Key}`, t.Value]),
          );
          return [
            ca.Properties.Type,
            evaluate(ecsManagedPolicy, {
              action: 'acm-pca:IssueCertificate',
              resource: `arn:aws:acm-pca:eu-west-1:${pseudo.account}:certificate-authority/${id}`,
              context: tags,
            }),
          ];
        });
        expect(decisions).toEqual(
          env === 'prod'
            ? [
                ['ROOT', 'ImplicitDeny'],
                ['SUBORDINATE', 'Allow'],
              ]
            : [['ROOT', 'Allow']],
        );
      });
    });

    it('every custom resource answers within a 5-minute serviceTimeout', () => {
      const custom = all.filter(([, r]) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource');
      expect(custom.length).toBeGreaterThan(0);
      for (const [id, r] of custom) expect([id, String(r.Properties.ServiceTimeout)]).toEqual([id, '300']);
    });

    it(`${env === 'dev' ? 'manages' : 'relies on'} the account's API Gateway CloudWatch Logs role; the stage waits for it`, () => {
      const accounts = ofType('AWS::ApiGateway::Account');
      expect(accounts).toHaveLength(env === 'dev' ? 1 : 0);
      if (env === 'dev') expect(ofType('AWS::ApiGateway::Stage')[0][1].DependsOn).toEqual([accounts[0][0]]);
    });
  });
});

describe('reference app context', () => {
  it('rejects an invalid environment name with the value and the fix', () => {
    expect(() => createReferenceApp(newApp({ env: 'Prod!' }))).toThrow(/Invalid context env \(received "Prod!"\).*Fix: run with -c env=dev/);
  });

  it('rejects missing platform settings (service certificate, domain; region and prefix lists per environment) with the fix', () => {
    const app = newApp({ env: 'dev', environments: { dev: { profile: 'dev' } } });
    expect(() => createReferenceApp(app)).toThrow(
      /Missing context platform\.serviceDomain, platform\.serviceCertificateArn, environments\.dev\.region, environments\.dev\.s3PrefixListId, environments\.dev\.dynamoDbPrefixListId for environment "dev"\. Fix: set them in cdk\.json under "platform" \(shared\) or "environments\.dev" \(region and prefix lists: per environment; see the example values there\)\.$/,
    );
  });

  it('rejects an environment cdk.json does not define (a typo) and lists the known ones', () => {
    expect(() => createReferenceApp(newApp({ ...cdkJson.context, env: 'prdo' }))).toThrow(
      /Unknown environment "prdo" \(context env\): cdk\.json defines "dev", "prod"\. Fix: run with -c env=dev, or add "prdo" under "environments" in cdk\.json\./,
    );
    expect(() => createReferenceApp(newApp({ env: 'dev' }))).toThrow(/Unknown environment "dev" \(context env\): cdk\.json defines no environments/);
  });

  it('refuses prefix list ids in the shared block: they differ per region', () => {
    const context = { ...cdkJson.context, platform: { ...(cdkJson.context.platform as object), s3PrefixListId: 'pl-6da54004' } };
    expect(() => createReferenceApp(newApp({ ...context, env: 'dev' }))).toThrow(
      /Context platform\.s3PrefixListId is shared by every environment, but prefix list ids differ per region\. Fix: move them under "environments\.<env>"/,
    );
  });

  it('pins each environment to its region (its prefix lists belong to it); the account only when given', () => {
    const stage = createReferenceApp(newApp({ ...cdkJson.context, env: 'dev' }));
    expect(stage.account).toBeUndefined();
    expect(stage.region).toBe('eu-west-1');
    const environments = {
      qa: { profile: 'dev', account: '111111111111', region: 'eu-central-1', s3PrefixListId: 'pl-6ea54007', dynamoDbPrefixListId: 'pl-66a5400f' },
    };
    const pinned = createReferenceApp(newApp({ ...cdkJson.context, env: 'qa', environments }));
    expect(pinned.stack.account).toBe('111111111111');
    expect(pinned.stack.region).toBe('eu-central-1');
  });

  it('answers the availability-zone lookup of a pinned environment from its availabilityZones, so synth needs no credentials', () => {
    const azs = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
    const qa = {
      profile: 'dev',
      account: '111111111111',
      region: 'eu-west-1',
      s3PrefixListId: 'pl-6da54004',
      dynamoDbPrefixListId: 'pl-6fa54006',
      availabilityZones: azs,
    };
    const stage = createReferenceApp(newApp({ ...cdkJson.context, env: 'qa', environments: { qa } }));
    expect(stage.stack.availabilityZones).toEqual(azs);
    const assembly = stage.synth({ force: true, validateOnSynthesis: false });
    expect(assembly.manifest.missing ?? []).toEqual([]);
    // Without them, aws-cdk-lib asks for a lookup (the CLI would need credentials).
    const unpinned = createReferenceApp(newApp({ ...cdkJson.context, env: 'qa', environments: { qa: { ...qa, availabilityZones: undefined } } }));
    expect(unpinned.synth({ force: true, validateOnSynthesis: false }).manifest.missing?.map((m) => m.provider)).toContain('availability-zones');
  });
});
