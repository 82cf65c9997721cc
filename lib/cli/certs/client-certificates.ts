import 'reflect-metadata';
import { randomUUID, webcrypto } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ACMPCAClient,
  DescribeCertificateAuthorityCommand,
  GetCertificateCommand,
  IssueCertificateCommand,
  RevokeCertificateCommand,
  RevocationReason,
  SigningAlgorithm,
} from '@aws-sdk/client-acm-pca';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as x509 from '@peculiar/x509';
import { CLIENT_ID, clientIdUri } from '../../pki/client-binding';
import { certificateExpiryBound, DAY_SECONDS } from '../../pki/revocation-expiry';
import { normalizeSerial } from '../../pki/serial';
import { PCA_TEMPLATES, pcaTemplateArn } from '../../pki/templates';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Key pairs the tool generates locally; the private key never leaves the machine. */
export enum ClientKeyAlgorithm {
  EC_P256 = 'EC_P256',
  RSA_2048 = 'RSA_2048',
  RSA_3072 = 'RSA_3072',
  RSA_4096 = 'RSA_4096',
}

/** A one-line, user-facing error of the client-certificate tool (the CLI prints `message` and exits 1). */
export class CertificateToolError extends Error {
  constructor(
    message: string,
    public readonly code: 'usage' | 'aws' | 'files' = 'aws',
  ) {
    super(message);
    this.name = 'CertificateToolError';
  }
}

/** One issued certificate, as kept in the local records file that `list` reads. */
export interface IssuanceRecord {
  /** Normalized serial (lower-case hex, no colons, no leading zeros): the deny-list key. */
  readonly serial: string;
  readonly commonName: string;
  /** The OAuth client the certificate is bound to (URI SAN), if any. */
  readonly clientId?: string;
  readonly certificateAuthorityArn: string;
  readonly certificateArn: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly keyAlgorithm: ClientKeyAlgorithm;
  /** The validity requested at issuance, in days (`renew` requests the same). */
  readonly validityDays?: number;
  readonly certificateFile: string;
  readonly issuedAt: string;
  readonly revokedAt?: string;
  readonly revocationReason?: string;
  /** Serial of the certificate that replaced this one (`renew`). */
  readonly supersededBy?: string;
  /** When `renew` revokes this superseded certificate (ISO time): the end of its grace period. */
  readonly revokeAfter?: string;
}

/** Connection settings shared by every command. */
export interface AwsConnectionOptions {
  /** @default - the SDK's region chain (AWS_REGION, profile) */
  readonly region?: string;
  /** A different endpoint (moto, LocalStack, a VPC endpoint). @default - the public endpoint */
  readonly endpointUrl?: string;
  /**
   * The issuance records file `list` reads and `revoke` updates.
   * @default ~/.csm-certs/records.json (or CSM_CERTS_RECORDS)
   */
  readonly recordsFile?: string;
  /** Attempts for throttled calls (exponential backoff from `retryBaseMs`). @default 6 */
  readonly maxAttempts?: number;
  /** @default 200 */
  readonly retryBaseMs?: number;
}

export interface IssueClientCertificateOptions extends AwsConnectionOptions {
  readonly certificateAuthorityArn: string;
  readonly commonName: string;
  /**
   * The Cognito app client id the certificate is bound to (a `urn:cdk-secure-microservices:oauth-client:<id>` URI SAN):
   * the platform's authorizer accepts a token only with a certificate bound to the token's `client_id`.
   * @default - unbound (only for APIs whose authorizer opted out of certificate binding)
   */
  readonly clientId?: string;
  /** @default ClientKeyAlgorithm.EC_P256 */
  readonly keyAlgorithm?: ClientKeyAlgorithm;
  /** Validity in days (1–397; at most 7 for a CA in short-lived mode). @default 30 */
  readonly validityDays?: number;
  /** Directory for `<name>.cert.pem`, `<name>.chain.pem`, `<name>.key.pem`. */
  readonly outDir: string;
  /** Overwrite existing files. @default false */
  readonly force?: boolean;
  /** How long to wait for issuance. @default 60000 */
  readonly waitTimeoutMs?: number;
}

export interface IssuedClientCertificate {
  readonly record: IssuanceRecord;
  readonly files: { readonly certificate: string; readonly chain: string; readonly privateKey: string };
}

export interface RevokeClientCertificateOptions extends AwsConnectionOptions {
  readonly certificateAuthorityArn: string;
  /** Serial in any common form (colons, case, leading zeros), or give `certificateFile`. */
  readonly serial?: string;
  readonly certificateFile?: string;
  /** @default RevocationReason.UNSPECIFIED */
  readonly reason?: RevocationReason;
  /** The deny-list table the API's authorizer reads (API Gateway does not check revocation itself). */
  readonly denyListTable: string;
}

