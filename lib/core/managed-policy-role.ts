import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * An IAM role whose grants land in one customer managed policy (`<id>/Policy`) instead of the inline
 * DefaultPolicy CDK creates. NIST 800-53, PCI DSS and HIPAA packs flag every inline policy (IAMNoInlinePolicy);
 * with this role, `bucket.grantRead(role)` and CDK's own grants (ECR pulls, log writes, secrets) stay
 * least-privilege and compliant. The policy is created on the first statement, so a role without grants has none.
 */
export class ManagedPolicyRole extends iam.Role {
  private grantsPolicy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
  }

  /** The customer managed policy that holds this role's grants (undefined until the first grant). */
  public get policy(): iam.ManagedPolicy | undefined {
    return this.grantsPolicy;
  }

  public override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (!this.grantsPolicy) {
      this.grantsPolicy = new iam.ManagedPolicy(this, 'Policy', { roles: [this] });
    }
    this.grantsPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.grantsPolicy };
  }
}
