import { GetCertificateAuthorityCertificateCommand } from '@aws-sdk/client-acm-pca';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { CustomResourceEvent, runCustomResource } from '../../lib/pki/handlers/cfn-response';
import { CONTENT_HASH_METADATA, handleTruststoreEvent, TruststoreClients } from '../../lib/pki/handlers/truststore.lambda';
import { CfnJson } from '../../lib/private/rule-helpers';

/** A versioned bucket in memory and a CA whose certificate the test can rotate. */
class FakeCloud {
  public versions: { id: string; body: string; metadata: Record<string, string> }[] = [];
  public caCertificate = '-----BEGIN CERTIFICATE-----\nROOT-1\n-----END CERTIFICATE-----';
  public caChain: string | undefined;
  public failPut = false;
  /** Like S3: without s3:ListBucket a missing key answers 403, not 404 (moto and most fakes always answer 404). */
  public listBucketDenied = false;
  /** Whether the caller's role lacks s3:GetObject on the key (a 403 for an existing object). */
  public getObjectDenied = false;
  public readonly clients: TruststoreClients = {
    pca: { send: async (cmd: unknown) => this.pca(cmd) },
    s3: { send: async (cmd: unknown) => this.s3(cmd) },
  } as unknown as TruststoreClients;

  private async pca(cmd: unknown) {
    if (!(cmd instanceof GetCertificateAuthorityCertificateCommand)) throw new Error(`unexpected ${String(cmd)}`);
    if (cmd.input.CertificateAuthorityArn !== CA_ARN) throw Object.assign(new Error('CA not found'), { name: 'ResourceNotFoundException' });
    return { Certificate: this.caCertificate, CertificateChain: this.caChain };
  }

  private async s3(cmd: unknown) {
    if (cmd instanceof GetObjectCommand) {
      const latest = this.versions.at(-1);
      if (this.getObjectDenied) throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      // What S3 answers for a missing key when the caller may s3:ListBucket (the construct grants it); 403 otherwise.
      if (!latest) {
        throw this.listBucketDenied
          ? Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })
          : Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
      }
      return { VersionId: latest.id, Metadata: latest.metadata, Body: { transformToString: async () => latest.body } };
    }
    if (cmd instanceof ListObjectsV2Command) {
      if (this.listBucketDenied) throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      return { Contents: this.versions.length > 0 ? [{ Key: cmd.input.Prefix }] : [] };
    }
    if (cmd instanceof PutObjectCommand) {
      if (this.failPut) throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
      const id = `v${this.versions.length + 1}`;
      this.versions.push({ id, body: String(cmd.input.Body), metadata: cmd.input.Metadata ?? {} });
      return { VersionId: id };
    }
    throw new Error(`unexpected ${String(cmd)}`);
  }
}

const CA_ARN = 'arn:aws:acm-pca:eu-west-1:111111111111:certificate-authority/abc';
const PROPS = { ServiceToken: 'arn:fn', CertificateAuthorityArn: CA_ARN, BucketName: 'trust-bucket', ObjectKey: 'truststore.pem' };

function event(type: CustomResourceEvent['RequestType'], props: Record<string, string> = PROPS, physicalId?: string): CustomResourceEvent {
  return {
    RequestType: type,
    ResponseURL: 'https://example.invalid/response',
    StackId: 'stack',
    RequestId: `req-${Math.random()}`,
    LogicalResourceId: 'Truststore',
    PhysicalResourceId: physicalId,
    ResourceProperties: props,
  };
}