export interface RevokedClientCertificate {
  readonly serial: string;
  readonly revokedAt: string;
}

const CA_ARN = /^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]{36}$/;
const COMMON_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,62}[A-Za-z0-9._-]$|^[A-Za-z0-9]$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const MAX_VALIDITY_DAYS = 397;
const SHORT_LIVED_MAX_DAYS = 7;

/** Default place of the records file. */
export function defaultRecordsFile(): string {
  return process.env.CSM_CERTS_RECORDS ?? path.join(os.homedir(), '.csm-certs', 'records.json');
}

export function validateCaArn(arn: string): void {
  if (!CA_ARN.test(arn)) {
    throw new CertificateToolError(`invalid CA ARN "${arn}": expected arn:aws:acm-pca:<region>:<account>:certificate-authority/<uuid>`, 'usage');
  }
}

export function validateClientId(clientId: string): void {
  if (!CLIENT_ID.test(clientId)) {
    throw new CertificateToolError(
      `invalid client id "${clientId}": a Cognito app client id is 1-128 letters, digits, "_" or "+" (see the platform's outputs or the Cognito console)`,
      'usage',
    );
  }
}

export function validateCommonName(cn: string): void {
  if (!COMMON_NAME.test(cn)) {
    throw new CertificateToolError(
      `invalid common name "${cn}": use 1-64 letters, digits, space, ".", "_", "@" or "-", starting and ending with a letter or digit`,
      'usage',
    );
  }
}

/**
 * Generates the key pair and a PKCS#10 CSR (subject CN, clientAuth EKU, digitalSignature key usage) in
 * memory. The CSR goes to the CA; the PEM private key stays with the caller.
 */
export async function generateKeyAndCsr(
  commonName: string,
  algorithm: ClientKeyAlgorithm = ClientKeyAlgorithm.EC_P256,
  clientId?: string,
): Promise<{ privateKeyPem: string; csrPem: string }> {
  validateCommonName(commonName);
  if (clientId !== undefined) validateClientId(clientId);
  const signingAlgorithm = keyParams(algorithm);
  const keys = (await webcrypto.subtle.generateKey(signingAlgorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [commonName] }],
    keys,
    signingAlgorithm,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      // The client binding: AWS Private CA's end-entity templates pass the CSR's subject alternative names through.
      ...(clientId !== undefined ? [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: clientIdUri(clientId) }])] : []),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), csrPem: csr.toString('pem') };
}

