import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { asArray, resolvedProperties } from '../../../private/rule-helpers';

/**
 * Every service-to-service route has a timeout and drops failing targets: each Service Connect service of an ECS
 * service sets an idle timeout above 0 (and a per-request timeout, if set, above 0), every VPC Lattice service keeps
 * an idle timeout (absent means Lattice's 60 s; 0 is refused), and every VPC Lattice target group health-checks its
 * targets.
 */
export const ServiceToServiceRouteHasTimeout: PlatformRule = {
  id: 'ServiceToServiceRouteHasTimeout',
  info: 'A service-to-service route has no timeout (Service Connect without an idle timeout, or one of 0) or keeps failing targets (VPC Lattice target group without health checks).',
  explanation:
    "Without timeouts a slow or hung callee holds its callers' connections and threads until they fail too, and a route that keeps sending to failing targets spreads one task's failure to every caller. Timeouts on each route and health checks that remove failing targets contain the failure.",
  practices: ['P11'],
  check(node: CfnResource) {
    const props = resolvedProperties(node);
    switch (node.cfnResourceType) {
      case 'AWS::ECS::Service': {
        const services = asArray(props.ServiceConnectConfiguration?.Services) as {
          Timeout?: { IdleTimeoutSeconds?: number; PerRequestTimeoutSeconds?: number };
        }[];
        if (props.ServiceConnectConfiguration?.Enabled === false || services.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
        const timed = services.every((s) => (s.Timeout?.IdleTimeoutSeconds ?? 0) > 0 && s.Timeout?.PerRequestTimeoutSeconds !== 0);
        return timed ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
      }
      case 'AWS::VpcLattice::Service':
        return props.IdleTimeoutSeconds === 0 ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
      case 'AWS::VpcLattice::TargetGroup':
        if (props.Type === 'LAMBDA') return NagRuleCompliance.NOT_APPLICABLE;
        return props.Config?.HealthCheck?.Enabled === false ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
      default:
        return NagRuleCompliance.NOT_APPLICABLE;
    }
  },
};
