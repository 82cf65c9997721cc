/** The bench's generated platform (service mix documented in bench/run.ts and BENCHMARKS.md). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { PlatformStage } from '../lib/platform/platform-stage';

const CONTEXT = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** Services per scope group (resource server) in the bench mix: 2 scopes each, 80 of Cognito's 100 per server. */
export const SERVICES_PER_SCOPE_GROUP = 40;

/** Adds `count` services of the documented mix (bench/run.ts) to a dev platform with mTLS. */
export function buildScalePlatform(app: App, count: number, layout: { servicesPerStack?: number; servicesPerGateway?: number } = {}): PlatformStage {
  // Prefix list ids are per environment (region), the rest shared.
  const platformContext = { ...(CONTEXT.platform as object), ...(CONTEXT.environments as Record<string, object>).dev } as Record<string, unknown>;
  const stage = new PlatformStage(app, 'dev', {
    profile: 'dev',
    serviceDomain: platformContext.serviceDomain as string,
    serviceCertificateArn: platformContext.serviceCertificateArn as string,
    s3PrefixListId: platformContext.s3PrefixListId as string,
    dynamoDbPrefixListId: platformContext.dynamoDbPrefixListId as string,
    mutualTls: platformContext.mutualTls as { domainName: string; certificateArn: string },
    ...layout,
  });
  for (let i = 1; i <= count; i++) {
    const name = `svc-${i}`;
    const scopeGroup = `domain-${Math.ceil(i / SERVICES_PER_SCOPE_GROUP)}`;
    stage.platform.addService(name, {
      imageTag: '1.0.0',
      scopeGroup,
      routes: [{ version: 'v1', path: `/${name}`, method: 'GET', scopes: [`${scopeGroup}/${name}.read`] }],
      machineClients: { [`client-${i}`]: [`${scopeGroup}/${name}.read`] },
      table: i % 3 === 0,
      bucket: i % 5 === 0 ? { withoutReplication: { reason: 'benchmark service: synthesized only, never deployed' } } : undefined,
    });
  }
  return stage;
}