function keyParams(algorithm: ClientKeyAlgorithm): (webcrypto.EcKeyGenParams & webcrypto.EcdsaParams) | webcrypto.RsaHashedKeyGenParams {
  switch (algorithm) {
    case ClientKeyAlgorithm.EC_P256:
      return { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    case ClientKeyAlgorithm.RSA_2048:
    case ClientKeyAlgorithm.RSA_3072:
    case ClientKeyAlgorithm.RSA_4096:
      return {
        name: 'RSASSA-PKCS1-v1_5',
        hash: 'SHA-256',
        publicExponent: new Uint8Array([1, 0, 1]),
        modulusLength: Number(algorithm.split('_')[1]),
      };
    default:
      throw new CertificateToolError(
        `unknown key algorithm "${String(algorithm)}": use one of ${Object.values(ClientKeyAlgorithm).join(', ')}`,
        'usage',
      );
  }
}

/** Issues a client certificate with EndEntityClientAuthCertificate/V1 and writes cert, chain and key (0600). */
export async function issueClientCertificate(
  options: IssueClientCertificateOptions,
  pca?: Pick<ACMPCAClient, 'send'>,
): Promise<IssuedClientCertificate> {
  return issue(options, pca ?? pcaClient(options)).catch((e) => {
    throw toToolError(e);
  });
}

async function issue(options: IssueClientCertificateOptions, pca: Pick<ACMPCAClient, 'send'>): Promise<IssuedClientCertificate> {
  validateCaArn(options.certificateAuthorityArn);
  validateCommonName(options.commonName);
  if (options.clientId !== undefined) validateClientId(options.clientId);
  const algorithm = options.keyAlgorithm ?? ClientKeyAlgorithm.EC_P256;
  keyParams(algorithm);
  const validityDays = options.validityDays ?? 30;
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
    throw new CertificateToolError(`invalid validity ${validityDays} days: use a whole number from 1 to ${MAX_VALIDITY_DAYS}`, 'usage');
  }
  const base = options.commonName.replace(/[^A-Za-z0-9._-]/g, '_');
  const files = {
    certificate: path.join(options.outDir, `${base}.cert.pem`),
    chain: path.join(options.outDir, `${base}.chain.pem`),
    privateKey: path.join(options.outDir, `${base}.key.pem`),
  };
  // Before any AWS call: an existing key must not be lost to a certificate it no longer matches.
  const existing = Object.values(files).filter((f) => fs.existsSync(f));
  if (existing.length > 0 && !options.force) {
    throw new CertificateToolError(`${existing.join(', ')} already exist(s): pass --force to overwrite`, 'files');
  }

  const retry = retrier(options);
  const ca = await retry(() => pca.send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: options.certificateAuthorityArn })));
  const config = ca.CertificateAuthority?.CertificateAuthorityConfiguration;
  if (ca.CertificateAuthority?.Status && ca.CertificateAuthority.Status !== 'ACTIVE') {
    throw new CertificateToolError(`CA ${options.certificateAuthorityArn} is ${ca.CertificateAuthority.Status}, not ACTIVE`);
  }
  if (ca.CertificateAuthority?.UsageMode === 'SHORT_LIVED_CERTIFICATE' && validityDays > SHORT_LIVED_MAX_DAYS) {
    throw new CertificateToolError(
      `invalid validity ${validityDays} days: the CA is in short-lived mode (at most ${SHORT_LIVED_MAX_DAYS} days)`,
      'usage',
    );
  }
  const { privateKeyPem, csrPem } = await generateKeyAndCsr(options.commonName, algorithm, options.clientId);
  const issued = await retry(() =>
    pca.send(
      new IssueCertificateCommand({
        CertificateAuthorityArn: options.certificateAuthorityArn,
        Csr: Buffer.from(csrPem),
        SigningAlgorithm: (config?.SigningAlgorithm ?? 'SHA256WITHECDSA') as SigningAlgorithm,
        TemplateArn: pcaTemplateArn(partitionOf(options.certificateAuthorityArn), PCA_TEMPLATES.clientAuth),
        Validity: { Type: 'DAYS', Value: validityDays },
        IdempotencyToken: randomUUID().replace(/-/g, '').slice(0, 36),
      }),
    ),
  );
  const certificateArn = issued.CertificateArn!;
  const got = await waitForIssuance(pca, options.certificateAuthorityArn, certificateArn, options.waitTimeoutMs ?? 60_000, retry);

  fs.mkdirSync(options.outDir, { recursive: true, mode: 0o700 });
  const flag = options.force ? 'w' : 'wx';
  fs.writeFileSync(files.privateKey, privateKeyPem, { mode: 0o600, flag });
  fs.chmodSync(files.privateKey, 0o600);
  fs.writeFileSync(files.certificate, ensureNewline(got.certificate), { mode: 0o644, flag });
  fs.writeFileSync(files.chain, ensureNewline(got.chain), { mode: 0o644, flag });

  const cert = new x509.X509Certificate(got.certificate);
  const record: IssuanceRecord = {
    serial: normalizeSerial(cert.serialNumber),
    commonName: options.commonName,
    ...(options.clientId !== undefined ? { clientId: options.clientId } : {}),
    certificateAuthorityArn: options.certificateAuthorityArn,
    certificateArn,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    keyAlgorithm: algorithm,
    validityDays,
    certificateFile: path.resolve(files.certificate),
    issuedAt: new Date().toISOString(),
  };
  updateRecords(options.recordsFile ?? defaultRecordsFile(), (records) => [...records.filter((r) => r.serial !== record.serial), record]);
  return { record, files };
}

async function waitForIssuance(
  pca: Pick<ACMPCAClient, 'send'>,
  caArn: string,
  certificateArn: string,
  timeoutMs: number,
  retry: Retrier,
): Promise<{ certificate: string; chain: string }> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 4000)) {
    try {
      const out = await retry(() => pca.send(new GetCertificateCommand({ CertificateAuthorityArn: caArn, CertificateArn: certificateArn })));
      return { certificate: out.Certificate!, chain: out.CertificateChain ?? '' };
    } catch (e) {
      if ((e as Error).name !== 'RequestInProgressException') throw e;
      if (Date.now() + delay > deadline)
        throw new CertificateToolError(`certificate ${certificateArn} was not issued within ${Math.round(timeoutMs / 1000)} s`);
      await sleep(delay);
    }
  }
}

/**
 * Records the normalized serial in the deny-list table the API's authorizer reads (first: API access stops within the
 * authorizer cache TTL even if the CA call then fails), then revokes at the CA (RevokeCertificate; it reaches the CRL
 * in about 30 minutes). Either failure ends with one message saying what did and did not happen.
 */
