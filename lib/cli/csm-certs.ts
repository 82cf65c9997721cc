#!/usr/bin/env node
/* csm-certs: issue, revoke and list mTLS client certificates of the platform's private CA. */
import { parseArgs, ParseArgsConfig } from 'node:util';
import { RevocationReason } from '@aws-sdk/client-acm-pca';
import {
  CertificateToolError,
  ClientKeyAlgorithm,
  defaultRecordsFile,
  issueClientCertificate,
  certificateStatus,
  listClientCertificates,
  renewClientCertificate,
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

/** A command; `positional` names the option a single positional argument fills (e.g. `status <serial>`). */
const COMMANDS: Record<
  string,
  { options: Options; positional?: string; help: string; run(values: Record<string, string | boolean | undefined>): Promise<void> }
> = {
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
      console.log(
        `issued serial ${result.record.serial} for CN=${result.record.commonName} (${result.record.clientId ? `bound to client ${result.record.clientId}` : 'not bound to a client'}), valid until ${result.record.notAfter}`,
      );
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

Records the serial in the deny-list table the API's authorizer reads FIRST (the API refuses it once the authorizer
cache entry expires), then revokes it at the CA (it appears in the CRL in about 30 minutes). If either step fails,
the one-line error says which happened; re-running is safe.

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
      console.log(`revoked serial ${result.serial} at ${result.revokedAt} (deny-list, then CA)`);
    },
  },
  status: {
    options: { 'ca-arn': { type: 'string' }, serial: { type: 'string' }, 'deny-list-table': { type: 'string' }, json: { type: 'boolean' } },
    positional: 'serial',
    help: `Usage: csm-certs status <serial> --ca-arn <arn> --deny-list-table <name> [--json] [options]

Shows both views of a certificate's revocation: the deny-list the API's authorizer reads (written by csm-certs
revoke and by the CloudTrail sync for revocations made elsewhere; this decides at the API) and the CA's CRL
(updated about 30 minutes after a revocation; absent when the CA publishes none), plus the local record.

  <serial> | --serial <hex> serial in any form (colons, case, leading zeros)
  --ca-arn <arn>           the issuing CA (required)
  --deny-list-table <name> the ClientCertificateAuthorizer's deny-list table (required)
  --json                   print JSON
${COMMON_HELP}`,
    async run(v) {
      const result = await certificateStatus({
        certificateAuthorityArn: required(v, 'ca-arn'),
        serial: required(v, 'serial'),
        denyListTable: required(v, 'deny-list-table'),
        ...connection(v),
      });
      if (v.json) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      const d = result.denyList;
      const ca = result.ca;
      console.log(`serial ${result.serial}`);
      console.log(
        `  deny-list (API): ${d.listed ? `REVOKED ${d.revokedAt ?? ''} (${d.reason ?? 'no reason'}, by ${d.source ?? 'unknown'})${d.expiresAt ? `, entry expires ${d.expiresAt}` : ''}` : 'not listed: the API accepts it'}`,
      );
      console.log(
        `  CA (CRL):        ${ca.crl === 'listed' ? `REVOKED ${ca.revokedAt} (CRL of ${ca.thisUpdate})` : ca.crl === 'not-listed' ? `not in the CRL of ${ca.thisUpdate}` : ca.why}`,
      );
      const r = result.record;
      console.log(
        `  local record:    ${r ? `CN=${r.commonName} client=${r.clientId ?? '(unbound)'} until ${r.notAfter}${r.supersededBy ? ` superseded by ${r.supersededBy}` : ''}` : 'none (not issued from this machine)'}`,
      );
    },
  },
  renew: {
    options: {
      'ca-arn': { type: 'string' },
      cert: { type: 'string' },
      'deny-list-table': { type: 'string' },
      'grace-hours': { type: 'string' },
      'renew-before-hours': { type: 'string' },
      now: { type: 'boolean' },
    },
    help: `Usage: csm-certs renew --ca-arn <arn> --cert <file> --deny-list-table <name> [options]

Rotates a client certificate issued from this machine. First revokes (reason SUPERSEDED) every certificate this
command replaced earlier whose grace period has ended. Then, when the certificate is due, issues its replacement
from a NEW key pair (same CN, client binding, key algorithm and validity) under the usual file names, keeps the old
files as <cn>.<old serial>.*, and schedules the old certificate's revocation. Run it on a schedule.

  --ca-arn <arn>            the issuing CA (required)
  --cert <file>             the certificate to renew, e.g. certs/orders-client.cert.pem (required)
  --deny-list-table <name>  where superseded certificates are revoked (required)
  --grace-hours <n>         how long the old certificate keeps working, 0-720; 0 revokes at once (default: 24)
  --renew-before-hours <n>  renew once it expires within n hours (default: a third of its lifetime)
  --now                     renew now, whatever the expiry
${COMMON_HELP}`,
    async run(v) {
      const result = await renewClientCertificate({
        certificateAuthorityArn: required(v, 'ca-arn'),
        certificateFile: required(v, 'cert'),
        denyListTable: required(v, 'deny-list-table'),
        graceHours: number(v, 'grace-hours'),
        renewBeforeHours: number(v, 'renew-before-hours'),
        force: Boolean(v.now),
        ...connection(v),
      });
      for (const r of result.revoked) console.log(`revoked superseded serial ${r.serial} (grace period over)`);
      if (result.issued) {
        console.log(
          `renewed: new serial ${result.issued.record.serial} (new key pair), valid until ${result.issued.record.notAfter}; the old certificate is revoked after ${result.revokeAfter}`,
        );
      } else {
        console.log(result.skipped);
      }
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
      const rows = listClientCertificates({
        recordsFile: v.records as string | undefined,
        certificateAuthorityArn: v['ca-arn'] as string | undefined,
      });
      if (v.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) console.log('no certificates recorded');
      for (const r of rows)
        console.log(
          `${r.status.padEnd(8)} ${r.serial}  CN=${r.commonName}  client=${r.clientId ?? '(unbound)'}  until ${r.notAfter}  ${r.certificateFile}`,
        );
    },
  },
};

const MAIN_HELP = `Usage: csm-certs <command> [options]

Commands:
  issue    issue a client certificate (key and CSR generated locally)
  revoke   revoke a certificate in the API's deny-list and at the CA
  renew    rotate a certificate: new key pair, old one revoked after a grace period
  status   show a serial's revocation in the deny-list (API) and the CA's CRL
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

function number(values: Record<string, unknown>, name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(parsed))
    throw new CertificateToolError(`invalid --${name} "${String(value)}": expected a number`, 'usage');
  return parsed;
}

function connection(v: Record<string, unknown>) {
  return {
    region: v.region as string | undefined,
    endpointUrl: v['endpoint-url'] as string | undefined,
    recordsFile: v.records as string | undefined,
  };
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(MAIN_HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`csm-certs: unknown command "${name}" (use issue, revoke, renew, status or list; --help for usage)`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...CONNECTION, ...command.options },
      strict: true,
      allowPositionals: command.positional !== undefined,
    });
    if (positionals.length > 1) throw new CertificateToolError(`one ${command.positional} at most (got ${positionals.join(' ')})`, 'usage');
    if (command.positional && positionals.length === 1) {
      if (values[command.positional] !== undefined)
        throw new CertificateToolError(`give the ${command.positional} once (positional or --${command.positional})`, 'usage');
      (values as Record<string, unknown>)[command.positional] = positionals[0];
    }
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
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`csm-certs: unexpected error: ${(e as Error).stack ?? String(e)}`);
      process.exitCode = 1;
    },
  );
}
