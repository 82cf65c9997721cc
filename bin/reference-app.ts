import { App, Stack, StackProps, Stage, StageProps } from 'aws-cdk-lib';
import { AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { applySecurityChecks } from '../lib/checks/apply-security-checks';
import { PlatformKeys } from '../lib/encryption/platform-keys';
import { PrivateNetwork } from '../lib/network/private-network';
import { SecureBucket } from '../lib/storage/secure-bucket';
import { SecureTable } from '../lib/storage/secure-table';
import { addReferencePki, ReferencePki } from './reference-pki';

/** Per-environment settings read from cdk.json context (`environments.<name>`). */
export interface ReferenceEnvironment {
  readonly account?: string;
  readonly region?: string;
  readonly availabilityZones?: number;
  readonly logRetentionDays?: number;
}

/** The reference platform of one environment. Later capabilities join this stack. */
export class ReferencePlatformStack extends Stack {
  public readonly keys: PlatformKeys;
  public readonly network: PrivateNetwork;
  /** Demo storage for services (issue #6). */
  public readonly demoBucket: SecureBucket;
  public readonly demoTable: SecureTable;
  /** CA, truststore, authorizer and mTLS domain; present when context `pki` is set. */
  public readonly pki?: ReferencePki;

  constructor(scope: Construct, id: string, settings: ReferenceEnvironment, props?: StackProps) {
    super(scope, id, props);
    this.keys = new PlatformKeys(this, 'Keys', { aliasPrefix: `platform/${Stage.of(this)?.stageName ?? 'dev'}` });
    this.network = new PrivateNetwork(this, 'Network', {
      logsKey: this.keys.logsKey,
      availabilityZones: settings.availabilityZones,
      flowLogRetentionDays: settings.logRetentionDays,
    });
    this.demoBucket = new SecureBucket(this, 'DemoBucket', { encryptionKey: this.keys.dataKey });
    this.demoTable = new SecureTable(this, 'DemoTable', {
      encryptionKey: this.keys.dataKey,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
    });
    this.pki = addReferencePki(this, this.keys);
  }
}

/** One deployable environment of the reference platform. */
export class ReferenceStage extends Stage {
  public readonly platform: ReferencePlatformStack;

  constructor(scope: Construct, id: string, settings: ReferenceEnvironment, props?: StageProps) {
    super(scope, id, props);
    this.platform = new ReferencePlatformStack(this, 'Platform', settings);
  }
}

const ENV_NAME = /^[a-z][a-z0-9-]{0,15}$/;

/**
 * Builds the reference app: the environment name comes from context `env` (default `dev`), its settings from
 * context `environments.<env>`; the stack stays env-agnostic unless account and region are given there.
 */
export function createReferenceApp(app: App): ReferenceStage {
  const envName = String(app.node.tryGetContext('env') ?? 'dev');
  if (!ENV_NAME.test(envName)) {
    throw new Error(`Invalid context env (received "${envName}"): environment names are lower-case letters, digits and "-", starting with a letter, at most 16 characters. Fix: run with -c env=dev (or another name under "environments" in cdk.json).`);
  }
  const environments = (app.node.tryGetContext('environments') ?? {}) as Record<string, ReferenceEnvironment>;
  const settings = environments[envName] ?? {};
  const env = settings.account && settings.region ? { account: settings.account, region: settings.region } : undefined;
  const stage = new ReferenceStage(app, envName, settings, { env });
  applySecurityChecks(app);
  return stage;
}
