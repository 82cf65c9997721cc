import { Arn, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { clientCertificateIssueStatements } from '../pki/private-certificate-authority';
import { SecureMicroservicePlatform } from '../platform/secure-microservice-platform';

export interface PipelineFuzzAccessProps {
  /** The platform the pipeline fuzzes after each deployment of it. */
  readonly platform: SecureMicroservicePlatform;
  /** The tooling account whose pipeline runs the fuzz step. */
  readonly toolingAccount: string;
  /** The pipeline stack's name: only roles of that stack (`<name>-*`) may assume the fuzz role. */
  readonly pipelineStackName: string;
  /**
   * The usage tier whose API key the fuzzer presents.
   * @default - the first usage tier of the platform
   */
  readonly usageTier?: string;
}

/**
 * What a post-deploy fuzz step needs from a deployed, non-production platform, and nothing more: a machine client
 * holding every route scope (so the fuzzer reaches the services behind authorization, and can compare with
 * wrong-scope tokens), an API key in a usage tier (so its requests are throttled like a client's), and a role in
 * the platform's account that only the pipeline's roles in the tooling account may assume. The role reads that
 * one client's secret and that one API key, and on an mTLS platform issues short-lived client certificates with
 * the end-entity client template only. The stack outputs carry the ids the fuzz step reads.
 */
export class PipelineFuzzAccess extends Construct {
  public readonly role: iam.Role;
  /** The role's fixed name (the pipeline's fuzz step, in another account, names it in its own policy). */
  public readonly roleName: string;
  public readonly outputs: {
    readonly roleArn: CfnOutput;
    readonly userPoolId: CfnOutput;
    readonly clientId: CfnOutput;
    readonly tokenUrl: CfnOutput;
    readonly apiKeyId: CfnOutput;
    readonly apiUrl: CfnOutput;
    readonly certificateAuthorityArn?: CfnOutput;
  };

  constructor(scope: Construct, id: string, props: PipelineFuzzAccessProps) {
    super(scope, id);
    const { platform } = props;
    const stack = Stack.of(this);
    const scopes = [...new Set(platform.api.routes.flatMap((r) => r.scopes))].sort();
    const client = platform.identity.addMachineClient('pipeline-fuzzer', scopes);
    const tier = props.usageTier ?? [...platform.api.usagePlans.keys()][0];
    const apiKey = platform.api.addApiKeyToTier(tier, 'pipeline-fuzzer');

    this.roleName = `csm-fuzz-${props.pipelineStackName}`.slice(0, 64);
    this.role = new iam.Role(this, 'Role', {
      roleName: this.roleName,
      description: `Assumed by the pipeline ${props.pipelineStackName} (account ${props.toolingAccount}) to fuzz this platform after a deploy`,
      assumedBy: new iam.AccountPrincipal(props.toolingAccount).withConditions({
        ArnLike: { 'aws:PrincipalArn': `arn:${stack.partition}:iam::${props.toolingAccount}:role/${props.pipelineStackName}-*` },
      }),
    });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Read the pipeline fuzzer client secret and API key; issue short-lived client certificates',
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadFuzzerClientSecret',
          actions: ['cognito-idp:DescribeUserPoolClient'],
          resources: [platform.identity.userPool.userPoolArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadFuzzerApiKey',
          actions: ['apigateway:GET'],
          resources: [Arn.format({ service: 'apigateway', account: '', resource: '/apikeys', resourceName: apiKey.keyId }, stack)],
        }),
      ],
    });
    let caOutput: CfnOutput | undefined;
    if (platform.domain) {
      const caArn = platform.certificateAuthority.certificateAuthorityArn;
      // The same statements csm-certs users get: the end-entity client template only (PrivateCaIssuanceScopedToEndEntity).
      policy.addStatements(...clientCertificateIssueStatements(caArn, stack.partition));
      caOutput = new CfnOutput(this, 'CertificateAuthorityArn', { value: caArn, description: 'fuzz step: CA that issues its client certificate' });
    }
    const domain = platform.identity.domain;
    if (!domain) {
      throw new Error(
        `${this.node.path}: the platform's user pool has no Cognito domain (an existing user pool was passed in), so the fuzz step has no token endpoint. Fix: disable fuzzing for this environment (fuzz: false) or use the platform's own user pool.`,
      );
    }
    this.outputs = {
      roleArn: new CfnOutput(this, 'RoleArn', { value: this.role.roleArn, description: 'fuzz step: role to assume' }),
      userPoolId: new CfnOutput(this, 'UserPoolId', { value: platform.identity.userPool.userPoolId }),
      clientId: new CfnOutput(this, 'ClientId', { value: client.userPoolClientId, description: 'fuzz step: machine client with every route scope' }),
      tokenUrl: new CfnOutput(this, 'TokenUrl', { value: `${domain.baseUrl()}/oauth2/token` }),
      apiKeyId: new CfnOutput(this, 'ApiKeyId', { value: apiKey.keyId }),
      apiUrl: new CfnOutput(this, 'ApiUrl', { value: platform.apiUrl, description: 'fuzz step: base URL' }),
      certificateAuthorityArn: caOutput,
    };
  }
}
