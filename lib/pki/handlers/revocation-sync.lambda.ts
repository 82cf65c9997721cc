import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { certificateExpiryBound } from '../revocation-expiry';
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
  const expiresAt = await certificateExpiryBound(deps.pca, params.certificateAuthorityArn, new Date(revokedAt));
  try {
    await deps.dynamodb.send(
      new PutItemCommand({
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
      }),
    );
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return { serial, outcome: 'already-listed' };
    throw e;
  }
  return { serial, outcome: 'written', expiresAt };
}

const deps: RevocationSyncDeps | undefined = process.env.DENY_LIST_TABLE
  ? {
      dynamodb: new DynamoDBClient({}),
      pca: new ACMPCAClient({}),
      tableName: process.env.DENY_LIST_TABLE,
      certificateAuthorityArns: (process.env.CERTIFICATE_AUTHORITY_ARNS ?? '').split(',').filter(Boolean),
    }
  : undefined;

export async function handler(event: RevokeCertificateEvent): Promise<SyncResult> {
  if (!deps) throw new Error('revocation sync misconfigured: DENY_LIST_TABLE is not set');
  const result = await syncRevocation(event, deps);
  console.log(JSON.stringify(result));
  return result;
}