describe('truststore handler', () => {
  let cloud: FakeCloud;
  beforeEach(() => {
    cloud = new FakeCloud();
  });

  test('create writes the CA chain and returns its version, uri and hash', async () => {
    cloud.caChain = '-----BEGIN CERTIFICATE-----\nPARENT\n-----END CERTIFICATE-----';
    const result = await handleTruststoreEvent(event('Create'), cloud.clients);
    expect(result).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 's3://trust-bucket/truststore.pem',
      Data: { VersionId: 'v1', Uri: 's3://trust-bucket/truststore.pem' },
    });
    expect(cloud.versions).toHaveLength(1);
    expect(cloud.versions[0].body).toBe(`${cloud.caCertificate}\n${cloud.caChain}\n`);
    expect(cloud.versions[0].metadata[CONTENT_HASH_METADATA]).toBe(result.Data!.Sha256);
  });

  test('a replayed create and an update with the same CA content reuse the version (no new object)', async () => {
    const first = await handleTruststoreEvent(event('Create'), cloud.clients);
    const replay = await handleTruststoreEvent(event('Create'), cloud.clients);
    const update = await handleTruststoreEvent(event('Update', { ...PROPS, CaChainPem: 'unchanged' }, first.PhysicalResourceId), cloud.clients);
    expect(replay.Data!.VersionId).toBe('v1');
    expect(update.Data!.VersionId).toBe('v1');
    expect(cloud.versions).toHaveLength(1);
  });

  test('an update after the CA certificate changed writes a new version and keeps the old one', async () => {
    await handleTruststoreEvent(event('Create'), cloud.clients);
    cloud.caCertificate = '-----BEGIN CERTIFICATE-----\nROOT-2\n-----END CERTIFICATE-----';
    const update = await handleTruststoreEvent(event('Update', PROPS, 's3://trust-bucket/truststore.pem'), cloud.clients);
    expect(update).toMatchObject({ Status: 'SUCCESS', Data: { VersionId: 'v2' } });
    expect(cloud.versions.map((v) => v.id)).toEqual(['v1', 'v2']);
    const replay = await handleTruststoreEvent(event('Update', PROPS, 's3://trust-bucket/truststore.pem'), cloud.clients);
    expect(replay.Data!.VersionId).toBe('v2');
  });

  test('a forged version whose metadata claims the current hash is replaced: "unchanged" is decided on the bytes', async () => {
    const first = await handleTruststoreEvent(event('Create'), cloud.clients);
    const forgedPem = '-----BEGIN CERTIFICATE-----\nATTACKER-CA\n-----END CERTIFICATE-----\n';
    cloud.versions.push({ id: 'forged', body: forgedPem, metadata: { [CONTENT_HASH_METADATA]: first.Data!.Sha256 } });
    const update = await handleTruststoreEvent(event('Update', PROPS, first.PhysicalResourceId), cloud.clients);
    expect(update).toMatchObject({ Status: 'SUCCESS', Data: { VersionId: 'v3', Sha256: first.Data!.Sha256 } });
    expect(cloud.versions.at(-1)!.body).toBe(cloud.versions[0].body);
  });

  test('without s3:ListBucket a missing object answers 403: the create fails naming the missing permission', async () => {
    cloud.listBucketDenied = true;
    const result = await handleTruststoreEvent(event('Create'), cloud.clients);
    expect(result).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(
        /AccessDenied\), and listing it was denied too: S3 answers 403 rather than 404.*s3:ListBucket on arn:aws:s3:::trust-bucket/,
      ),
    });
    expect(cloud.versions).toHaveLength(0);
  });

  test('delete (and a replayed delete) succeeds and removes no version', async () => {
    await handleTruststoreEvent(event('Create'), cloud.clients);
    for (let i = 0; i < 2; i++) {
      const result = await handleTruststoreEvent(event('Delete', PROPS, 's3://trust-bucket/truststore.pem'), cloud.clients);
      expect(result).toEqual({ Status: 'SUCCESS', PhysicalResourceId: 's3://trust-bucket/truststore.pem' });
    }
    expect(cloud.versions).toHaveLength(1);
  });

  test('failures are reported as FAILED with the reason, never thrown', async () => {
    const unknownCa = await handleTruststoreEvent(event('Create', { ...PROPS, CertificateAuthorityArn: `${CA_ARN}-other` }), cloud.clients);
    expect(unknownCa).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/Create failed: CA not found/) });
    cloud.failPut = true;
    const denied = await handleTruststoreEvent(event('Update', PROPS, 's3://trust-bucket/old.pem'), cloud.clients);
    expect(denied).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 's3://trust-bucket/old.pem',
      Reason: expect.stringMatching(/Access Denied/),
    });
    const missing = await handleTruststoreEvent(event('Create', { ...PROPS, ObjectKey: '' }), cloud.clients);
    expect(missing).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/missing resource property ObjectKey/) });
    expect(cloud.versions).toHaveLength(0);
  });

  test('a CA without a certificate (not activated) fails the create', async () => {
    cloud.caCertificate = '';
    const result = await handleTruststoreEvent(event('Create'), cloud.clients);
    expect(result).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/no certificate yet/) });
  });
  test('with s3:ListBucket the missing key is a 404 and the first create writes it', async () => {
    const result = await handleTruststoreEvent(event('Create'), cloud.clients);
    expect(result).toMatchObject({ Status: 'SUCCESS', Data: { VersionId: 'v1' } });
  });

  test('a 403 counts as missing only when a listing shows the key absent; a denied read of an existing key fails', async () => {
    cloud.getObjectDenied = true;
    const created = await handleTruststoreEvent(event('Create'), cloud.clients);
    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { VersionId: 'v1' } });
    const update = await handleTruststoreEvent(event('Update', PROPS, created.PhysicalResourceId), cloud.clients);
    expect(update).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/AccessDenied\) although the object exists: the handler needs s3:GetObject/),
    });
    expect(cloud.versions).toHaveLength(1);
  });
});

