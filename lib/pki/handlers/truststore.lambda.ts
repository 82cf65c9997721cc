import { createHash } from 'node:crypto';
import { ACMPCAClient, GetCertificateAuthorityCertificateCommand } from '@aws-sdk/client-acm-pca';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CustomResourceEvent, CustomResourceResult, runCustomResource } from './cfn-response';

/** The SDK clients the truststore logic uses; injected so tests run without the cloud. */
export interface TruststoreClients {
  readonly pca: Pick<ACMPCAClient, 'send'>;
  readonly s3: Pick<S3Client, 'send'>;
}

/** Resource properties (all strings, as CloudFormation passes them). */
export interface TruststoreProperties {
  readonly CertificateAuthorityArn: string;
  readonly BucketName: string;
  readonly ObjectKey: string;
}

/** Object metadata key recording the SHA-256 of the PEM written (informational: the handler compares the bytes). */
export const CONTENT_HASH_METADATA = 'truststore-sha256';

/**
 * Create/Update: writes the CA chain PEM to the bucket unless the current version already holds exactly that
 * content, and returns the version id. Delete: keeps every version (a domain may still point at one; old
 * versions expire through the bucket's lifecycle rule).
 */
export async function handleTruststoreEvent(event: CustomResourceEvent, clients: TruststoreClients): Promise<CustomResourceResult> {
  const props = (event.ResourceProperties ?? {}) as unknown as TruststoreProperties;
  const physicalId = `s3://${props.BucketName}/${props.ObjectKey}`;
  try {
    if (event.RequestType === 'Delete') {
      return { Status: 'SUCCESS', PhysicalResourceId: event.PhysicalResourceId ?? physicalId };
    }
    for (const name of ['CertificateAuthorityArn', 'BucketName', 'ObjectKey'] as const) {
      if (!props[name]) throw new Error(`missing resource property ${name}`);
    }
    const pem = await readChainPem(clients, props.CertificateAuthorityArn);
    const versionId = await putIfChanged(clients, props, pem);
    return {
      Status: 'SUCCESS',
      PhysicalResourceId: physicalId,
      Data: { VersionId: versionId, Uri: physicalId, Sha256: sha256(pem) },
    };
  } catch (e) {
    return {
      Status: 'FAILED',
      // A failed Create must not invent an id CloudFormation would later try to delete under another name.
      PhysicalResourceId: event.PhysicalResourceId ?? physicalId,
      Reason: `truststore ${event.RequestType} failed: ${(e as Error).message}`.slice(0, 1000),
    };
  }
}

/** The PEM API Gateway trusts: the CA's certificate followed by its chain up to the root. */
export async function readChainPem(clients: TruststoreClients, caArn: string): Promise<string> {
  const out = await clients.pca.send(new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: caArn }));
  if (!out.Certificate) throw new Error(`CA ${caArn} has no certificate yet (is it activated?)`);
  return (
    [out.Certificate, out.CertificateChain]
      .filter(Boolean)
      .map((p) => p!.trim())
      .join('\n') + '\n'
  );
}

async function putIfChanged(clients: TruststoreClients, props: TruststoreProperties, pem: string): Promise<string> {
  const hash = sha256(pem);
  // "Unchanged" is decided on the object's bytes: metadata can be written with any body, so it proves nothing.
  const current = await currentObject(clients, props);
  if (current?.versionId && sha256(current.body) === hash) return current.versionId;
  const put = await clients.s3.send(
    new PutObjectCommand({
      Bucket: props.BucketName,
      Key: props.ObjectKey,
      Body: pem,
      ContentType: 'application/x-pem-file',
      Metadata: { [CONTENT_HASH_METADATA]: hash },
    }),
  );
  if (!put.VersionId) throw new Error(`bucket ${props.BucketName} returned no version id: versioning must be enabled`);
  return put.VersionId;
}

/**
 * The current version's id and body; undefined when there is no object yet. S3 answers a missing key with 404 only
 * to callers allowed s3:ListBucket, to others with 403 like a real denial: a 403 counts as "missing" only when a
 * listing of the key shows it is not there; otherwise it fails with the missing permission named.
 */
async function currentObject(clients: TruststoreClients, props: TruststoreProperties): Promise<{ versionId?: string; body: string } | undefined> {
  try {
    const got = await clients.s3.send(new GetObjectCommand({ Bucket: props.BucketName, Key: props.ObjectKey }));
    return { versionId: got.VersionId, body: got.Body ? await got.Body.transformToString() : '' };
  } catch (e) {
    const name = (e as Error).name;
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return undefined;
    if (name !== 'AccessDenied' && status !== 403) throw e;
  }
  let listed;
  try {
    listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: props.BucketName, Prefix: props.ObjectKey, MaxKeys: 1 }));
  } catch {
    throw new Error(
      `cannot read s3://${props.BucketName}/${props.ObjectKey} (AccessDenied), and listing it was denied too: S3 answers 403 rather than 404 for a missing object unless the caller may s3:ListBucket; the handler needs s3:GetObject on the object and s3:ListBucket on arn:aws:s3:::${props.BucketName}`,
    );
  }
  if ((listed.Contents ?? []).some((o) => o.Key === props.ObjectKey)) {
    throw new Error(
      `cannot read s3://${props.BucketName}/${props.ObjectKey} (AccessDenied) although the object exists: the handler needs s3:GetObject on it (and kms:Decrypt on the bucket key)`,
    );
  }
  return undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const clients: TruststoreClients = { pca: new ACMPCAClient({}), s3: new S3Client({}) };

export async function handler(event: CustomResourceEvent): Promise<void> {
  await runCustomResource(event, (e) => handleTruststoreEvent(e, clients));
}
