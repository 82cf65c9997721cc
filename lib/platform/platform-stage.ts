import { Environment, Stack, Stage } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { invalidProp } from '../private/errors';
import { PLATFORM_PROFILES } from './profiles';
import { SecureMicroservicePlatform, SecureMicroservicePlatformProps } from './secure-microservice-platform';

export interface PlatformStageProps extends Omit<SecureMicroservicePlatformProps, 'environmentName' | 'profile'> {
  /** Profile name: `dev` or `prod` (see PLATFORM_PROFILES). */
  readonly profile: string;
  /**
   * Account and region to deploy to.
   * @default - env-agnostic (resolved at deploy time)
   */
  readonly env?: Environment;
}

/**
 * One deployable environment: a CDK Stage holding the platform stack (and its nested service stacks), built with
 * the named profile. Grow past one environment with one PlatformStage per account/region.
 */
export class PlatformStage extends Stage {
  public readonly stack: Stack;
  public readonly platform: SecureMicroservicePlatform;

  constructor(scope: Construct, id: string, props: PlatformStageProps) {
    super(scope, id, { env: props.env });
    const profile = PLATFORM_PROFILES[props.profile as keyof typeof PLATFORM_PROFILES];
    if (!profile) {
      invalidProp(this, 'profile', props.profile, 'unknown profile', `use one of ${Object.keys(PLATFORM_PROFILES).join(', ')}`);
    }
    const { profile: _name, env: _env, ...platformProps } = props;
    this.stack = new Stack(this, 'Platform', {
      description: `cdk-secure-microservices platform (${id}, profile ${props.profile})`,
      terminationProtection: props.profile === 'prod',
    });
    this.platform = new SecureMicroservicePlatform(this.stack, 'Platform', { ...platformProps, environmentName: id, profile });
  }
}
