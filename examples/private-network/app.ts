// The smallest useful app: keys and a private network behind the security gate.
// Run: npx tsx examples/private-network/app.ts   (writes cdk.out.private-network/)
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
  const app = new App({ outdir: 'cdk.out.private-network', postCliContext: GATE_APP_CONTEXT });
  build(app);
  app.synth();
}
