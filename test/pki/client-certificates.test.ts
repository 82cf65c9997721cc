import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as x509 from '@peculiar/x509';
import { describe, expect, test, vi } from 'vitest';
import {
  CertificateToolError,
  ClientKeyAlgorithm,
  generateKeyAndCsr,
  issueClientCertificate,
  listClientCertificates,
  retrier,
  revokeClientCertificate,
  toPcaSerial,
  toToolError,
} from '../../lib/cli/certs/client-certificates';
import { normalizeSerial } from '../../lib/pki/serial';
import { runCliInProcess } from './cli';
import { CfnJson } from '../../lib/private/rule-helpers';

const CA_ARN = 'arn:aws:acm-pca:eu-west-1:111111111111:certificate-authority/12345678-1234-1234-1234-123456789012';

describe('what we generate locally (moto ignores key type, validity and extensions)', () => {
  test('EC P-256 key and a CSR with the CN, ECDSA-SHA256, clientAuth and digitalSignature, self-verifying', async () => {
    const { privateKeyPem, csrPem } = await generateKeyAndCsr('orders-client');
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    expect(csr.subject).toBe('CN=orders-client');
    expect(csr.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
    expect(csr.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(await csr.verify()).toBe(true);
    const byOid = (oid: string) => csr.extensions.find((e) => e.type === oid) as unknown as { usages: unknown; critical: boolean };
    expect([...(byOid('2.5.29.37').usages as string[])]).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(byOid('2.5.29.15')).toMatchObject({ usages: x509.KeyUsageFlags.digitalSignature, critical: true });
    const key = (await import('node:crypto')).createPrivateKey(privateKeyPem);
    expect(key.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(csrPem).not.toContain('PRIVATE KEY');
  });

  test('RSA-2048 on request, SHA-256 signature', async () => {
    const { privateKeyPem, csrPem } = await generateKeyAndCsr('batch-job', ClientKeyAlgorithm.RSA_2048);
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    expect(csr.signatureAlgorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-256' } });
    expect((await import('node:crypto')).createPrivateKey(privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  test.each(['', 'CN=evil,O=x', 'a'.repeat(65), ' leading', 'quote"d', 'line\nbreak'])('rejects common name %j', async (cn) => {
    await expect(generateKeyAndCsr(cn)).rejects.toThrow(/invalid common name/);
  });

  test('rejects an unknown key algorithm', async () => {
    await expect(generateKeyAndCsr('x', 'DSA' as ClientKeyAlgorithm)).rejects.toThrow(/unknown key algorithm "DSA": use one of EC_P256/);
  });
});

describe('serials', () => {
  test.each([
    ['0A:1B:2C', 'a1b2c'],
    ['00:ff', 'ff'],
    ['  0x00FF  ', 'ff'],
    ['4d 2e', '4d2e'],
    ['0', '0'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeSerial(input)).toBe(expected);
  });

  test('rejects non-hex', () => {
    expect(() => normalizeSerial('xyz')).toThrow(/invalid certificate serial "xyz"/);
  });

  test('PCA form is upper-case colon-separated bytes', () => {
    expect(toPcaSerial('a1b2c')).toBe('0A:1B:2C');
    expect(toPcaSerial('00:de:ad:be:ef')).toBe('DE:AD:BE:EF');
  });
});

describe('errors and retries', () => {
  const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

  test('throttling is retried with backoff and succeeds', async () => {
    const call = vi.fn().mockRejectedValueOnce(throttled()).mockRejectedValueOnce(throttled()).mockResolvedValue('ok');
    await expect(retrier({ retryBaseMs: 1 })(call)).resolves.toBe('ok');
    expect(call).toHaveBeenCalledTimes(3);
  });

  test('persistent throttling ends with one clear line', async () => {
    const call = vi.fn().mockRejectedValue(throttled());
    await expect(retrier({ retryBaseMs: 1, maxAttempts: 4 })(call)).rejects.toThrow(
      /^throttled by AWS \(ThrottlingException\) after 4 attempts: try again later/,
    );
    expect(call).toHaveBeenCalledTimes(4);
  });

  test('missing credentials and unknown CA become one-line messages; other errors are not retried', async () => {
    const noCreds = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(toToolError(noCreds).message).toMatch(/^no AWS credentials found: set AWS_PROFILE/);
    const notFound = vi
      .fn()
      .mockRejectedValue(Object.assign(new Error('Could not find certificate authority\nmore'), { name: 'ResourceNotFoundException' }));
    await expect(retrier()(notFound)).rejects.toThrow(/Could not find/);
    expect(notFound).toHaveBeenCalledTimes(1);
    expect(toToolError((await retrier()(notFound).catch((e: unknown) => e)) as Error).message).toBe(
      'not found: Could not find certificate authority (check the CA ARN and region)',
    );
    const send = vi.fn().mockRejectedValue(noCreds);
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-unit-'));
    await expect(issueClientCertificate({ certificateAuthorityArn: CA_ARN, commonName: 'x', outDir }, { send })).rejects.toThrow(
      /^no AWS credentials found/,
    );
  });

  test('issue validates before any AWS call and before touching files', async () => {
    const send = vi.fn();
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-unit-'));
    await expect(
      issueClientCertificate({ certificateAuthorityArn: 'arn:aws:acm-pca:eu-west-1:1:ca/x', commonName: 'x', outDir }, { send }),
    ).rejects.toThrow(/invalid CA ARN/);
    await expect(issueClientCertificate({ certificateAuthorityArn: CA_ARN, commonName: 'x', outDir, validityDays: 400 }, { send })).rejects.toThrow(
      /invalid validity 400 days: use a whole number from 1 to 397/,
    );
    fs.writeFileSync(path.join(outDir, 'x.key.pem'), 'precious');
    await expect(issueClientCertificate({ certificateAuthorityArn: CA_ARN, commonName: 'x', outDir }, { send })).rejects.toThrow(
      /already exist\(s\): pass --force/,
    );
    expect(send).not.toHaveBeenCalled();
    expect(fs.readFileSync(path.join(outDir, 'x.key.pem'), 'utf8')).toBe('precious');
  });

  test('waits while the certificate is in progress (polling on RequestInProgressException)', async () => {
    const { csrPem } = await generateKeyAndCsr('probe');
    expect(csrPem).toBeTruthy();
    const inProgress = Object.assign(new Error('pending'), { name: 'RequestInProgressException' });
    const selfSigned = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '0abc',
      name: 'CN=waiter',
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 86_400_000),
      keys: await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    let gets = 0;
    const send = vi.fn(async (cmd: { constructor: { name: string } }) => {
      switch (cmd.constructor.name) {
        case 'DescribeCertificateAuthorityCommand':
          return { CertificateAuthority: { Status: 'ACTIVE', CertificateAuthorityConfiguration: { SigningAlgorithm: 'SHA256WITHECDSA' } } };
        case 'IssueCertificateCommand':
          return { CertificateArn: `${CA_ARN}/certificate/1` };
        case 'GetCertificateCommand':
          if (++gets < 3) throw inProgress;
          return { Certificate: selfSigned.toString('pem'), CertificateChain: 'CHAIN' };
        default:
          throw new Error(cmd.constructor.name);
      }
    });
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'csm-unit-'));
    const recordsFile = path.join(outDir, 'records.json');
    const result = await issueClientCertificate(
      { certificateAuthorityArn: CA_ARN, commonName: 'waiter', clientId: 'abc123client', outDir, recordsFile },
      { send },
    );
    expect(gets).toBe(3);
    expect(result.record).toMatchObject({ serial: 'abc', commonName: 'waiter', clientId: 'abc123client', keyAlgorithm: 'EC_P256' });
    const issue = send.mock.calls
      .map(([c]) => c as unknown as { constructor: { name: string }; input: CfnJson })
      .find((c) => c.constructor.name === 'IssueCertificateCommand')!;
    expect(issue.input).toMatchObject({
      TemplateArn: 'arn:aws:acm-pca:::template/EndEntityClientAuthCertificate/V1',
      SigningAlgorithm: 'SHA256WITHECDSA',
      Validity: { Type: 'DAYS', Value: 30 },
    });
    // The CSR asks for the client binding (the CA's end-entity template passes SANs through).
    const csr = new x509.Pkcs10CertificateRequest(Buffer.from(issue.input.Csr).toString());
    expect(
      csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension)?.names.toJSON(),
    ).toEqual([{ type: 'url', value: 'urn:cdk-secure-microservices:oauth-client:abc123client' }]);
    await expect(
      issueClientCertificate({ certificateAuthorityArn: CA_ARN, commonName: 'x', clientId: 'bad id', outDir: path.join(outDir, 'bad') }, { send }),
    ).rejects.toThrow(/invalid client id "bad id": a Cognito app client id is 1-128 letters/);
    expect(listClientCertificates({ recordsFile }).map((r) => r.status)).toEqual(['active']);
    expect(listClientCertificates({ recordsFile, now: new Date(Date.now() + 2 * 86_400_000) }).map((r) => r.status)).toEqual(['expired']);
  });

  test('revoke refuses without a deny-list table or serial, and still writes the deny-list when the CA already revoked', async () => {
    await expect(revokeClientCertificate({ certificateAuthorityArn: CA_ARN, serial: 'ab', denyListTable: '' })).rejects.toThrow(
      /invalid deny-list table name/,
    );
    await expect(revokeClientCertificate({ certificateAuthorityArn: CA_ARN, denyListTable: 'deny' })).rejects.toThrow(/give the serial/);
    await expect(revokeClientCertificate({ certificateAuthorityArn: CA_ARN, serial: 'zz', denyListTable: 'deny' })).rejects.toThrow(
      CertificateToolError,
    );
    const pca = { send: vi.fn().mockRejectedValue(Object.assign(new Error('already revoked'), { name: 'RequestAlreadyProcessedException' })) };
    const dynamodb = { send: vi.fn().mockResolvedValue({}) };
    const recordsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'csm-unit-')), 'records.json');
    const result = await revokeClientCertificate(
      { certificateAuthorityArn: CA_ARN, serial: '00:AB:CD', denyListTable: 'deny', recordsFile },
      { pca, dynamodb },
    );
    expect(result.serial).toBe('abcd');
    expect(pca.send.mock.calls.map(([c]) => c).find((c) => c.constructor.name === 'RevokeCertificateCommand').input).toMatchObject({
      CertificateSerial: 'AB:CD',
      RevocationReason: 'UNSPECIFIED',
    });
    expect(dynamodb.send.mock.calls[0][0].input).toMatchObject({ TableName: 'deny', Item: { serial: { S: 'abcd' }, source: { S: 'csm-certs' } } });
  });

  test('revoke writes the deny-list before the CA, and says loudly which half failed', async () => {
    const order: string[] = [];
    const dynamodb = {
      send: vi.fn(async () => {
        order.push('deny-list');
        return {};
      }),
    };
    const wrongCa = Object.assign(new Error('Could not find certificate authority'), { name: 'ResourceNotFoundException' });
    const pca = {
      send: vi.fn(async (cmd: { constructor: { name: string } }) => {
        order.push(cmd.constructor.name);
        throw wrongCa;
      }),
    };
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const caFailed = revokeClientCertificate(
      { certificateAuthorityArn: CA_ARN, serial: 'ab:cd', denyListTable: 'deny', recordsFile: path.join(os.tmpdir(), `none-${Date.now()}.json`) },
      { pca, dynamodb },
    );
    await expect(caFailed).rejects.toThrow(
      /serial abcd IS on the deny-list \(the API refuses it once the authorizer cache expires\), but the CA did NOT revoke it: not found: .*Run revoke again with the right --ca-arn/,
    );
    quiet.mockRestore();
    // The expiry bound is looked up at the CA (it failed: the entry is kept for good), then the deny-list, then the revocation.
    expect(order).toEqual(['DescribeCertificateAuthorityCommand', 'deny-list', 'RevokeCertificateCommand']);
    expect(dynamodb.send).toHaveBeenCalledTimes(1);

    const throttledTable = { send: vi.fn().mockRejectedValue(Object.assign(new Error('no such table'), { name: 'ResourceNotFoundException' })) };
    const untouched = { send: vi.fn() };
    const certFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'csm-unit-')), 'c.pem');
    const selfSigned = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '0abc',
      name: 'CN=x',
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 86_400_000),
      keys: await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    fs.writeFileSync(certFile, selfSigned.toString('pem'));
    await expect(
      revokeClientCertificate(
        { certificateAuthorityArn: CA_ARN, certificateFile: certFile, denyListTable: 'deny' },
        { pca: untouched, dynamodb: throttledTable },
      ),
    ).rejects.toThrow(/could not write serial abc to the deny-list deny \(not found: .*\); nothing was revoked: fix this and run revoke again/);
    expect(untouched.send).not.toHaveBeenCalled();
  });
});

