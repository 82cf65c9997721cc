#!/usr/bin/env node
/* csm-certs: issue, revoke and list mTLS client certificates of the platform's private CA. */
import { parseArgs, ParseArgsConfig } from 'node:util';
import { RevocationReason } from '@aws-sdk/client-acm-pca';
import {
  CertificateToolError,
  ClientKeyAlgorithm,
  defaultRecordsFile,
  issueClientCertificate,
  listClientCertificates,
  revokeClientCertificate,
} from './certs/client-certificates';

type Options = NonNullable<ParseArgsConfig['options']>;

const CONNECTION: Options = {
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  records: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const COMMON_HELP = `  --region <region>        AWS region (default: AWS_REGION / profile)
  --endpoint-url <url>     another endpoint, e.g. a VPC endpoint or moto for tests
  --records <file>         issuance records file (default: ${defaultRecordsFile()})
  -h, --help               show this help`;

const COMMANDS: Record<string, { options: Options; help: string; run(values: Record<string, string | boolean | undefined>): Promise<void> }> = {
  issue: {
    options: {
      'ca-arn': { type: 'string' },
      'common-name': { type: 'string' },
      'client-id': { type: 'string' },
      unbound: { type: 'boolean' },
      'out-dir': { type: 'string' },
      'key-algorithm': { type: 'string' },
      'validity-days': { type: 'string' },
      force: { type: 'boolean' },
    },
    help: `Usage: csm-certs issue --ca-arn <arn> --common-name <cn> --client-id <id> [options]

Generates a key pair and CSR locally (the private key never leaves this machine), has the CA issue a
certificate with the EndEntityClientAuthCertificate/V1 template, waits for it, and writes
<out-dir>/<cn>.cert.pem, <cn>.chain.pem and <cn>.key.pem (mode 0600). Records it for "list".
The certificate is bound to the OAuth client (URI SAN urn:cdk-secure-microservices:oauth-client:<id>):
the API accepts a token only with a certificate bound to the token's client_id.

  --ca-arn <arn>           the issuing CA (required)
  --common-name <cn>       subject CN, 1-64 of A-Z a-z 0-9 space . _ @ - (required)
  --client-id <id>         the Cognito app client whose tokens this certificate carries (required)
  --unbound                issue without a client binding instead (only for an API whose authorizer
                           opted out with withoutCertificateBinding)
  --out-dir <dir>          where to write the files (default: ./certs)
  --key-algorithm <alg>    ${Object.values(ClientKeyAlgorithm).join(' | ')} (default: EC_P256)
  --validity-days <n>      1-397, at most 7 on a short-lived CA (default: 30)
  --force                  overwrite existing files
${COMMON_HELP}`,
    async run(v) {
      const result = await issueClientCertificate({
        certificateAuthorityArn: required(v, 'ca-arn'),
        commonName: required(v, 'common-name'),
        clientId: clientBinding(v),
        outDir: (v['out-dir'] as string | undefined) ?? 'certs',
        keyAlgorithm: v['key-algorithm'] as ClientKeyAlgorithm | undefined,
        validityDays: v['validity-days'] === undefined ? undefined : Number(v['validity-days']),
        force: Boolean(v.force),
        ...connection(v),
      });
      console.log(`issued serial ${result.record.serial} for CN=${result.record.commonName} (${result.record.clientId ? `bound to client ${result.record.clientId}` : 'not bound to a client'}), valid until ${result.record.notAfter}`);
      console.log(`  certificate ${result.files.certificate}\n  chain       ${result.files.chain}\n  private key ${result.files.privateKey} (0600)`);
    },
  },
  revoke: {
    options: {
      'ca-arn': { type: 'string' },
      serial: { type: 'string' },
      cert: { type: 'string' },
      reason: { type: 'string' },
      'deny-list-table': { type: 'string' },
    },
    help: `Usage: csm-certs revoke --ca-arn <arn> (--serial <hex> | --cert <file>) --deny-list-table <name> [options]

Revokes the certificate at the CA (it appears in the CRL in about 30 minutes) and records its serial in the
deny-list table the API's authorizer reads; the API refuses it once the authorizer cache entry expires.

  --ca-arn <arn>           the issuing CA (required)
  --serial <hex>           serial in any form (colons, case, leading zeros)
  --cert <file>            or the certificate PEM to read the serial from
  --reason <reason>        ${Object.values(RevocationReason).join(' | ')} (default: UNSPECIFIED)
  --deny-list-table <name> the ClientCertificateAuthorizer's deny-list table (required)
${COMMON_HELP}`,
    async run(v) {
      const result = await revokeClientCertificate({
        certificateAuthorityArn: required(v, 'ca-arn'),
        serial: v.serial as string | undefined,
        certificateFile: v.cert as string | undefined,
        reason: v.reason as RevocationReason | undefined,
        denyListTable: required(v, 'deny-list-table'),
        ...connection(v),
      });
      console.log(`revoked serial ${result.serial} at ${result.revokedAt} (CA and deny-list)`);
    },
  },
  list: {
    options: { 'ca-arn': { type: 'string' }, json: { type: 'boolean' } },
    help: `Usage: csm-certs list [--ca-arn <arn>] [--json] [--records <file>]

Lists the certificates issued from this machine (the local records file), with status active, expired or revoked.

  --ca-arn <arn>           only certificates of this CA
  --json                   print JSON
${COMMON_HELP}`,
    async run(v) {
      const rows = listClientCertificates({ recordsFile: v.records as string | undefined, certificateAuthorityArn: v['ca-arn'] as string | undefined });
      if (v.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) console.log('no certificates recorded');
      for (const r of rows) console.log(`${r.status.padEnd(8)} ${r.serial}  CN=${r.commonName}  client=${r.clientId ?? '(unbound)'}  until ${r.notAfter}  ${r.certificateFile}`);
    },
  },
};

const MAIN_HELP = `Usage: csm-certs <command> [options]

Commands:
  issue    issue a client certificate (key and CSR generated locally)
  revoke   revoke a certificate at the CA and in the API's deny-list
  list     list certificates issued from this machine

Run "csm-certs <command> --help" for a command's options.`;

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new CertificateToolError(`missing --${name} (see --help)`, 'usage');
  return value;
}

/** `--client-id`, or nothing with an explicit `--unbound`; one of the two is required. */
function clientBinding(v: Record<string, unknown>): string | undefined {
  if (v.unbound && v['client-id'] !== undefined) throw new CertificateToolError('give either --client-id or --unbound, not both', 'usage');
  if (v.unbound) return undefined;
  return required(v, 'client-id');
}

function connection(v: Record<string, unknown>) {
  return { region: v.region as string | undefined, endpointUrl: v['endpoint-url'] as string | undefined, recordsFile: v.records as string | undefined };
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(MAIN_HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`csm-certs: unknown command "${name}" (use issue, revoke or list; --help for usage)`);
    return 2;
  }
  try {
    const { values } = parseArgs({ args: rest, options: { ...CONNECTION, ...command.options }, strict: true, allowPositionals: false });
    if (values.help) {
      console.log(command.help);
      return 0;
    }
    await command.run(values as Record<string, string | boolean | undefined>);
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err instanceof CertificateToolError) {
      console.error(`csm-certs ${name}: ${err.message}`);
      return err.code === 'usage' ? 2 : 1;
    }
    if (err.code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`csm-certs ${name}: ${err.message.split('\n')[0]} (see --help)`);
      return 2;
    }
    console.error(`csm-certs ${name}: unexpected error: ${err.message.split('\n')[0]}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
