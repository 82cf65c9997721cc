import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { describe, expect, it } from 'vitest';
import { RestStageBehindRateLimitedWebAcl } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';
import { webAclIn } from '../../support/web-acl';

function stageIn(stack: Stack): apigw.CfnStage {
  return new apigw.CfnStage(stack, 'Stage', { restApiId: 'api123', deploymentId: 'dep123', stageName: 'prod' });
}

function stageArn(stack: Stack, stageName: string): string {
  return `arn:${stack.partition}:apigateway:${stack.region}::/restapis/api123/stages/${stageName}`;
}

describe('Platform-RestStageBehindRateLimitedWebAcl', () => {
  it('accepts a stage whose association references it and a web ACL with a blocking rate rule', () => {
    const stack = newStack();
    const stage = stageIn(stack);
    const acl = webAclIn(stack, 'block');
    new wafv2.CfnWebACLAssociation(stack, 'Assoc', { resourceArn: stageArn(stack, stage.ref), webAclArn: acl.attrArn });
    expect(ruleViolations(RestStageBehindRateLimitedWebAcl, stack)).toEqual([]);
  });

  it('flags a stage without any association', () => {
    const stack = newStack();
    stageIn(stack);
    webAclIn(stack, 'block');
    expect(ruleViolations(RestStageBehindRateLimitedWebAcl, stack)).toEqual(['TestStack/Stage']);
  });

  it('flags an association built from a literal stage name (it can race the stage)', () => {
    const stack = newStack();
    stageIn(stack);
    const acl = webAclIn(stack, 'block');
    new wafv2.CfnWebACLAssociation(stack, 'Assoc', { resourceArn: stageArn(stack, 'prod'), webAclArn: acl.attrArn });
    expect(ruleViolations(RestStageBehindRateLimitedWebAcl, stack)).toEqual(['TestStack/Stage']);
  });

  it('flags a stage whose web ACL has no blocking rate rule', () => {
    const stack = newStack();
    const stage = stageIn(stack);
    const acl = webAclIn(stack, 'none');
    new wafv2.CfnWebACLAssociation(stack, 'Assoc', { resourceArn: stageArn(stack, stage.ref), webAclArn: acl.attrArn });
    expect(ruleViolations(RestStageBehindRateLimitedWebAcl, stack)).toEqual(['TestStack/Stage']);
  });
});
