import 'reflect-metadata';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ACMPCAClient,
  CreateCertificateAuthorityCommand,
  GetCertificateAuthorityCsrCommand,
  GetCertificateCommand,
  ImportCertificateAuthorityCertificateCommand,
  IssueCertificateCommand,
  DescribeCertificateAuthorityCommand,
  RevokeCertificateCommand,
  UpdateCertificateAuthorityCommand,
} from '@aws-sdk/client-acm-pca';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { issueClientCertificate, listClientCertificates, renewClientCertificate, toPcaSerial } from '../../lib/cli/certs/client-certificates';
import { authorize, dynamoDbDenyList } from '../../lib/pki/handlers/client-cert-authorizer.lambda';
import { syncRevocation } from '../../lib/pki/handlers/revocation-sync.lambda';
import { handleTruststoreEvent } from '../../lib/pki/handlers/truststore.lambda';
import { boundClientIds } from '../../lib/pki/client-binding';
import { normalizeSerial } from '../../lib/pki/serial';
import { runCliInProcess } from './cli';
import { recordedRevokeEvent } from './cloudtrail';
import { missingTools, MOTO_CLIENT_CONFIG, MOTO_ENV, MotoServer, startMoto } from './moto';

const missing = missingTools(['moto_server', 'openssl']);
const REPO = path.join(__dirname, '..', '..');
const DENY_LIST = 'client-cert-deny-list';
const ORDERS_CLIENT = '1example23456789abcdefghij';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a user would (npx tsx lib/cli/csm-certs.ts ...), against moto, with dummy credentials. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', 'lib/cli/csm-certs.ts', ...args], {
      cwd: REPO,
      env: { ...process.env, ...MOTO_ENV, AWS_PROFILE: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) =>
      resolve({
        code,
        stdout,
        stderr: stderr
          .split('\n')
          .filter((l) => !/npm warn/i.test(l))
          .join('\n')
          .trim(),
      }),
    );
  });
}

