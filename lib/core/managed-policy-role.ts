import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * An IAM role whose grants land in one customer managed policy (`<id>/Policy`) instead of the inline
 * DefaultPolicy CDK creates. NIST 800-53, PCI DSS and HIPAA packs flag every inline policy (IAMNoInlinePolicy);
 * with this role, `bucket.grantRead(role)` and CDK's own grants (ECR pulls, log writes, secrets) stay
 * least-privilege and compliant. The policy is created on the first statement, so a role without grants has none.
 */
export interface ManagedPolicyRoleProps extends iam.RoleProps {
  /**
   * Merge grants with the same actions (or the same resources) into one statement, for a role many constructs grant
   * to (e.g. an execution role shared by the services of a stack): an IAM managed policy holds 6,144 characters.
   * @default false
   */
  readonly mergeGrants?: boolean;
}

export class ManagedPolicyRole extends iam.Role {
  private grantsPolicy?: iam.ManagedPolicy;
  private readonly mergeGrants: boolean;

  constructor(scope: Construct, id: string, props: ManagedPolicyRoleProps) {
    const { mergeGrants, ...roleProps } = props;
    super(scope, id, roleProps);
    this.mergeGrants = mergeGrants ?? false;
  }

  /** The customer managed policy that holds this role's grants (undefined until the first grant). */
  public get policy(): iam.ManagedPolicy | undefined {
    return this.grantsPolicy;
  }

  public override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (!this.grantsPolicy) {
      this.grantsPolicy = new iam.ManagedPolicy(this, 'Policy', {
        roles: [this],
        document: this.mergeGrants ? new iam.PolicyDocument({ minimize: true }) : undefined,
      });
    }
    this.grantsPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.grantsPolicy };
  }
}
