// The smallest useful app: keys and a private network behind the security gate.
// Synthesize (all packs must pass): npx cdk synth --app 'npx tsx examples/private-network/app.ts'
// List its stacks: npx cdk ls --app 'npx tsx examples/private-network/app.ts'
import { App, Stack } from 'aws-cdk-lib';
import { applySecurityChecks, GATE_APP_CONTEXT } from '../../lib/checks/apply-security-checks';
import { PlatformKeys } from '../../lib/encryption/platform-keys';
import { PrivateNetwork } from '../../lib/network/private-network';

export function build(app: App): void {
  const stack = new Stack(app, 'PrivateNetworkExample');
  const keys = new PlatformKeys(stack, 'Keys', { aliasPrefix: 'example' });
  new PrivateNetwork(stack, 'Network', { logsKey: keys.logsKey, availabilityZones: 3, additionalInterfaceEndpoints: ['ssm'] });
  applySecurityChecks(app);
}

if (require.main === module) {
  const app = new App({ postCliContext: GATE_APP_CONTEXT }); // outdir and context come from the CDK CLI
  build(app);
  app.synth();
}