describe.skipIf(missing)('client certificates against moto_server (real SDK v3 clients, real CLI)', () => {
  let moto: MotoServer;
  let pca: ACMPCAClient;
  let work: string;
  let caArn: string;
  let caPemFile: string;
  let records: string;

  beforeAll(async () => {
    moto = await startMoto();
    pca = new ACMPCAClient(MOTO_CLIENT_CONFIG(moto.endpoint));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-certs-'));
    records = path.join(work, 'records.json');

    // Create and activate a root CA the way the construct's resources do it.
    const created = await pca.send(
      new CreateCertificateAuthorityCommand({
        CertificateAuthorityType: 'ROOT',
        CertificateAuthorityConfiguration: {
          KeyAlgorithm: 'EC_prime256v1',
          SigningAlgorithm: 'SHA256WITHECDSA',
          Subject: { CommonName: 'Test Root CA', Organization: 'Example' },
        },
      }),
    );
    caArn = created.CertificateAuthorityArn!;
    const { Csr } = await pca.send(new GetCertificateAuthorityCsrCommand({ CertificateAuthorityArn: caArn }));
    const rootCert = await pca.send(
      new IssueCertificateCommand({
        CertificateAuthorityArn: caArn,
        Csr: Buffer.from(Csr!),
        SigningAlgorithm: 'SHA256WITHECDSA',
        TemplateArn: 'arn:aws:acm-pca:::template/RootCACertificate/V1',
        Validity: { Type: 'YEARS', Value: 10 },
      }),
    );
    const { Certificate } = await pca.send(new GetCertificateCommand({ CertificateAuthorityArn: caArn, CertificateArn: rootCert.CertificateArn }));
    await pca.send(new ImportCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: caArn, Certificate: Buffer.from(Certificate!) }));
    caPemFile = path.join(work, 'ca.pem');
    fs.writeFileSync(caPemFile, Certificate!);

    const dynamodb = new DynamoDBClient(MOTO_CLIENT_CONFIG(moto.endpoint));
    await dynamodb.send(
      new CreateTableCommand({
        TableName: DENY_LIST,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'serial', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'serial', KeyType: 'HASH' }],
      }),
    );
  });

  afterAll(async () => {
    await moto?.stop();
  });

  test('the CA is active and its certificate is a CA certificate', async () => {
    const described = await pca.send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: caArn }));
    expect(described.CertificateAuthority?.Status).toBe('ACTIVE');
    const ca = new x509.X509Certificate(fs.readFileSync(caPemFile, 'utf8'));
    expect(ca.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
  });

  describe('issue through the CLI, verify, handshake, revoke', () => {
    let certFile: string;
    let keyFile: string;
    let serial: string;
    /** `csm-certs issue` for ORDERS_CLIENT against moto; `--validity-days` and `--records` only when given. */
    const issueArgs = (o: { caArn: string; commonName: string; outDir: string; validityDays?: string; records?: string }): string[] => [
      'issue',
      '--ca-arn',
      o.caArn,
      '--common-name',
      o.commonName,
      '--client-id',
      ORDERS_CLIENT,
      ...(o.validityDays ? ['--validity-days', o.validityDays] : []),
      '--out-dir',
      o.outDir,
      ...(o.records ? ['--records', o.records] : []),
      '--endpoint-url',
      moto.endpoint,
    ];

    beforeAll(async () => {
      // moto compares revoked serials in its own form (format(serial, "X") split in pairs from the left), which equals
      // the byte form AWS documents only for an even number of hex digits; issue again in the rare odd case.
      for (let attempt = 0; attempt < 6; attempt++) {
        const outDir = path.join(work, `out${attempt}`);
        // moto reports every CA as SHORT_LIVED_CERTIFICATE, so at most 7 days.
        const run = await cli(issueArgs({ caArn, commonName: 'orders-client', validityDays: '7', outDir, records }));
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        certFile = path.join(outDir, 'orders-client.cert.pem');
        keyFile = path.join(outDir, 'orders-client.key.pem');
        serial = normalizeSerial(new x509.X509Certificate(fs.readFileSync(certFile, 'utf8')).serialNumber);
        if (serial.length % 2 === 0) break;
      }
    });

    test('writes certificate, chain and a 0600 key; the certificate chains to the CA (openssl verify)', () => {
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(keyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(fs.readFileSync(certFile.replace('.cert.pem', '.chain.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
      const verify = spawnSync('openssl', ['verify', '-CAfile', caPemFile, certFile], { encoding: 'utf8' });
      expect(verify.stdout.trim()).toBe(`${certFile}: OK`);
      expect(verify.status).toBe(0);
      const stranger = spawnSync('openssl', ['verify', '-CAfile', certFile, caPemFile], { encoding: 'utf8' });
      expect(stranger.status).not.toBe(0);
    });

    test('the issued certificate holds the locally generated key, the requested CN and its client binding', async () => {
      const cert = new x509.X509Certificate(fs.readFileSync(certFile, 'utf8'));
      expect(cert.subject).toBe('CN=orders-client');
      expect(boundClientIds(fs.readFileSync(certFile, 'utf8'))).toEqual([ORDERS_CLIENT]);
      const key = (await import('node:crypto')).createPrivateKey(fs.readFileSync(keyFile, 'utf8'));
      const pub = (await import('node:crypto')).createPublicKey(key).export({ type: 'spki', format: 'der' });
      expect(Buffer.from(cert.publicKey.rawData).equals(pub)).toBe(true);
    });

    test("the authorizer accepts the issued certificate with its client's token and refuses it with another client's", async () => {
      const pem = fs.readFileSync(certFile, 'utf8');
      const decide = (clientId: string) =>
        authorize(
          {
            methodArn: 'arn:aws:execute-api:eu-west-1:111111111111:abc/prod/GET/orders',
            httpMethod: 'GET',
            resource: '/orders',
            headers: { Authorization: 'Bearer t' },
            requestContext: { identity: { clientCert: { serialNumber: toPcaSerial(serial), clientCertPem: pem } } },
          },
          {
            isRevoked: async () => false,
            verifyAccessToken: async () => ({ sub: clientId, client_id: clientId, scope: 'orders/read' }),
            routeScopes: { 'GET /orders': ['orders/read'] },
          },
        );
      expect((await decide(ORDERS_CLIENT)).policyDocument.Statement.map((s) => s.Effect)).toEqual(['Allow']);
      expect((await decide('2another3client4id5678901')).policyDocument.Statement.map((s) => s.Effect)).toEqual(['Deny']);
    });

    // These error cases run the CLI's entry point in-process (a spawn costs ~2 s; issue, revoke and list are spawned).
    test('never overwrites without --force; short-lived validity, a bad CN and an unknown CA fail with one line each', async () => {
      const outDir = path.dirname(certFile);
      Object.assign(process.env, MOTO_ENV);
      const again = await runCliInProcess(issueArgs({ caArn, commonName: 'orders-client', validityDays: '7', outDir, records }));
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/^csm-certs issue: .*already exist\(s\): pass --force to overwrite$/);
      const badCn = await runCliInProcess(issueArgs({ caArn, commonName: 'CN=evil,O=x', outDir }));
      expect(badCn).toMatchObject({ code: 2, err: expect.stringMatching(/^csm-certs issue: invalid common name "CN=evil,O=x": [^\n]+$/) });
      const tooLong = await runCliInProcess(issueArgs({ caArn, commonName: 'other', validityDays: '30', outDir: path.join(work, 'long') }));
      expect(tooLong).toMatchObject({ code: 2, err: 'csm-certs issue: invalid validity 30 days: the CA is in short-lived mode (at most 7 days)' });
      expect(fs.existsSync(path.join(work, 'long'))).toBe(false);
      const unknownCa = await runCliInProcess(
        issueArgs({ caArn: caArn.replace(/[0-9a-f]{8}-/, '00000000-'), commonName: 'x', outDir: path.join(work, 'nope') }),
      );
      expect(unknownCa).toMatchObject({ code: 1, err: expect.stringMatching(/^csm-certs issue: not found: [^\n]+\(check the CA ARN and region\)$/) });
    });

    test('a node:https server with requestCert accepts the issued certificate and refuses a self-signed stranger', async () => {
      const serverKey = spawnSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-days',
        '1',
        '-keyout',
        path.join(work, 'server.key'),
        '-out',
        path.join(work, 'server.pem'),
      ]);
      expect(serverKey.status).toBe(0);
      spawnSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=orders-client',
        '-days',
        '1',
        '-keyout',
        path.join(work, 'stranger.key'),
        '-out',
        path.join(work, 'stranger.pem'),
      ]);
      const server = https.createServer(
        {
          key: fs.readFileSync(path.join(work, 'server.key')),
          cert: fs.readFileSync(path.join(work, 'server.pem')),
          ca: fs.readFileSync(caPemFile),
          requestCert: true,
          rejectUnauthorized: true,
        },
        (req, res) => {
          const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
          res.end(`hello ${peer.subject.CN} ${normalizeSerial(peer.serialNumber)}`);
        },
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as import('node:net').AddressInfo).port;
      const call = (cert: string, key: string) =>
        new Promise<string>((resolve, reject) => {
          const req = https.request(
            {
              host: '127.0.0.1',
              port,
              path: '/',
              ca: fs.readFileSync(path.join(work, 'server.pem')),
              cert: fs.readFileSync(cert),
              key: fs.readFileSync(key),
            },
            (res) => {
              let body = '';
              res.on('data', (d) => {
                body += d;
              });
              res.on('end', () => resolve(body));
            },
          );
          req.on('error', reject);
          req.end();
        });
      try {
        await expect(call(certFile, keyFile)).resolves.toBe(`hello orders-client ${serial}`);
        await expect(call(path.join(work, 'stranger.pem'), path.join(work, 'stranger.key'))).rejects.toThrow(
          /alert|unknown ca|socket hang up|ECONNRESET/i,
        );
      } finally {
        server.close();
      }
    });

    test('revoke records the revocation at the CA and the normalized serial in the deny-list; list shows it', async () => {
      const before = listClientCertificates({ recordsFile: records }).find((r) => r.serial === serial);
      expect(before?.status).toBe('active');
      const colonSerial = toPcaSerial(serial).toLowerCase();
      const run = await cli([
        'revoke',
        '--ca-arn',
        caArn,
        '--serial',
        `00:${colonSerial}`,
        '--reason',
        'KEY_COMPROMISE',
        '--deny-list-table',
        DENY_LIST,
        '--records',
        records,
        '--endpoint-url',
        moto.endpoint,
      ]);
      expect(run.stderr).toBe('');
      expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining(`revoked serial ${serial}`) });

      const item = await new DynamoDBClient(MOTO_CLIENT_CONFIG(moto.endpoint)).send(
        new GetItemCommand({ TableName: DENY_LIST, Key: { serial: { S: serial } } }),
      );
      expect(item.Item?.reason?.S).toBe('KEY_COMPROMISE');
      expect(Number(item.Item?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000);
      // moto raises on GetCertificate of a revoked serial.
      const certificateArn = listClientCertificates({ recordsFile: records }).find((r) => r.serial === serial)!.certificateArn;
      await expect(pca.send(new GetCertificateCommand({ CertificateAuthorityArn: caArn, CertificateArn: certificateArn }))).rejects.toThrow(
        /revoked/,
      );

      // The authorizer's real deny-list lookup (moto DynamoDB) refuses the revoked serial in API Gateway's form.
      const isRevoked = dynamoDbDenyList(new DynamoDBClient(MOTO_CLIENT_CONFIG(moto.endpoint)), DENY_LIST);
      expect(await isRevoked(serial)).toBe(true);
      expect(await isRevoked('1234')).toBe(false);
      const decision = await authorize(
        {
          methodArn: 'arn:aws:execute-api:eu-west-1:111111111111:abc/prod/GET/orders',
          httpMethod: 'GET',
          resource: '/orders',
          headers: { Authorization: 'Bearer not-even-checked' },
          requestContext: { identity: { clientCert: { serialNumber: toPcaSerial(serial).toLowerCase() } } },
        },
        { isRevoked, verifyAccessToken: () => Promise.reject(new Error('must not be reached')), routeScopes: { 'GET /orders': ['orders/read'] } },
      );
      expect(decision.policyDocument.Statement[0].Effect).toBe('Deny');

      const list = await runCliInProcess(['list', '--records', records]);
      expect(list.out).toMatch(new RegExp(`^revoked\\s+${serial}\\s+CN=orders-client`, 'm'));
    });

    test("status <serial> shows the deny-list view and the CA's CRL view (none published, then a CRL listing it)", async () => {
      Object.assign(process.env, MOTO_ENV);
      const args = [
        'status',
        toPcaSerial(serial),
        '--ca-arn',
        caArn,
        '--deny-list-table',
        DENY_LIST,
        '--records',
        records,
        '--endpoint-url',
        moto.endpoint,
      ];
      const before = await runCliInProcess(args);
      expect(before.err).toBe('');
      expect(before.out).toMatch(
        new RegExp(
          `^serial ${serial}\\n  deny-list \\(API\\): REVOKED \\S+ \\(KEY_COMPROMISE, by csm-certs\\), entry expires \\S+\\n  CA \\(CRL\\):        the CA publishes no CRL`,
        ),
      );
      expect(before.out).toContain('local record:    CN=orders-client client=1example23456789abcdefghij');

      // The CA publishes a CRL (what AWS Private CA writes to crl/<CA id>.crl about 30 minutes after a revocation).
      const s3 = new S3Client(MOTO_CLIENT_CONFIG(moto.endpoint));
      await s3.send(new CreateBucketCommand({ Bucket: 'crl-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      await pca.send(
        new UpdateCertificateAuthorityCommand({
          CertificateAuthorityArn: caArn,
          RevocationConfiguration: { CrlConfiguration: { Enabled: true, S3BucketName: 'crl-bucket', ExpirationInDays: 7 } },
        }),
      );
      const signer = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
      const crl = await x509.X509CrlGenerator.create({
        // AWS Private CA's CRLs always carry nextUpdate (@peculiar/x509 also loses the entries of a CRL without it).
        issuer: 'CN=Test Root CA',
        thisUpdate: new Date('2026-01-02T03:04:05Z'),
        nextUpdate: new Date('2026-01-09T03:04:05Z'),
        signingKey: signer.privateKey,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
        entries: [{ serialNumber: serial.length % 2 ? `0${serial}` : serial, revocationDate: new Date('2026-01-02T03:00:00Z') }],
      });
      await s3.send(new PutObjectCommand({ Bucket: 'crl-bucket', Key: `crl/${caArn.split('/').pop()}.crl`, Body: new Uint8Array(crl.rawData) }));
      const after = await runCliInProcess([...args, '--json']);
      expect(JSON.parse(after.out)).toMatchObject({
        serial,
        denyList: { listed: true, source: 'csm-certs' },
        ca: { crl: 'listed', thisUpdate: '2026-01-02T03:04:05.000Z', revokedAt: '2026-01-02T03:00:00.000Z' },
      });
      const stranger = await runCliInProcess(['status', '0a:0b', ...args.slice(2), '--json']);
      expect(JSON.parse(stranger.out)).toMatchObject({ serial: 'a0b', denyList: { listed: false }, ca: { crl: 'not-listed' } });
    });
  });

  test('renew: a new key pair under the same name, the old certificate kept for the grace period, then revoked as superseded', async () => {
    const outDir = path.join(work, 'renew');
    const issued = await issueClientCertificate(
      {
        certificateAuthorityArn: caArn,
        commonName: 'rotating',
        clientId: ORDERS_CLIENT,
        validityDays: 7,
        outDir,
        recordsFile: records,
        endpointUrl: moto.endpoint,
        region: MOTO_ENV.AWS_REGION,
      },
      pca,
    );
    const oldKey = fs.readFileSync(issued.files.privateKey, 'utf8');
    const dynamodb = new DynamoDBClient(MOTO_CLIENT_CONFIG(moto.endpoint));
    const connection = {
      certificateAuthorityArn: caArn,
      denyListTable: DENY_LIST,
      recordsFile: records,
      endpointUrl: moto.endpoint,
      region: MOTO_ENV.AWS_REGION,
    };
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      // Not due: a third of its lifetime is left.
      const early = await renewClientCertificate({ ...connection, certificateFile: issued.files.certificate }, { pca, dynamodb });
      expect(early).toMatchObject({ revoked: [], skipped: expect.stringMatching(/^not due: /) });

      const start = new Date();
      const renewed = await renewClientCertificate(
        { ...connection, certificateFile: issued.files.certificate, force: true, graceHours: 1, now: start },
        { pca, dynamodb },
      );
      const fresh = renewed.issued!;
      expect(fresh.record).toMatchObject({ commonName: 'rotating', clientId: ORDERS_CLIENT, validityDays: 7 });
      expect(fresh.record.serial).not.toBe(issued.record.serial);
      expect(fs.readFileSync(issued.files.privateKey, 'utf8')).not.toBe(oldKey);
      expect(fs.readFileSync(path.join(outDir, `rotating.${issued.record.serial}.key.pem`), 'utf8')).toBe(oldKey);
      expect(renewed.revokeAfter).toBe(new Date(start.getTime() + 3_600_000).toISOString());
      const denied = async (s: string) =>
        (await dynamodb.send(new GetItemCommand({ TableName: DENY_LIST, Key: { serial: { S: s } } }))).Item?.reason?.S;
      expect(await denied(issued.record.serial)).toBeUndefined();

      // A later scheduled run, after the grace period: the superseded certificate is revoked, the new one is not due.
      const later = await renewClientCertificate(
        { ...connection, certificateFile: fresh.files.certificate, now: new Date(start.getTime() + 2 * 3_600_000) },
        { pca, dynamodb },
      );
      expect(later.revoked.map((r) => r.serial)).toEqual([issued.record.serial]);
      expect(later.skipped).toMatch(/^not due: /);
      expect(await denied(issued.record.serial)).toBe('SUPERSEDED');
      expect(await denied(fresh.record.serial)).toBeUndefined();
      expect(listClientCertificates({ recordsFile: records }).find((r) => r.serial === issued.record.serial)).toMatchObject({
        status: 'revoked',
        supersededBy: fresh.record.serial,
      });
    } finally {
      quiet.mockRestore();
    }
  });

  test('a certificate revoked outside csm-certs (RevokeCertificate API) reaches the deny-list through the CloudTrail sync; the authorizer then denies it', async () => {
    const dynamodb = new DynamoDBClient(MOTO_CLIENT_CONFIG(moto.endpoint));
    let issued: Awaited<ReturnType<typeof issueClientCertificate>> | undefined;
    // moto matches revoked serials in its own form, equal to AWS's for an even number of hex digits (see above).
    for (let attempt = 0; attempt < 6 && !(issued && issued.record.serial.length % 2 === 0); attempt++) {
      issued = await issueClientCertificate(
        {
          certificateAuthorityArn: caArn,
          commonName: 'console-revoked',
          clientId: ORDERS_CLIENT,
          validityDays: 7,
          outDir: path.join(work, `console${attempt}`),
          recordsFile: records,
          endpointUrl: moto.endpoint,
          region: MOTO_ENV.AWS_REGION,
        },
        pca,
      );
    }
    const serial = issued!.record.serial;
    const pem = fs.readFileSync(issued!.files.certificate, 'utf8');
    const decide = () =>
      authorize(
        {
          methodArn: 'arn:aws:execute-api:eu-west-1:111111111111:abc/prod/GET/orders',
          httpMethod: 'GET',
          resource: '/orders',
          headers: { Authorization: 'Bearer t' },
          requestContext: { identity: { clientCert: { serialNumber: toPcaSerial(serial), clientCertPem: pem } } },
        },
        {
          isRevoked: dynamoDbDenyList(dynamodb, DENY_LIST),
          routeScopes: { 'GET /orders': ['orders/read'] },
          verifyAccessToken: async () => ({ sub: ORDERS_CLIENT, client_id: ORDERS_CLIENT, scope: 'orders/read' }),
        },
      );
    expect((await decide()).policyDocument.Statement.map((s) => s.Effect)).toEqual(['Allow']);

    // Someone revokes in the console / AWS CLI: only CloudTrail sees it. The event carries the serial as the caller wrote it.
    const callerSerial = toPcaSerial(serial).toLowerCase();
    await pca.send(
      new RevokeCertificateCommand({ CertificateAuthorityArn: caArn, CertificateSerial: callerSerial, RevocationReason: 'KEY_COMPROMISE' }),
    );
    const event = recordedRevokeEvent({ certificateAuthorityArn: caArn, certificateSerial: callerSerial });
    const result = await syncRevocation(event, { dynamodb, pca, tableName: DENY_LIST, certificateAuthorityArns: [caArn] });
    // moto reports every CA as short-lived: the entry expires a day after the longest such certificate could.
    expect(result).toMatchObject({ serial, outcome: 'written', expiresAt: Date.parse(event.detail!.eventTime!) / 1000 + 8 * 86_400 });
    expect((await decide()).policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ['arn:aws:execute-api:eu-west-1:111111111111:abc/prod/*'] },
    ]);
  });

  test('the truststore handler writes the CA PEM once to a versioned bucket (real S3/PCA clients)', async () => {
    const s3 = new S3Client(MOTO_CLIENT_CONFIG(moto.endpoint));
    await s3.send(new CreateBucketCommand({ Bucket: 'truststore', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'truststore', VersioningConfiguration: { Status: 'Enabled' } }));
    const event = {
      RequestType: 'Create' as const,
      ResponseURL: 'https://example.invalid',
      StackId: 's',
      RequestId: 'r',
      LogicalResourceId: 'T',
      ResourceProperties: { CertificateAuthorityArn: caArn, BucketName: 'truststore', ObjectKey: 'truststore.pem' },
    };
    const first = await handleTruststoreEvent(event, { pca, s3 });
    const replay = await handleTruststoreEvent(event, { pca, s3 });
    expect(first.Status).toBe('SUCCESS');
    expect(replay.Data?.VersionId).toBe(first.Data?.VersionId);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'truststore' }));
    expect(versions.Versions).toHaveLength(1);
    await handleTruststoreEvent({ ...event, RequestType: 'Delete', PhysicalResourceId: first.PhysicalResourceId }, { pca, s3 });
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket: 'truststore' }))).Versions).toHaveLength(1);
  });
});
