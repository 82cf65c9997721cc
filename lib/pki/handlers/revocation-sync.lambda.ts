import { X509Certificate } from 'node:crypto';
import { ACMPCAClient, DescribeCertificateAuthorityCommand, GetCertificateAuthorityCertificateCommand } from '@aws-sdk/client-acm-pca';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { normalizeSerial } from '../serial';

/**
 * The EventBridge event of a RevokeCertificate call, as CloudTrail records it (`AWS API Call via CloudTrail`): the
 * CloudTrail record is the `detail`.
 */
export interface RevokeCertificateEvent {
  readonly 'detail-type'?: string;
  readonly source?: string;
  readonly time?: string;
  readonly detail?: {
    readonly eventSource?: string;
    readonly eventName?: string;
    readonly eventTime?: string;
    readonly errorCode?: string;
    readonly userIdentity?: { readonly arn?: string };
    readonly requestParameters?: {
      readonly certificateAuthorityArn?: string;
      readonly certificateSerial?: string;
      readonly revocationReason?: string;
    } | null;
  };
}

export interface RevocationSyncDeps {
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly pca: Pick<ACMPCAClient, 'send'>;
  readonly tableName: string;
  /** The CAs whose revocations are synced (the rule filters too; this is the second check). */
  readonly certificateAuthorityArns: readonly string[];
}

export interface SyncResult {
  readonly serial?: string;
  readonly outcome: 'written' | 'already-listed' | 'ignored';
  readonly why?: string;
  readonly expiresAt?: number;
}

/** Validity cap of certificates from a CA in short-lived mode. */
const SHORT_LIVED_DAYS = 7;
const DAY_SECONDS = 86_400;

/**
 * Writes the normalized serial of a certificate revoked by any path (console, AWS CLI, SDK, csm-certs) to the
 * authorizer's deny-list. An entry csm-certs wrote first (it knows the certificate's exact expiry) is kept. The entry
 * expires (DynamoDB TTL) a day after the latest moment the certificate can expire: the CA's own expiry, or 7 days
 * after the revocation for a CA in short-lived mode; when neither can be read the entry is kept for good.
 * A malformed event for one of our CAs throws, so the invocation is retried and lands in the dead-letter queue.
 */
export async function syncRevocation(event: RevokeCertificateEvent, deps: RevocationSyncDeps): Promise<SyncResult> {
  const detail = event.detail;
  if (detail?.eventSource !== 'acm-pca.amazonaws.com' || detail.eventName !== 'RevokeCertificate') {
    return { outcome: 'ignored', why: `not a RevokeCertificate call (${detail?.eventSource}/${detail?.eventName})` };
  }
  if (detail.errorCode) return { outcome: 'ignored', why: `the call failed (${detail.errorCode}): nothing was revoked` };
  const params = detail.requestParameters ?? {};
  if (!params.certificateAuthorityArn || !deps.certificateAuthorityArns.includes(params.certificateAuthorityArn)) {
    return { outcome: 'ignored', why: `CA ${params.certificateAuthorityArn} is not synced here` };
  }
  if (!params.certificateSerial) throw new Error(`RevokeCertificate event for ${params.certificateAuthorityArn} without certificateSerial`);
  const serial = normalizeSerial(params.certificateSerial);
  const revokedAt = detail.eventTime ?? event.time ?? new Date().toISOString();
  const expiresAt = await expiryBound(deps.pca, params.certificateAuthorityArn, new Date(revokedAt));
  try {
    await deps.dynamodb.send(new PutItemCommand({
      TableName: deps.tableName,
      Item: {
        serial: { S: serial },
        revokedAt: { S: revokedAt },
        reason: { S: params.revocationReason ?? 'UNSPECIFIED' },
        certificateAuthorityArn: { S: params.certificateAuthorityArn },
        source: { S: `cloudtrail:${detail.userIdentity?.arn ?? 'unknown'}` },
        ...(expiresAt !== undefined ? { expiresAt: { N: String(expiresAt) } } : {}),
      },
      ConditionExpression: 'attribute_not_exists(serial)',
    }));
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return { serial, outcome: 'already-listed' };
    throw e;
  }
  return { serial, outcome: 'written', expiresAt };
}

/** Epoch seconds a day after the latest expiry a certificate of this CA can have; undefined when unknown. */
async function expiryBound(pca: RevocationSyncDeps['pca'], caArn: string, revokedAt: Date): Promise<number | undefined> {
  try {
    const described = await pca.send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: caArn }));
    if (described.CertificateAuthority?.UsageMode === 'SHORT_LIVED_CERTIFICATE') {
      return Math.floor(revokedAt.getTime() / 1000) + (SHORT_LIVED_DAYS + 1) * DAY_SECONDS;
    }
    // No certificate a CA issues outlives the CA's own certificate.
    const { Certificate } = await pca.send(new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: caArn }));
    return Certificate ? Math.floor(new Date(new X509Certificate(Certificate).validTo).getTime() / 1000) + DAY_SECONDS : undefined;
  } catch (e) {
    console.log(JSON.stringify({ warning: 'cannot bound the certificate expiry: the deny-list entry will not expire', caArn, error: (e as Error).message }));
    return undefined;
  }
}

const deps: RevocationSyncDeps | undefined = process.env.DENY_LIST_TABLE ? {
  dynamodb: new DynamoDBClient({}),
  pca: new ACMPCAClient({}),
  tableName: process.env.DENY_LIST_TABLE,
  certificateAuthorityArns: (process.env.CERTIFICATE_AUTHORITY_ARNS ?? '').split(',').filter(Boolean),
} : undefined;

export async function handler(event: RevokeCertificateEvent): Promise<SyncResult> {
  if (!deps) throw new Error('revocation sync misconfigured: DENY_LIST_TABLE is not set');
  const result = await syncRevocation(event, deps);
  console.log(JSON.stringify(result));
  return result;
}