export async function revokeClientCertificate(
  options: RevokeClientCertificateOptions,
  clients: RevokeClients = {},
): Promise<RevokedClientCertificate> {
  return revoke(options, clients).catch((e) => {
    throw toToolError(e);
  });
}

/** Injected clients (tests); by default built from the connection options. */
export interface RevokeClients {
  readonly pca?: Pick<ACMPCAClient, 'send'>;
  readonly dynamodb?: Pick<DynamoDBClient, 'send'>;
}

async function revoke(options: RevokeClientCertificateOptions, clients: RevokeClients): Promise<RevokedClientCertificate> {
  validateCaArn(options.certificateAuthorityArn);
  validateDenyListTable(options.denyListTable);
  const reason = revocationReason(options.reason);
  const target = serialToRevoke(options);
  const { serial } = target;
  const recordsFile = options.recordsFile ?? defaultRecordsFile();
  const known = readRecords(recordsFile).find((r) => r.serial === serial);
  const notAfter = target.notAfter ?? (known ? new Date(known.notAfter) : undefined);

  const retry = retrier(options);
  const pca = clients.pca ?? pcaClient(options);
  const dynamodb = clients.dynamodb ?? dynamoDbClient(options);
  const revokedAt = new Date().toISOString();
  // A revoked certificate past its expiry fails the TLS handshake anyway; DynamoDB TTL then removes the entry.
  const expiresAt = notAfter
    ? Math.floor(notAfter.getTime() / 1000) + DAY_SECONDS
    : await certificateExpiryBound(pca, options.certificateAuthorityArn, new Date(revokedAt));

  // 1. The deny-list first: API Gateway never checks revocation, so this entry is what stops the certificate.
  await addToDenyList(dynamodb, retry, options, { serial, revokedAt, reason, expiresAt });
  if (known) {
    updateRecords(recordsFile, (records) => records.map((r) => (r.serial === serial ? { ...r, revokedAt, revocationReason: reason } : r)));
  }
  // 2. The CA (its CRL and audit report).
  await revokeAtCa(pca, retry, options.certificateAuthorityArn, serial, reason);
  return { serial, revokedAt };
}

function validateDenyListTable(name: string | undefined): void {
  if (!TABLE_NAME.test(name ?? '')) {
    throw new CertificateToolError(`invalid deny-list table name "${name ?? ''}": 3-255 letters, digits, "_", "-" or "."`, 'usage');
  }
}

function revocationReason(given: RevocationReason | undefined): RevocationReason {
  const reason = given ?? RevocationReason.UNSPECIFIED;
  if (!Object.values(RevocationReason).includes(reason)) {
    throw new CertificateToolError(`invalid revocation reason "${reason}": use one of ${Object.values(RevocationReason).join(', ')}`, 'usage');
  }
  return reason;
}

/** The normalized serial to revoke, from `serial` or read from `certificateFile` (which also gives its expiry). */
function serialToRevoke(options: RevokeClientCertificateOptions): { serial: string; notAfter?: Date } {
  let serialSource = options.serial;
  let notAfter: Date | undefined;
  if (options.certificateFile) {
    const cert = readCertificate(options.certificateFile);
    serialSource = cert.serialNumber;
    notAfter = cert.notAfter;
  }
  if (!serialSource) throw new CertificateToolError('give the serial (--serial) or the certificate file (--cert)', 'usage');
  return { serial: parseSerial(serialSource), notAfter };
}

/** A serial in any common form, normalized; a malformed one is a usage error. */
function parseSerial(source: string): string {
  try {
    return normalizeSerial(source);
  } catch (e) {
    throw new CertificateToolError((e as Error).message, 'usage');
  }
}

interface DenyListEntry {
  readonly serial: string;
  readonly revokedAt: string;
  readonly reason: RevocationReason;
  /** Epoch seconds DynamoDB TTL removes the entry at, if it expires. */
  readonly expiresAt?: number;
}

/** Writes the serial to the deny-list the API's authorizer reads; a failure means nothing was revoked. */
async function addToDenyList(
  dynamodb: Pick<DynamoDBClient, 'send'>,
  retry: Retrier,
  options: RevokeClientCertificateOptions,
  entry: DenyListEntry,
): Promise<void> {
  const { serial, revokedAt, reason, expiresAt } = entry;
  try {
    await retry(() =>
      dynamodb.send(
        new PutItemCommand({
          TableName: options.denyListTable,
          Item: {
            serial: { S: serial },
            revokedAt: { S: revokedAt },
            reason: { S: reason },
            certificateAuthorityArn: { S: options.certificateAuthorityArn },
            source: { S: 'csm-certs' },
            ...(expiresAt !== undefined ? { expiresAt: { N: String(expiresAt) } } : {}),
          },
        }),
      ),
    );
  } catch (e) {
    throw new CertificateToolError(
      `could not write serial ${serial} to the deny-list ${options.denyListTable} (${toToolError(e as Error).message}); nothing was revoked: fix this and run revoke again`,
    );
  }
}