describe('CLI', () => {
  test.each(['issue', 'revoke', 'renew', 'status', 'list'])('%s --help', async (command) => {
    const result = await runCliInProcess([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`^Usage: csm-certs ${command}`));
    expect(result.out).toContain('--endpoint-url');
  });

  test('usage errors are one line with exit code 2', async () => {
    expect(await runCliInProcess(['frobnicate'])).toMatchObject({
      code: 2,
      err: 'csm-certs: unknown command "frobnicate" (use issue, revoke, renew, status or list; --help for usage)',
    });
    expect(await runCliInProcess(['issue', '--common-name', 'x'])).toMatchObject({ code: 2, err: 'csm-certs issue: missing --ca-arn (see --help)' });
    expect(await runCliInProcess(['issue', '--bogus'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^csm-certs issue: Unknown option '--bogus'.*\(see --help\)$/),
    });
    expect(
      await runCliInProcess([
        'issue',
        '--ca-arn',
        CA_ARN,
        '--common-name',
        'x',
        '--client-id',
        'c1',
        '--key-algorithm',
        'DSA',
        '--out-dir',
        os.tmpdir(),
      ]),
    ).toMatchObject({ code: 2, err: expect.stringMatching(/^csm-certs issue: unknown key algorithm "DSA"/) });
    // A certificate is bound to its OAuth client unless unbinding is asked for explicitly.
    expect(await runCliInProcess(['issue', '--ca-arn', CA_ARN, '--common-name', 'x'])).toMatchObject({
      code: 2,
      err: 'csm-certs issue: missing --client-id (see --help)',
    });
    expect(await runCliInProcess(['status', 'ab', 'cd', '--ca-arn', CA_ARN, '--deny-list-table', 'deny'])).toMatchObject({
      code: 2,
      err: 'csm-certs status: one serial at most (got ab cd)',
    });
    expect(await runCliInProcess(['status', 'ab', '--serial', 'cd', '--ca-arn', CA_ARN, '--deny-list-table', 'deny'])).toMatchObject({
      code: 2,
      err: 'csm-certs status: give the serial once (positional or --serial)',
    });
    expect(await runCliInProcess(['status', 'xyz', '--ca-arn', CA_ARN, '--deny-list-table', 'deny'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^csm-certs status: invalid certificate serial "xyz"/),
    });
    expect(await runCliInProcess(['revoke', 'ab', '--ca-arn', CA_ARN])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^csm-certs revoke: Unexpected argument 'ab'/),
    });
    expect(
      await runCliInProcess(['renew', '--ca-arn', CA_ARN, '--cert', 'x.pem', '--deny-list-table', 'deny', '--grace-hours', 'soon']),
    ).toMatchObject({ code: 2, err: 'csm-certs renew: invalid --grace-hours "soon": expected a number' });
    expect(await runCliInProcess(['renew', '--ca-arn', CA_ARN, '--cert', 'x.pem', '--deny-list-table', 'deny', '--grace-hours=-1'])).toMatchObject({
      code: 2,
      err: 'csm-certs renew: invalid grace period -1 hours: use 0 (revoke at once) to 720',
    });
    expect(await runCliInProcess(['issue', '--ca-arn', CA_ARN, '--common-name', 'x', '--client-id', 'c1', '--unbound'])).toMatchObject({
      code: 2,
      err: 'csm-certs issue: give either --client-id or --unbound, not both',
    });
  });
});
