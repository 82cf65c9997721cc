import { Aws, Environment, Stack, Stage } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AccountSecurityBaseline, OrganizationManagedParts } from '../baseline/account-security-baseline';
import { invalidProp } from '../private/errors';
import { ACCOUNT_BASELINE_SKIPPED_CONTROL } from '../private/organization-managed';
import { recordOptOut, SecurityOptOut } from '../core/opt-out';
import { PlatformRegistry } from '../registry/platform-registry';
import { PLATFORM_PROFILES, PlatformProfileName } from './profiles';
import { SecureMicroservicePlatform, SecureMicroservicePlatformProps } from './secure-microservice-platform';

/** How PlatformStage builds the account security baseline. */
export interface PlatformBaselineOptions {
  /**
   * Parts a delegated administrator of the organization already runs here (e.g. in a Control Tower account), each
   * with the reason.
   * @default - every part is created
   */
  readonly organizationManaged?: OrganizationManagedParts;
}

export interface PlatformStageProps extends Omit<SecureMicroservicePlatformProps, 'environmentName' | 'profile' | 'registry'> {
  /** Profile name: `dev` or `prod` (see PLATFORM_PROFILES). */
  readonly profile: PlatformProfileName;
  /**
   * Account and region to deploy to.
   * @default - env-agnostic (resolved at deploy time)
   */
  readonly env?: Environment;
  /**
   * The account security baseline stack (`<env>/Baseline`).
   * @default - every part, Object Lock mode and retention from the profile
   */
  readonly accountBaseline?: PlatformBaselineOptions;
  /**
   * Do not create the baseline stack, with the reason (e.g. another environment in the same account and region
   * already deploys it: GuardDuty, Security Hub and the ECR scanning setting exist once per account and region).
   * @default - the baseline is created
   */
  readonly withoutAccountBaseline?: SecurityOptOut;
}

/**
 * One deployable environment: a CDK Stage holding the account security baseline stack (`<env>/Baseline`, deployed
 * first) and the platform stack (and its nested service stacks), built with the named profile. Grow past one
 * environment with one PlatformStage per account/region.
 */
export class PlatformStage extends Stage {
  /** `<env>/Registry`: the services' image repositories, deployed before the platform (push images in between). */
  public readonly registryStack: Stack;
  public readonly registry: PlatformRegistry;
  public readonly stack: Stack;
  public readonly platform: SecureMicroservicePlatform;
  /** Absent with `withoutAccountBaseline`. */
  public readonly baselineStack?: Stack;
  public readonly baseline?: AccountSecurityBaseline;
  /** The profile this environment was built with (`dev`, `prod`). */
  public readonly profileName: PlatformProfileName;

  constructor(scope: Construct, id: string, props: PlatformStageProps) {
    super(scope, id, { env: props.env });
    // Looked up with hasOwn: JavaScript callers can pass any string, including "constructor".
    const profile = Object.hasOwn(PLATFORM_PROFILES, props.profile) ? PLATFORM_PROFILES[props.profile] : undefined;
    if (!profile) {
      invalidProp(this, 'profile', props.profile, 'unknown profile', `use one of ${Object.keys(PLATFORM_PROFILES).join(', ')}`);
    }
    if (props.accountBaseline && props.withoutAccountBaseline) {
      invalidProp(
        this,
        'withoutAccountBaseline',
        props.withoutAccountBaseline.reason,
        'accountBaseline and withoutAccountBaseline were both given',
        'keep one of them',
      );
    }
    this.profileName = props.profile;
    const { profile: _name, env: _env, accountBaseline, withoutAccountBaseline, ...platformProps } = props;
    this.registryStack = new Stack(this, 'Registry', {
      description: `cdk-secure-microservices image repositories (${id}); deploy before ${id}/Platform, then push the images`,
      terminationProtection: props.profile === 'prod',
    });
    this.registry = new PlatformRegistry(this.registryStack, 'Registry', { environmentName: id, alarmEmails: props.alarmEmails });
    this.stack = new Stack(this, 'Platform', {
      description: `cdk-secure-microservices platform (${id}, profile ${props.profile})`,
      terminationProtection: props.profile === 'prod',
    });
    if (withoutAccountBaseline) {
      recordOptOut(this, 'withoutAccountBaseline', ACCOUNT_BASELINE_SKIPPED_CONTROL, withoutAccountBaseline);
    } else {
      this.baselineStack = new Stack(this, 'Baseline', {
        description: `cdk-secure-microservices account security baseline (${id}, profile ${props.profile})`,
        terminationProtection: props.profile === 'prod',
      });
      // Buckets and tables CloudFormation names after the platform stack (nested stacks included) start with its name.
      const platformStackName = this.stack.stackName;
      this.baseline = new AccountSecurityBaseline(this.baselineStack, 'Baseline', {
        name: id,
        objectLockMode: profile.auditObjectLockMode,
        trailRetention: profile.auditRetention,
        logRetention: profile.logRetention,
        alarmEmails: props.alarmEmails,
        dataEvents: {
          s3ObjectArnPrefixes: [`arn:${Aws.PARTITION}:s3:::${platformStackName.toLowerCase()}-`],
          dynamoDbTableArnPrefixes: [`arn:${Aws.PARTITION}:dynamodb:${Aws.REGION}:${Aws.ACCOUNT_ID}:table/${platformStackName}-`],
        },
        organizationManaged: accountBaseline?.organizationManaged,
      });
      this.stack.addStackDependency(this.baselineStack, 'the account baseline (trail, detectors) is in place before the platform');
    }
    // Also without services: `cdk deploy '<env>/*'` deploys the registry first.
    this.stack.addStackDependency(this.registryStack, "the services pull their images from the registry stack's repositories");
    this.platform = new SecureMicroservicePlatform(this.stack, 'Platform', {
      ...platformProps,
      environmentName: id,
      profile,
      registry: this.registry,
    });
  }
}