/** A stand-in for CloudFormation's presigned response URL: records each PUT, answers with `status`. */
describe('custom resource response (replayed Create/Update/Delete, failed PUT)', () => {
  const bodies: CfnJson[] = [];
  let status = 200;
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        bodies.push({ method: req.method, ...JSON.parse(body) });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    bodies.length = 0;
    status = 200;
  });

  test('Create, Update and Delete each answer CloudFormation once with the decided result', async () => {
    const cloud = new FakeCloud();
    for (const type of ['Create', 'Update', 'Delete'] as const) {
      await runCustomResource({ ...event(type, PROPS, type === 'Create' ? undefined : 's3://trust-bucket/truststore.pem'), ResponseURL: url }, (e) =>
        handleTruststoreEvent(e, cloud.clients),
      );
    }
    expect(bodies.map((b) => [b.method, b.Status, b.LogicalResourceId])).toEqual([
      ['PUT', 'SUCCESS', 'Truststore'],
      ['PUT', 'SUCCESS', 'Truststore'],
      ['PUT', 'SUCCESS', 'Truststore'],
    ]);
    expect(bodies[0].Data.VersionId).toBe('v1');
    expect(bodies[1].Data.VersionId).toBe('v1');
  });

  test('any error, even one thrown outside the handler logic, is answered FAILED with the reason', async () => {
    await runCustomResource({ ...event('Create'), ResponseURL: url }, async () => {
      throw new Error('boom: unexpected');
    });
    expect(bodies).toEqual([
      expect.objectContaining({ Status: 'FAILED', Reason: 'Create failed: boom: unexpected', PhysicalResourceId: 'Truststore' }),
    ]);
    const malformed = { ...event('Create'), ResourceProperties: undefined as unknown as Record<string, string>, ResponseURL: url };
    await runCustomResource(malformed, (e) => handleTruststoreEvent(e, new FakeCloud().clients));
    expect(bodies[1]).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/missing resource property/) });
  });

  test('a failed response PUT rejects, so Lambda retries the (idempotent) event', async () => {
    status = 403;
    const cloud = new FakeCloud();
    await expect(runCustomResource({ ...event('Create'), ResponseURL: url }, (e) => handleTruststoreEvent(e, cloud.clients))).rejects.toThrow(
      /ResponseURL answered 403/,
    );
    status = 200;
    await runCustomResource({ ...event('Create'), ResponseURL: url }, (e) => handleTruststoreEvent(e, cloud.clients));
    expect(bodies.map((b) => b.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(cloud.versions).toHaveLength(1);
  });
});
