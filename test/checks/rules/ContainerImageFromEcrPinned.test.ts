import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { describe, expect, it } from 'vitest';
import { ContainerImageFromEcrPinned } from '../../../lib/checks/rules';
import { newStack } from '../../support/harness';
import { ruleViolations } from '../../support/checks';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function task(stack: Stack, id: string, image: ecs.ContainerImage): void {
  new ecs.FargateTaskDefinition(stack, id).addContainer('app', { image, user: '1000:1000' });
}

describe('Platform-ContainerImageFromEcrPinned', () => {
  it('accepts a tag of an immutable repository of the app, a digest, and an immutable repository named literally', () => {
    const stack = newStack();
    const repo = new ecr.Repository(stack, 'Repo', { imageTagMutability: ecr.TagMutability.IMMUTABLE, repositoryName: 'team/orders' });
    task(stack, 'ByTag', ecs.ContainerImage.fromEcrRepository(repo, '1.4.2'));
    task(stack, 'ByDigest', ecs.ContainerImage.fromRegistry(`111122223333.dkr.ecr.eu-west-1.amazonaws.com/elsewhere@${DIGEST}`));
    task(stack, 'ByName', ecs.ContainerImage.fromRegistry('111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/orders:1.4.2'));
    expect(ruleViolations(ContainerImageFromEcrPinned, stack)).toEqual([]);
  });

  it.each([
    ['Docker Hub', ecs.ContainerImage.fromRegistry('nginx:1.27')],
    ['Docker Hub latest', ecs.ContainerImage.fromRegistry('library/nginx:latest')],
    ['another registry, even by digest', ecs.ContainerImage.fromRegistry(`ghcr.io/acme/app@${DIGEST}`)],
    [
      'an external ECR repository by tag (its tags may move)',
      ecs.ContainerImage.fromRegistry('444455556666.dkr.ecr.eu-west-1.amazonaws.com/base:1.0'),
    ],
    ['ECR without tag (means latest)', ecs.ContainerImage.fromRegistry('111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/orders')],
  ])('flags %s', (_name, image) => {
    const stack = newStack();
    new ecr.Repository(stack, 'Repo', { imageTagMutability: ecr.TagMutability.IMMUTABLE, repositoryName: 'team/orders' });
    task(stack, 'Task', image);
    expect(ruleViolations(ContainerImageFromEcrPinned, stack)).toEqual(['TestStack/Task/Resource']);
  });

  it('flags a tag of a mutable repository of the app, and the latest tag of an immutable one', () => {
    const stack = newStack();
    task(
      stack,
      'Mutable',
      ecs.ContainerImage.fromEcrRepository(new ecr.Repository(stack, 'MutableRepo', { imageTagMutability: ecr.TagMutability.MUTABLE }), '1.0.0'),
    );
    task(
      stack,
      'Latest',
      ecs.ContainerImage.fromEcrRepository(new ecr.Repository(stack, 'Immutable', { imageTagMutability: ecr.TagMutability.IMMUTABLE }), 'latest'),
    );
    expect(ruleViolations(ContainerImageFromEcrPinned, stack)).toEqual(['TestStack/Latest/Resource', 'TestStack/Mutable/Resource']);
  });
});