/** Revokes the serial at the CA (RevokeCertificate), once it is on the deny-list; revoked before counts as done. */
async function revokeAtCa(pca: Pick<ACMPCAClient, 'send'>, retry: Retrier, caArn: string, serial: string, reason: RevocationReason): Promise<void> {
  try {
    await retry(() =>
      pca.send(
        new RevokeCertificateCommand({
          CertificateAuthorityArn: caArn,
          CertificateSerial: toPcaSerial(serial),
          RevocationReason: reason,
        }),
      ),
    );
  } catch (e) {
    // Revoked at the CA before (e.g. in the console): the deny-list now agrees.
    if ((e as Error).name !== 'RequestAlreadyProcessedException') {
      throw new CertificateToolError(
        `serial ${serial} IS on the deny-list (the API refuses it once the authorizer cache expires), but the CA did NOT revoke it: ${toToolError(e as Error).message}. Run revoke again with the right --ca-arn so the CA's CRL and audit report record it.`,
      );
    }
  }
}

/** What the deny-list (the API's view) says of a serial. */
export type DenyListView =
  | { readonly listed: false }
  | {
      readonly listed: true;
      readonly revokedAt?: string;
      readonly reason?: string;
      /** `csm-certs`, or `cloudtrail:<caller ARN>` for revocations synced from CloudTrail. */
      readonly source?: string;
      /** When DynamoDB TTL removes the entry (ISO time), if it expires. */
      readonly expiresAt?: string;
    };

/** What the CA publishes of a serial: its CRL in S3 when it has one. */
export type CaView =
  | { readonly crl: 'listed'; readonly thisUpdate: string; readonly revokedAt: string }
  | { readonly crl: 'not-listed'; readonly thisUpdate: string }
  | { readonly crl: 'unavailable'; readonly why: string };

export interface CertificateStatus {
  readonly serial: string;
  readonly denyList: DenyListView;
  readonly ca: CaView;
  /** The local issuance record, if this machine issued it. */
  readonly record?: IssuanceRecord;
}

export interface CertificateStatusOptions extends AwsConnectionOptions {
  readonly certificateAuthorityArn: string;
  readonly serial: string;
  readonly denyListTable: string;
}

/** Injected clients (tests); by default built from the connection options. */
export interface StatusClients extends RevokeClients {
  readonly s3?: Pick<S3Client, 'send'>;
}

/**
 * Both views of a certificate's revocation: the deny-list the API's authorizer reads (authoritative for the API,
 * written by csm-certs and by the CloudTrail sync) and the CA's CRL (updated about 30 minutes after a revocation;
 * absent when the CA publishes none), plus the local record.
 */
export async function certificateStatus(options: CertificateStatusOptions, clients: StatusClients = {}): Promise<CertificateStatus> {
  return status(options, clients).catch((e) => {
    throw toToolError(e);
  });
}

async function status(options: CertificateStatusOptions, clients: StatusClients): Promise<CertificateStatus> {
  validateCaArn(options.certificateAuthorityArn);
  validateDenyListTable(options.denyListTable);
  const serial = parseSerial(options.serial);
  const retry = retrier(options);
  const dynamodb = clients.dynamodb ?? dynamoDbClient(options);
  const item = (
    await retry(() => dynamodb.send(new GetItemCommand({ TableName: options.denyListTable, Key: { serial: { S: serial } }, ConsistentRead: true })))
  ).Item;
  const denyList: DenyListView = item
    ? {
        listed: true,
        revokedAt: item.revokedAt?.S,
        reason: item.reason?.S,
        source: item.source?.S,
        expiresAt: item.expiresAt?.N ? new Date(Number(item.expiresAt.N) * 1000).toISOString() : undefined,
      }
    : { listed: false };
  const ca = await crlView(options, clients, serial, retry);
  const record = readRecords(options.recordsFile ?? defaultRecordsFile()).find((r) => r.serial === serial);
  return { serial, denyList, ca, record };
}

