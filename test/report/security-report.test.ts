import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlatformKeys } from '../../lib/encryption/platform-keys';
import { PrivateNetwork } from '../../lib/network/private-network';
import { revocationSection } from '../../lib/private/security-report-render';
import { ARCHITECTURE_DOT_FILE, ARCHITECTURE_SVG_FILE, SECURITY_REPORT_FILE } from '../../lib/report/security-report';
import { expectNoFindings, newStack, synthWithGate } from '../support/harness';
import { CfnJson } from '../../lib/private/rule-helpers';

describe('security report (written on every synth)', () => {
  let report: string;
  let dot: string;
  let assemblyDir: string;

  beforeAll(() => {
    const stack = newStack('Reported');
    const keys = new PlatformKeys(stack, 'Keys');
    new PrivateNetwork(stack, 'Network', {
      logsKey: keys.logsKey,
      allowInternetEgressViaNat: { reason: 'legacy partner API has no PrivateLink endpoint' },
    });
    const result = synthWithGate(stack);
    expectNoFindings(result);
    assemblyDir = result.assemblyDir;
    report = fs.readFileSync(path.join(result.assemblyDir, SECURITY_REPORT_FILE), 'utf8');
    dot = fs.readFileSync(path.join(result.assemblyDir, ARCHITECTURE_DOT_FILE), 'utf8');
  });

  it('lists every PlatformChecks rule and the packs that ran', () => {
    expect(report).toMatch(/Packs: AwsSolutions, Serverless, NIST\.800\.53\.R5, PCI\.DSS\.321, HIPAA\.Security, PlatformChecks/);
    for (const id of ['LogGroupEncryptedWithRetention', 'VpcEndpointRestrictivePolicy', 'SecurityGroupNoOpenEgress', 'KmsKeyPolicyScoped']) {
      expect(report).toContain(`PlatformChecks \`Platform-${id}\``);
    }
  });

  it('lists each acknowledgement with its construct and reason', () => {
    expect(report).toMatch(
      /\| `AwsSolutions::AwsSolutions-IAM5\[Resource::<NetworkFlowLogGroup[0-9A-F]+\.Arn>:log-stream:\*\]` \| `Reported\/Network\/FlowLogPolicy` \| VPC Flow Logs creates one log stream per network interface/,
    );
  });

  it('lists opt-outs with their reasons', () => {
    expect(report).toContain('| isolated subnets without internet egress | `Reported/Network` | legacy partner API has no PrivateLink endpoint |');
  });

  it('maps every practice P1–P16 to the resources implementing it', () => {
    for (let i = 1; i <= 16; i++) expect(report).toMatch(new RegExp(`^### P${i} `, 'm'));
    expect(report).toMatch(/### P8 Encrypt at rest\n\n- `Reported\/Keys\/DataKey\/Resource` \(AWS::KMS::Key\): customer managed key with rotation/);
    expect(report).toMatch(/### P9 [^\n]+\n\n(- [^\n]+\n)*- `Reported\/Network\/Vpc\/FlowLog\/FlowLog` \(AWS::EC2::FlowLog\): VPC flow log \(ALL\)/);
    expect(report).toMatch(/### P2 Authenticate every request\n\n- not implemented by any resource in this app/);
  });

  it('renders the DOT to SVG and links it when Graphviz is installed, and keeps Mermaid only when it is not', () => {
    const svgPath = path.join(assemblyDir, ARCHITECTURE_SVG_FILE);
    if (spawnSync('dot', ['-V']).status === 0) {
      expect(fs.readFileSync(svgPath, 'utf8')).toMatch(/<svg[\s\S]*KMS keys x2/);
      expect(report).toContain(`![architecture](${ARCHITECTURE_SVG_FILE})`);
    } else {
      expect(fs.existsSync(svgPath)).toBe(false);
      expect(report).not.toContain('![architecture]');
    }
  });

  it('draws the architecture as Mermaid in the markdown and as DOT', () => {
    expect(report).toMatch(/```mermaid\nflowchart LR\n/);
    expect(report).toContain('endpoints["VPC endpoints x8"]');
    expect(report).toContain('kms["KMS keys x2"]');
    expect(dot).toMatch(/^digraph platform \{/);
    expect(dot).toContain('kms -> endpoints;');
  });
});

describe('security report: which relying parties check revocation', () => {
  const stack = (resources: Record<string, { Type: string; Properties?: CfnJson }>) => [{ stackPath: 'S', resources }];
  const ca = { Type: 'AWS::ACMPCA::CertificateAuthority', Properties: { RevocationConfiguration: { CrlConfiguration: { Enabled: true } } } };
  const authorizer = {
    Type: 'AWS::ApiGateway::Authorizer',
    Properties: { IdentitySource: 'method.request.header.Authorization,context.identity.clientCert.serialNumber', AuthorizerResultTtlInSeconds: 60 },
  };
  const domain = { Type: 'AWS::ApiGateway::DomainName', Properties: { MutualTlsAuthentication: { TruststoreUri: 's3://b/t.pem' } } };
  const sync = { Type: 'AWS::Events::Rule', Properties: { EventPattern: { detail: { eventName: ['RevokeCertificate'] } } } };

  it('says the authorizer checks (naming the CloudTrail sync and its trail), API Gateway mTLS does not, and who reads the CRL', () => {
    const text = revocationSection(stack({ ca, authorizer, domain, sync })).join('\n');
    expect(text).toContain('| mTLS authorizer (ClientCertificateAuthorizer) x1 | **yes** | refuses serials on its deny-list within 60 s');
    expect(text).toContain('CloudTrail RevokeCertificate sync, which needs a trail recording management events in the region');
    expect(text).toContain('| API Gateway mutual TLS (custom domain) x1 | **no** |');
    expect(text).toContain('1 of 1 CA(s) publish a CRL to a private S3 bucket: no relying party above fetches it');
  });

  it('says so when revocations made outside csm-certs cannot reach the API, and stays silent without a CA', () => {
    expect(revocationSection(stack({ ca, authorizer })).join('\n')).toContain(
      'revocations made elsewhere (console, AWS CLI) do **not** reach it: no CloudTrail sync in this app',
    );
    expect(revocationSection(stack({ authorizer }))).toEqual([]);
  });
});
