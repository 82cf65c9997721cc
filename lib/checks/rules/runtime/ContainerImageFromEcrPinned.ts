import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { allConstructs, asArray, resolvedProperties, CfnJson } from '../../../private/rule-helpers';
import { PlatformRule } from '../../rule';

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag][@sha256:digest]` with tokens as `{}`. */
const ECR_IMAGE = /^[^/]*\.dkr\.ecr\.[^/]*\.amazonaws\.com(?:\.cn)?\/(?<repository>[^:@]+)(?::(?<tag>[^@]+))?(?:@(?<digest>.+))?$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** cdk-assets image tags are the asset's content hash (the bootstrap repository is immutable). */
const CONTENT_HASH = /^[a-f0-9]{64}$/;
const TOKEN = '{}';

/**
 * Every container image of an ECS task definition comes from Amazon ECR and is pinned: by digest, or by a tag
 * (never `latest`) of a repository that does not let tags move — an `IMMUTABLE` repository of this app (by
 * reference or by name; cross-stack references point at repositories of this app, which
 * Platform-EcrRepositoryHardened keeps immutable) or cdk-assets' content-hash tags. Docker Hub and other
 * registries fail.
 */
export const ContainerImageFromEcrPinned: PlatformRule = {
  id: 'ContainerImageFromEcrPinned',
  info: 'A container image is not from Amazon ECR, or is not pinned by digest or by a tag of an immutable repository (or uses "latest").',
  explanation:
    "An image from a public registry or a movable tag can change under a running service without any deploy: whoever controls the tag decides what runs next. Images come from the platform's ECR repositories (scanned on push, immutable tags) or are pinned by digest (image@sha256:...).",
  practices: ['P14'],
  check(node: CfnResource) {
    if (node.cfnResourceType !== 'AWS::ECS::TaskDefinition') return NagRuleCompliance.NOT_APPLICABLE;
    const containers = asArray<CfnJson>(resolvedProperties(node).ContainerDefinitions);
    return containers.every((c) => isPinnedEcrImage(node, c.Image)) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};

function isPinnedEcrImage(node: CfnResource, image: unknown): boolean {
  const repositories: string[] = [];
  const text = flatten(node, image, repositories);
  const m = ECR_IMAGE.exec(text);
  if (!m?.groups) return false;
  const { repository, tag, digest } = m.groups;
  if (digest !== undefined) return DIGEST.test(digest);
  if (tag === undefined || tag === 'latest' || tag === TOKEN) return false;
  if (repositories.length > 0) return repositories.every((id) => immutable(repositoryByLogicalId(node, id)));
  if (!repository.includes(TOKEN)) {
    const named = repositoryByName(node, repository);
    return named !== undefined ? immutable(named) : CONTENT_HASH.test(tag) && repository.includes('container-assets');
  }
  // A reference from another stack (export or nested-stack parameter): a repository of this app.
  return true;
}

/** The image as text, every intrinsic as `{}`; repositories referenced in this stack are collected by logical id. */
function flatten(node: CfnResource, value: unknown, repositories: string[]): string {
  if (typeof value === 'string') return value.replace(/\$\{[^}]*\}/g, TOKEN);
  if (!value || typeof value !== 'object') return TOKEN;
  const v = value as CfnJson;
  if (Array.isArray(v['Fn::Join']) && v['Fn::Join'][0] === '') {
    return asArray<unknown>(v['Fn::Join'][1])
      .map((part) => flatten(node, part, repositories))
      .join('');
  }
  if (v.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
  if (typeof v.Ref === 'string' && repositoryByLogicalId(node, v.Ref)) repositories.push(v.Ref);
  return TOKEN;
}

function cfnRepositories(node: CfnResource, wholeApp: boolean): CfnResource[] {
  const scope = wholeApp ? node.node.root : Stack.of(node);
  return allConstructs(scope).filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::ECR::Repository');
}

function repositoryByLogicalId(node: CfnResource, logicalId: string): CfnResource | undefined {
  const stack = Stack.of(node);
  return cfnRepositories(node, false).find((r) => Stack.of(r) === stack && stack.resolve(r.logicalId) === logicalId);
}

function repositoryByName(node: CfnResource, name: string): CfnResource | undefined {
  return cfnRepositories(node, true).find((r) => resolvedProperties(r).RepositoryName === name);
}

function immutable(repository: CfnResource | undefined): boolean {
  return repository !== undefined && resolvedProperties(repository).ImageTagMutability === 'IMMUTABLE';
}