async function crlView(options: CertificateStatusOptions, clients: StatusClients, serial: string, retry: Retrier): Promise<CaView> {
  const pca = clients.pca ?? pcaClient(options);
  const described = await retry(() =>
    pca.send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: options.certificateAuthorityArn })),
  );
  const crl = described.CertificateAuthority?.RevocationConfiguration?.CrlConfiguration;
  if (!crl?.Enabled || !crl.S3BucketName) return { crl: 'unavailable', why: 'the CA publishes no CRL (its audit report still records revocations)' };
  const key = `crl/${options.certificateAuthorityArn.split('/').pop()}.crl`;
  const s3 =
    clients.s3 ??
    new S3Client({ region: options.region, endpoint: options.endpointUrl, forcePathStyle: options.endpointUrl !== undefined, maxAttempts: 1 });
  let der: Uint8Array;
  try {
    const got = await retry(() => s3.send(new GetObjectCommand({ Bucket: crl.S3BucketName, Key: key })));
    der = await got.Body!.transformToByteArray();
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'NoSuchKey' || name === 'NotFound')
      return { crl: 'unavailable', why: `no CRL at s3://${crl.S3BucketName}/${key} yet (the CA writes it about 30 minutes after a revocation)` };
    return { crl: 'unavailable', why: `cannot read s3://${crl.S3BucketName}/${key}: ${toToolError(e as Error).message}` };
  }
  const list = new x509.X509Crl(der);
  // AWS Private CA always sets nextUpdate; without it @peculiar/x509 reads no entries, which must not read as "not listed".
  if (!list.nextUpdate)
    return { crl: 'unavailable', why: `the CRL at s3://${crl.S3BucketName}/${key} has no nextUpdate and is not one AWS Private CA wrote` };
  const entry = list.entries.find((e) => normalizeSerial(e.serialNumber) === serial);
  const thisUpdate = list.thisUpdate.toISOString();
  return entry ? { crl: 'listed', thisUpdate, revokedAt: entry.revocationDate.toISOString() } : { crl: 'not-listed', thisUpdate };
}

export interface RenewClientCertificateOptions extends AwsConnectionOptions {
  readonly certificateAuthorityArn: string;
  /** The certificate to renew (`<out-dir>/<cn>.cert.pem`, issued by csm-certs on this machine). */
  readonly certificateFile: string;
  /** The deny-list the superseded certificate goes to when its grace period ends. */
  readonly denyListTable: string;
  /** Hours the old certificate keeps working after its replacement is issued; 0 revokes it at once. @default 24 */
  readonly graceHours?: number;
  /** Renew once the certificate expires within this many hours. @default a third of its lifetime */
  readonly renewBeforeHours?: number;
  /** Renew now whatever the expiry. @default false */
  readonly force?: boolean;
  /** @default 60000 */
  readonly waitTimeoutMs?: number;
  /** @default - the current time */
  readonly now?: Date;
}

export interface RenewedClientCertificate {
  /** The new certificate, when one was issued. */
  readonly issued?: IssuedClientCertificate;
  /** Why nothing was issued (not due yet, or renewed before). */
  readonly skipped?: string;
  /** Superseded certificates whose grace period ended, revoked by this run. */
  readonly revoked: RevokedClientCertificate[];
  /** When the certificate just replaced will be revoked (ISO time). */
  readonly revokeAfter?: string;
}

/**
 * Rotation: revokes superseded certificates whose grace period has ended (reason SUPERSEDED), then — when the
 * certificate is due — issues its replacement from a NEW key pair with the same CN, client binding, key algorithm and
 * lifetime, writes it under the usual file names (the old files move to `<cn>.<old serial>.*`), and schedules the
 * old certificate's revocation after `graceHours`. Run it on a schedule (see README, rotation of short-lived certificates).
 */
export async function renewClientCertificate(options: RenewClientCertificateOptions, clients: RevokeClients = {}): Promise<RenewedClientCertificate> {
  return renew(options, clients).catch((e) => {
    throw toToolError(e);
  });
}

