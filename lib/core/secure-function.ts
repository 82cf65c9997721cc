import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFinding, acknowledgeFindings, complianceFindingIds } from './acknowledge';
import { handlerCode, HandlerName } from '../private/handler-code';
import { viaService } from '../private/key-use';
import { invalidProp } from '../private/errors';
import { createSecureLogGroup } from './secure-log-group';

export interface SecureFunctionOptions {
  /** Handler bundle name (`lib/<area>/handlers/<name>.lambda.ts`). */
  readonly handler: HandlerName;
  readonly description: string;
  /** Encrypts the function's log group. */
  readonly logsKey: kms.IKey;
  /** Exactly what the function may do, on exact resources. */
  readonly statements: iam.PolicyStatement[];
  readonly environment?: Record<string, string>;
  readonly timeout: Duration;
  /**
   * Reserved concurrency. Lambda refuses a reservation that leaves fewer than 10 unreserved executions, and new
   * accounts often have a quota of 10, so nothing is reserved unless asked.
   * @default - none (the account's unreserved pool)
   */
  readonly reservedConcurrentExecutions?: number;
  /** @default - not in a VPC */
  readonly vpc?: ec2.IVpc;
  /** @default - isolated subnets of `vpc` */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default Duration.days(365) */
  readonly logRetention?: Duration;
  /**
   * Where asynchronous invocations that failed every retry go (the function may send to it: sqs:SendMessage, and the
   * queue's key through SQS). Give this or `noDeadLetterQueueReason`.
   * @default - none; `noDeadLetterQueueReason` says why
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /** Why failed invocations need no dead-letter queue (depends on who invokes the function). */
  readonly noDeadLetterQueueReason?: string;
}

/** Lambda's limit for a function's environment: keys and values together, not adjustable. */
export const LAMBDA_ENVIRONMENT_BYTES = 4096;
/** What an unresolved value (a reference, resolved at deploy time) is counted as: an ARN or a name fits. */
const UNRESOLVED_VALUE_BYTES = 256;

/**
 * Bytes of a function's environment as Lambda counts them (keys and values), from the synthesized variables: literal
 * values exactly, references (`Ref`, `Fn::GetAtt`, ...) as UNRESOLVED_VALUE_BYTES each.
 */
export function environmentBytes(variables: Record<string, unknown> | undefined): number {
  return Object.entries(variables ?? {}).reduce(
    (n, [key, value]) => n + Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : UNRESOLVED_VALUE_BYTES),
    0,
  );
}

const DLQ_IDS = ['Serverless::Serverless-LambdaDLQ', 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security::HIPAA.Security-LambdaDLQ'];

/**
 * The platform's Lambda functions (PKI, identity triggers): latest Node.js runtime, ARM, X-Ray tracing, JSON logs into an encrypted log group
 * with finite retention, and a role whose only permissions are a customer managed policy with exact statements
 * (no AWS managed policies, no inline default policy).
 */
export function createSecureFunction(scope: Construct, id: string, options: SecureFunctionOptions): lambda.Function {
  const logGroup = createSecureLogGroup(scope, `${id}Logs`, { encryptionKey: options.logsKey, retention: options.logRetention });
  const stack = Stack.of(scope);
  const policy = new iam.ManagedPolicy(scope, `${id}Policy`, {
    statements: functionStatements(scope, id, options, logGroup.logGroupArn),
    description: `${options.description} (${stack.stackName})`,
  });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: [policy],
    description: options.description,
  });
  const fn = new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_LATEST,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: handlerCode(options.handler),
    description: options.description,
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    timeout: options.timeout,
    memorySize: 256,
    reservedConcurrentExecutions: options.reservedConcurrentExecutions,
    environment: options.environment,
    vpc: options.vpc,
    vpcSubnets: options.vpc ? (options.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }) : undefined,
  });
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  validateEnvironmentSize(fn, cfn);
  // Tracing through the L1: the L2 would add its X-Ray permissions to an inline default policy.
  cfn.tracingConfig = { mode: 'Active' };
  acknowledgeFinding(
    policy,
    'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    'X-Ray PutTraceSegments/PutTelemetryRecords (and Lambda ENI management in a VPC) support no resource-level permissions.',
  );
  // Through the L1 as well: the L2's deadLetterQueue would add its grant to an inline default policy.
  if (options.deadLetterQueue) cfn.deadLetterConfig = { targetArn: options.deadLetterQueue.queueArn };
  acknowledgeOptionalControls(cfn, options);
  return fn;
}

