import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { PlatformRule } from '../../rule';
import { allConstructs, resolvedProperties } from '../../../private/rule-helpers';

/**
 * Every S3 bucket a CloudTrail trail of its stack delivers to (the trail's `S3BucketName` references the bucket or
 * names it) has Object Lock enabled with a default retention. Trails delivering to a bucket of another stack or
 * account are outside this check.
 */
export const AuditBucketObjectLock: PlatformRule = {
  id: 'AuditBucketObjectLock',
  info: 'The S3 bucket a CloudTrail trail delivers to has no Object Lock default retention.',
  explanation:
    'Whoever can delete objects of the trail bucket can erase the evidence of what they did; Object Lock (GOVERNANCE in dev, COMPLIANCE in prod) keeps every log file for its retention period. Object Lock can only be turned on when the bucket is created: SecureBucket objectLock, as AccountSecurityBaseline uses it.',
  practices: ['P9'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::S3::Bucket') return NagRuleCompliance.NOT_APPLICABLE;
    const stack = Stack.of(node);
    const props = resolvedProperties(node);
    const names = [JSON.stringify(stack.resolve(node.ref)), JSON.stringify(props.BucketName ?? null)];
    const isTrailBucket = allConstructs(stack).some(
      (c) =>
        CfnResource.isCfnResource(c) &&
        c.cfnResourceType === 'AWS::CloudTrail::Trail' &&
        Stack.of(c) === stack &&
        names.includes(JSON.stringify(resolvedProperties(c).S3BucketName)),
    );
    if (!isTrailBucket) return NagRuleCompliance.NOT_APPLICABLE;
    const retention = props.ObjectLockConfiguration?.Rule?.DefaultRetention;
    const locked =
      (props.ObjectLockEnabled === true || props.ObjectLockEnabled === 'true') &&
      props.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled' &&
      ['GOVERNANCE', 'COMPLIANCE'].includes(retention?.Mode) &&
      (Number(retention?.Days) > 0 || Number(retention?.Years) > 0);
    return locked ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