async function renew(options: RenewClientCertificateOptions, clients: RevokeClients): Promise<RenewedClientCertificate> {
  validateCaArn(options.certificateAuthorityArn);
  const graceHours = renewalGraceHours(options);
  const now = options.now ?? new Date();
  const recordsFile = options.recordsFile ?? defaultRecordsFile();
  const revokeOld = supersededRevoker(options, recordsFile, clients);

  const revoked: RevokedClientCertificate[] = [];
  for (const due of readRecords(recordsFile).filter(
    (r) => r.certificateAuthorityArn === options.certificateAuthorityArn && r.revokeAfter && !r.revokedAt && new Date(r.revokeAfter) <= now,
  )) {
    revoked.push(await revokeOld(due.serial));
  }

  const { serial, record } = recordToRenew(options.certificateFile, recordsFile);
  const skipped = renewalSkipped(options, serial, record, now);
  if (skipped) return { revoked, skipped };

  const base = options.certificateFile.replace(/\.cert\.pem$/, '');
  const issued = await issueReplacement(options, clients, record, base, serial);
  const revokeAfter = new Date(now.getTime() + graceHours * 3_600_000).toISOString();
  updateRecords(recordsFile, (records) =>
    records.map((r) =>
      r.serial === serial
        ? { ...r, supersededBy: issued.record.serial, revokeAfter, certificateFile: path.resolve(`${base}.${serial}.cert.pem`) }
        : r,
    ),
  );
  if (graceHours === 0) revoked.push(await revokeOld(serial));
  return { issued, revoked, revokeAfter };
}

/** Checks `graceHours` and `renewBeforeHours`; returns the grace period. */
function renewalGraceHours(options: RenewClientCertificateOptions): number {
  const graceHours = options.graceHours ?? 24;
  if (!Number.isFinite(graceHours) || graceHours < 0 || graceHours > 24 * 30) {
    throw new CertificateToolError(`invalid grace period ${graceHours} hours: use 0 (revoke at once) to 720`, 'usage');
  }
  if (options.renewBeforeHours !== undefined && (!Number.isFinite(options.renewBeforeHours) || options.renewBeforeHours <= 0)) {
    throw new CertificateToolError(`invalid renew-before ${options.renewBeforeHours} hours: use a positive number`, 'usage');
  }
  return graceHours;
}

/** Revokes a superseded certificate (reason SUPERSEDED) with the renewal's connection settings. */
function supersededRevoker(
  options: RenewClientCertificateOptions,
  recordsFile: string,
  clients: RevokeClients,
): (serial: string) => Promise<RevokedClientCertificate> {
  // Only the serial names the certificate to revoke (options.certificateFile is the one being renewed).
  return (serial) =>
    revokeClientCertificate(
      {
        certificateAuthorityArn: options.certificateAuthorityArn,
        denyListTable: options.denyListTable,
        serial,
        reason: RevocationReason.SUPERSEDED,
        region: options.region,
        endpointUrl: options.endpointUrl,
        recordsFile,
        maxAttempts: options.maxAttempts,
        retryBaseMs: options.retryBaseMs,
      },
      clients,
    );
}

/** The local record of the certificate to renew (renew works on certificates this machine issued). */
function recordToRenew(certificateFile: string, recordsFile: string): { serial: string; record: IssuanceRecord } {
  const serial = normalizeSerial(readCertificate(certificateFile).serialNumber);
  const record = readRecords(recordsFile).find((r) => r.serial === serial);
  if (!record)
    throw new CertificateToolError(
      `certificate ${serial} (${certificateFile}) is not in ${recordsFile}: renew works on certificates issued from this machine; issue a new one instead`,
      'files',
    );
  return { serial, record };
}

/** Why the certificate is not renewed now (renewed before, or not due yet); a revoked one cannot be renewed. */
function renewalSkipped(options: RenewClientCertificateOptions, serial: string, record: IssuanceRecord, now: Date): string | undefined {
  if (record.supersededBy) return `already renewed: ${serial} was replaced by ${record.supersededBy}`;
  if (record.revokedAt) throw new CertificateToolError(`certificate ${serial} is revoked: issue a new one instead of renewing it`);
  const renewBeforeMs = options.renewBeforeHours !== undefined ? options.renewBeforeHours * 3_600_000 : lifetimeMsOf(record) / 3;
  const dueAt = new Date(Date.parse(record.notAfter) - renewBeforeMs);
  if (!options.force && now < dueAt) return `not due: ${serial} is valid until ${record.notAfter}; renewal starts ${dueAt.toISOString()}`;
  return undefined;
}

function lifetimeMsOf(record: IssuanceRecord): number {
  return Date.parse(record.notAfter) - Date.parse(record.notBefore);
}

/**
 * Issues the replacement (new key pair, same CN, binding, key algorithm and lifetime) under the usual file names; the
 * old files move to `<cn>.<old serial>.*` and stay usable until the grace period ends (moved back if issuance fails).
 */
