import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';

/**
 * Rejects a KMS key whose region is known and differs from `region` (KMS keys are regional: a bucket or table
 * can only use a key of its own region). Unresolved regions (env-agnostic stacks) are skipped.
 */
export function requireKeyInRegion(scope: IConstruct, prop: string, key: kms.IKey, region: string, usedFor: string): void {
  const keyRegion = key.env.region;
  if (Token.isUnresolved(keyRegion) || Token.isUnresolved(region) || keyRegion === region) return;
  invalidProp(
    scope,
    prop,
    keyRegion,
    `${usedFor} is in ${region}, but this key is in ${keyRegion}; KMS keys are regional`,
    `pass a key that lives in ${region} (e.g. PlatformKeys.dataKey of a stack in ${region})`,
  );
}

/**
 * Grants `actions` on `key` to `grantee`, usable only through `service` (kms:ViaService) in the key's region,
 * so the permission works for the storage it was granted for and not for direct KMS calls.
 */
export function grantKeyViaService(key: kms.IKey, grantee: iam.IGrantable, service: string, actions: string[]): iam.Grant {
  return iam.Grant.addToPrincipalOrResource({
    grantee,
    actions,
    resourceArns: [key.keyArn],
    resourceSelfArns: ['*'],
    resource: key,
    conditions: viaService(service, key.env.region),
  });
}

/** The condition that limits a KMS permission to calls made by `service` in `region` on the caller's behalf. */
export function viaService(service: string, region: string): Record<string, Record<string, unknown>> {
  return { StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } };
}