/**
 * The statements of the function's policy: its own logs, X-Ray, the caller's statements, ENI management in a VPC and
 * sending to the dead-letter queue (whose absence must be explained).
 */
function functionStatements(scope: Construct, id: string, options: SecureFunctionOptions, logGroupArn: string): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroupArn}`] }),
    new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
    ...options.statements,
  ];
  if (options.vpc) {
    statements.push(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
  }
  const dlq = options.deadLetterQueue;
  if (dlq) {
    statements.push(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [dlq.queueArn] }));
    if (dlq.encryptionMasterKey) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [dlq.encryptionMasterKey.keyArn],
          conditions: viaService('sqs', Stack.of(scope).region),
        }),
      );
    }
  } else if (!options.noDeadLetterQueueReason) {
    throw new Error(`${scope.node.path}/${id}: give deadLetterQueue or noDeadLetterQueueReason`);
  }
  return statements;
}

/** Values such as the trigger's role → scopes map grow with the app: fail at synth, not at deploy. */
function validateEnvironmentSize(fn: lambda.Function, cfn: lambda.CfnFunction): void {
  fn.node.addValidation({
    validate: () => {
      const env = Stack.of(fn).resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined;
      const bytes = environmentBytes(env?.variables);
      return bytes > LAMBDA_ENVIRONMENT_BYTES
        ? [
            `${fn.node.path}: the function's environment is ${bytes} bytes (references counted as ${UNRESOLVED_VALUE_BYTES}), over the ${LAMBDA_ENVIRONMENT_BYTES} bytes Lambda allows, so the deployment would fail. Fix: keep what grows with the app (roles, scopes, routes) smaller, e.g. fewer roles or shorter scope names.`,
          ]
        : [];
    },
  });
}

/** Acknowledges the controls the function leaves out by default (dead-letter queue, reserved concurrency, VPC), with why. */
function acknowledgeOptionalControls(cfn: lambda.CfnFunction, options: SecureFunctionOptions): void {
  if (!options.deadLetterQueue) acknowledgeFindings(cfn, DLQ_IDS, options.noDeadLetterQueueReason!);
  if (options.reservedConcurrentExecutions === undefined) {
    acknowledgeFindings(
      cfn,
      complianceFindingIds('LambdaConcurrency').filter((id) => !id.startsWith('PCI')),
      'No reserved concurrency by default: Lambda refuses a reservation that leaves fewer than 10 unreserved executions, and new accounts have a concurrency quota of 10, so a reservation would fail the first deploy. Set reservedConcurrentExecutions once the account quota is raised.',
    );
  }
  if (!options.vpc) {
    acknowledgeFindings(
      cfn,
      complianceFindingIds('LambdaInsideVPC'),
      'No vpc prop was given: the function calls AWS APIs only (no data stores in a VPC); pass vpc with endpoints for these services to run it inside one.',
    );
  }
}

/**
 * A custom-resource or authorizer handler in a VPC without internet egress cannot answer CloudFormation (the response
 * URL is an AWS-owned S3 bucket, which a this-account gateway endpoint policy blocks) nor reach public endpoints:
 * refuse it at synth instead of a deploy that hangs. A Lambda function never gets a public IP, so public subnets do
 * not give it egress either: only private subnets with a NAT route do, and the function is placed there.
 * @returns the subnets to place the function in (the VPC's private subnets with egress)
 */
export function egressSubnets(scope: Construct, vpc: ec2.IVpc, needs: string): ec2.SubnetSelection {
  if (vpc.privateSubnets.length === 0) {
    invalidProp(
      scope,
      'vpc',
      vpc.node.path,
      `the VPC has no private subnets with NAT egress (a Lambda function gets no public IP, so isolated and public subnets cannot reach the internet), and the function needs ${needs}, which are reached over the internet (PrivateNetwork has no acm-pca endpoint, and its S3 gateway endpoint admits only this account's buckets)`,
      'omit vpc (the function calls AWS APIs only and holds no data of the VPC), or pass a VPC with private subnets behind NAT (PrivateNetwork allowInternetEgressViaNat)',
    );
  }
  return { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
}