async function issueReplacement(
  options: RenewClientCertificateOptions,
  clients: RevokeClients,
  record: IssuanceRecord,
  base: string,
  serial: string,
): Promise<IssuedClientCertificate> {
  const moves = ['cert', 'chain', 'key']
    .map((kind) => [`${base}.${kind}.pem`, `${base}.${serial}.${kind}.pem`] as const)
    .filter(([from]) => fs.existsSync(from));
  for (const [from, to] of moves) fs.renameSync(from, to);
  try {
    return await issueClientCertificate(
      {
        ...options,
        commonName: record.commonName,
        clientId: record.clientId,
        keyAlgorithm: record.keyAlgorithm,
        validityDays: record.validityDays ?? Math.max(1, Math.round(lifetimeMsOf(record) / 86_400_000)),
        outDir: path.dirname(options.certificateFile),
        force: false,
      },
      clients.pca,
    );
  } catch (e) {
    for (const [from, to] of moves) fs.renameSync(to, from);
    throw e;
  }
}

/** The local issuance records, newest last; `status` is derived from revokedAt and notAfter. */
export function listClientCertificates(
  options: { recordsFile?: string; certificateAuthorityArn?: string; now?: Date } = {},
): (IssuanceRecord & { status: 'active' | 'expired' | 'revoked' })[] {
  const now = options.now ?? new Date();
  return readRecords(options.recordsFile ?? defaultRecordsFile())
    .filter((r) => !options.certificateAuthorityArn || r.certificateAuthorityArn === options.certificateAuthorityArn)
    .map((r) => ({ ...r, status: r.revokedAt ? ('revoked' as const) : new Date(r.notAfter) < now ? ('expired' as const) : ('active' as const) }));
}

/** The serial form AWS Private CA takes: upper-case hex byte pairs separated by colons. */
export function toPcaSerial(serial: string): string {
  const hex = normalizeSerial(serial).toUpperCase();
  const even = hex.length % 2 ? `0${hex}` : hex;
  return even.match(/../g)!.join(':');
}

function readCertificate(file: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CertificateToolError(`cannot read certificate ${file}: ${(e as Error).message}`, 'files');
  }
}

function readRecords(file: string): IssuanceRecord[] {
  if (!fs.existsSync(file)) return [];
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { records?: IssuanceRecord[] };
    return parsed.records ?? [];
  } catch (e) {
    throw new CertificateToolError(`records file ${file} is not valid JSON (${(e as Error).message}): fix or move it`, 'files');
  }
}

function updateRecords(file: string, change: (records: IssuanceRecord[]) => IssuanceRecord[]): void {
  const records = change(readRecords(file));
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ version: 1, records }, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function dynamoDbClient(options: AwsConnectionOptions): DynamoDBClient {
  return new DynamoDBClient({ region: options.region, endpoint: options.endpointUrl, maxAttempts: 1 });
}

function pcaClient(options: AwsConnectionOptions): ACMPCAClient {
  // Retries are ours (retrier) so throttling gets the documented backoff and one clear message.
  return new ACMPCAClient({ region: options.region, endpoint: options.endpointUrl, maxAttempts: 1 });
}

function partitionOf(arn: string): string {
  return arn.split(':')[1];
}

type Retrier = <T>(call: () => Promise<T>) => Promise<T>;

const THROTTLING = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'Throttling',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);

/** Retries throttled calls with exponential backoff and full jitter; other errors pass through unchanged. */
export function retrier(options: Pick<AwsConnectionOptions, 'maxAttempts' | 'retryBaseMs'> = {}): Retrier {
  const maxAttempts = options.maxAttempts ?? 6;
  const base = options.retryBaseMs ?? 200;
  return async (call) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        const name = (e as Error).name;
        if (!THROTTLING.has(name)) throw e;
        if (attempt >= maxAttempts) {
          throw new CertificateToolError(`throttled by AWS (${name}) after ${attempt} attempts: try again later or lower the request rate`);
        }
        await sleep(Math.random() * base * 2 ** (attempt - 1));
      }
    }
  };
}

/** Turns an SDK error into the tool's one-line message. */
export function toToolError(e: Error): CertificateToolError {
  if (e instanceof CertificateToolError) return e;
  const name = e.name;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message)) {
    return new CertificateToolError('no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or use SSO) and retry');
  }
  if (name === 'ResourceNotFoundException') return new CertificateToolError(`not found: ${firstLine(e.message)} (check the CA ARN and region)`);
  if (name === 'InvalidArnException') return new CertificateToolError(`invalid ARN: ${firstLine(e.message)}`, 'usage');
  if (name === 'Error' && /Region is missing/.test(e.message))
    return new CertificateToolError('no AWS region: pass --region or set AWS_REGION', 'usage');
  return new CertificateToolError(`${name}: ${firstLine(e.message)}`);
}

function firstLine(text: string): string {
  return (text ?? '').split('\n')[0].slice(0, 300);
}

function ensureNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
