import { Annotations, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, DependencyGroup, IConstruct } from 'constructs';
import { acknowledgeFinding } from '../core/acknowledge';
import { invalidProp } from '../private/errors';
import { SecureBucket } from '../storage/secure-bucket';
import { PCA_TEMPLATES, pcaTemplateArn } from './templates';
import { wholeDays, wholeNumber } from '../private/validation';

/** Key algorithms of the CA's own key pair. */
export enum CaKeyAlgorithm {
  EC_PRIME256V1 = 'EC_prime256v1',
  EC_SECP384R1 = 'EC_secp384r1',
  RSA_2048 = 'RSA_2048',
  RSA_4096 = 'RSA_4096',
}

/** How long the certificates the CA issues may live (and what the CA costs). */
export enum CaUsageMode {
  /** Any validity; about $400 per CA and month. */
  GENERAL_PURPOSE = 'GENERAL_PURPOSE',
  /** Certificates of at most 7 days; about $50 per CA and month; cannot be changed after creation. */
  SHORT_LIVED_CERTIFICATE = 'SHORT_LIVED_CERTIFICATE',
}

/** The distinguished name of a CA. */
export interface CaSubject {
  /** Common name (CN), 1–64 characters. */
  readonly commonName: string;
  /** @default - none */
  readonly organization?: string;
  /** @default - none */
  readonly organizationalUnit?: string;
  /** Two-letter ISO 3166 country code. @default - none */
  readonly country?: string;
  /** @default - none */
  readonly state?: string;
  /** @default - none */
  readonly locality?: string;
}

/** An issuing CA signed by the root. */
export interface SubordinateCaOptions {
  readonly subject: CaSubject;
  /**
   * Validity of the subordinate CA certificate in years; shorter than the root's.
   * @default 5
   */
  readonly validityYears?: number;
}

export interface PrivateCertificateAuthorityProps {
  /** Distinguished name of the root CA. */
  readonly subject: CaSubject;
  /**
   * Key algorithm of the CA keys; the signing algorithm follows from it (SHA256WITHECDSA, SHA384WITHECDSA,
   * SHA256WITHRSA).
   * @default CaKeyAlgorithm.EC_PRIME256V1
   */
  readonly keyAlgorithm?: CaKeyAlgorithm;
  /**
   * Validity of the root CA certificate in years (1–30).
   * @default 10
   */
  readonly validityYears?: number;
  /**
   * Usage mode of the CA that issues end-entity certificates (the subordinate when there is one; the root
   * then stays general purpose because it signs a CA certificate that outlives 7 days).
   * @default CaUsageMode.GENERAL_PURPOSE
   */
  readonly usageMode?: CaUsageMode;
  /**
   * Creates an issuing CA under the root; certificates are then issued by the subordinate. Two CAs cost twice.
   * @default - the root issues certificates itself
   */
  readonly subordinate?: SubordinateCaOptions;
  /**
   * Publish a certificate revocation list to a private bucket. Opt-in, because no relying party of the platform
   * reads one: API Gateway mutual TLS and ECS Service Connect never check revocation, and the mTLS authorizer refuses
   * revoked certificates through its deny-list (csm-certs revoke, RevocationSync). Turn it on for relying parties
   * that fetch CRLs from the bucket (grant them read access) or for `csm-certs status`'s CA view.
   * @default false - no CRL; the CA's audit report still records every revocation
   */
  readonly publishCrl?: boolean;
  /**
   * Time until the CRL's nextUpdate (whole days, 1–5000), with `publishCrl`.
   * @default Duration.days(7)
   */
  readonly crlExpiration?: Duration;
  /**
   * Customer managed key that encrypts the CRL bucket (SSE-KMS), with `publishCrl`. When it is a key of this app,
   * its policy gains a statement letting AWS Private CA (for this account only) write CRLs with it.
   */
  readonly encryptionKey: kms.IKey;
  /**
   * Bucket that receives the server access logs of the CRL bucket (SSE-S3), with `publishCrl`.
   * @default - a dedicated access-log bucket (SecureBucket's)
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Tag the issuing CA `AmazonECSManaged=true`, so ECS Service Connect TLS may use it: AWS's managed policy for the
   * ECS infrastructure role allows the PCA actions only on CAs with that tag. Any role with that managed policy in
   * this account can then have certificates issued from the CA.
   * @default false
   */
  readonly ecsServiceConnect?: boolean;
}

/** The tag ECS Service Connect TLS requires on a private CA (AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity). */
export const ECS_MANAGED_CA_TAG = { key: 'AmazonECSManaged', value: 'true' } as const;

/** One CA of the hierarchy and its self- or root-signed certificate. */
interface CaParts {
  readonly ca: acmpca.CfnCertificateAuthority;
  readonly certificate: acmpca.CfnCertificate;
  readonly activation: acmpca.CfnCertificateAuthorityActivation;
}

/** What every CA of the hierarchy shares: its key pair's algorithm, how it signs, and its CRL (if published). */
interface CaSettings {
  readonly keyAlgorithm: CaKeyAlgorithm;
  readonly signingAlgorithm: string;
  readonly revocationConfiguration?: acmpca.CfnCertificateAuthority.RevocationConfigurationProperty;
}

const SIGNING_ALGORITHMS: Record<CaKeyAlgorithm, string> = {
  [CaKeyAlgorithm.EC_PRIME256V1]: 'SHA256WITHECDSA',
  [CaKeyAlgorithm.EC_SECP384R1]: 'SHA384WITHECDSA',
  [CaKeyAlgorithm.RSA_2048]: 'SHA256WITHRSA',
  [CaKeyAlgorithm.RSA_4096]: 'SHA256WITHRSA',
};

/** Upper bounds from X.520 (ub-common-name etc.), as AWS Private CA enforces them. */
const SUBJECT_LIMITS: Record<keyof CaSubject, number> = {
  commonName: 64,
  organization: 64,
  organizationalUnit: 64,
  country: 2,
  state: 128,
  locality: 128,
};

const MAX_ROOT_VALIDITY_YEARS = 30;
const MAX_CRL_EXPIRATION_DAYS = 5000;

/**
 * An AWS Private CA hierarchy for the platform's PKI (P7): a root CA (optionally with a subordinate issuing
 * CA), activated in the same deployment, publishing its CRL to a private bucket, and retained on update and delete
 * (but deleted when the create that made it rolls back, so a failed first deploy leaves no CA billing).
 *
 * Order of creation: CRL bucket + policy → CA (DependsOn the policy, the CA checks bucket access) →
 * certificate signing the CA's CSR → activation.
 */
export class PrivateCertificateAuthority extends Construct {
  /** The CA that issues client and service certificates (the subordinate when there is one). */
  public readonly certificateAuthority: acmpca.ICertificateAuthority;
  /** ARN of the issuing CA (what ECS Service Connect TLS takes as `awsPcaAuthorityArn`). */
  public readonly certificateAuthorityArn: string;
  /** PEM of the issuing CA's certificate. */
  public readonly certificatePem: string;
  /**
   * PEM of the chain up to the root (issuing CA first, root last), from the issuing CA's activation: what a
   * truststore needs, and a reference that orders its user after the CA is active.
   */
  public readonly chainPem: string;
  /** The private bucket the CAs publish their CRLs to (`publishCrl`). */
  public readonly crlBucket?: s3.Bucket;
  /** The root CA (L1). */
  public readonly rootCa: acmpca.CfnCertificateAuthority;
  /** The subordinate issuing CA (L1), if one was requested. */
  public readonly subordinateCa?: acmpca.CfnCertificateAuthority;
  /** The usage mode of the issuing CA. */
  public readonly usageMode: CaUsageMode;
  /** Every activation of the hierarchy: depend on it to use the issuing CA only once it is active. */
  public readonly active: DependencyGroup;

  constructor(scope: Construct, id: string, props: PrivateCertificateAuthorityProps) {
    super(scope, id);
    this.usageMode = props.usageMode ?? CaUsageMode.GENERAL_PURPOSE;
    const { keyAlgorithm, rootYears, crlDays } = validateCaProps(this, props, this.usageMode);
    if (props.publishCrl) this.crlBucket = this.createCrlBucket(props);
    const settings: CaSettings = {
      keyAlgorithm,
      signingAlgorithm: SIGNING_ALGORITHMS[keyAlgorithm],
      revocationConfiguration: this.crlBucket && crlConfiguration(this.crlBucket, crlDays),
    };
    const rootMode = props.subordinate ? CaUsageMode.GENERAL_PURPOSE : this.usageMode;
    const root = this.createRootCa(settings, props.subject, rootMode, rootYears);
    const parts = [root];
    this.rootCa = root.ca;
    if (props.subordinate) {
      const sub = this.createSubordinateCa(settings, props.subordinate, root);
      parts.push(sub);
      this.subordinateCa = sub.ca;
    }
    for (const part of parts) {
      part.certificate.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
      part.activation.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    }

    const issuing = parts[parts.length - 1];
    this.chainPem = issuing.activation.attrCompleteCertificateChain;
    this.active = new DependencyGroup(...parts.map((p) => p.activation));
    if (props.ecsServiceConnect) {
      issuing.ca.tags.setTag(ECS_MANAGED_CA_TAG.key, ECS_MANAGED_CA_TAG.value);
    }
    this.certificateAuthorityArn = issuing.ca.attrArn;
    this.certificatePem = issuing.certificate.attrCertificate;
    this.certificateAuthority = acmpca.CertificateAuthority.fromCertificateAuthorityArn(this, 'IssuingCa', this.certificateAuthorityArn);
    if (this.usageMode === CaUsageMode.GENERAL_PURPOSE) {
      Annotations.of(this).addInfo(
        'General-purpose CA: for ECS Service Connect TLS a CA in SHORT_LIVED_CERTIFICATE mode costs less and fits its rotation.',
      );
    }
  }

  /** The root CA, its self-signed certificate (valid `years`) and its activation. */
  private createRootCa(settings: CaSettings, subject: CaSubject, usageMode: CaUsageMode, years: number): CaParts {
    const ca = this.createCa('RootCa', 'ROOT', subject, usageMode, settings);
    const certificate = new acmpca.CfnCertificate(this, 'RootCaCertificate', {
      certificateAuthorityArn: ca.attrArn,
      certificateSigningRequest: ca.attrCertificateSigningRequest,
      signingAlgorithm: settings.signingAlgorithm,
      templateArn: pcaTemplateArn(Stack.of(this).partition, PCA_TEMPLATES.root),
      validity: { type: 'YEARS', value: years },
    });
    const activation = new acmpca.CfnCertificateAuthorityActivation(this, 'RootCaActivation', {
      certificateAuthorityArn: ca.attrArn,
      certificate: certificate.attrCertificate,
      status: 'ACTIVE',
    });
    return { ca, certificate, activation };
  }

  /** The subordinate issuing CA, its certificate signed by the (active) root, and its activation with the root's chain. */
  private createSubordinateCa(settings: CaSettings, subordinate: SubordinateCaOptions, root: CaParts): CaParts {
    const ca = this.createCa('SubordinateCa', 'SUBORDINATE', subordinate.subject, this.usageMode, settings);
    const certificate = new acmpca.CfnCertificate(this, 'SubordinateCaCertificate', {
      certificateAuthorityArn: root.ca.attrArn,
      certificateSigningRequest: ca.attrCertificateSigningRequest,
      signingAlgorithm: settings.signingAlgorithm,
      templateArn: pcaTemplateArn(Stack.of(this).partition, PCA_TEMPLATES.subordinate),
      validity: { type: 'YEARS', value: subordinate.validityYears ?? 5 },
    });
    // The root signs only once it is active.
    certificate.node.addDependency(root.activation);
    const activation = new acmpca.CfnCertificateAuthorityActivation(this, 'SubordinateCaActivation', {
      certificateAuthorityArn: ca.attrArn,
      certificate: certificate.attrCertificate,
      certificateChain: root.activation.attrCompleteCertificateChain,
      status: 'ACTIVE',
    });
    return { ca, certificate, activation };
  }

  /** One CA of the hierarchy, created after its CRL bucket's policy (or with the no-CRL finding acknowledged). */
  private createCa(
    caId: string,
    type: 'ROOT' | 'SUBORDINATE',
    subject: CaSubject,
    usageMode: CaUsageMode,
    settings: CaSettings,
  ): acmpca.CfnCertificateAuthority {
    const ca = new acmpca.CfnCertificateAuthority(this, caId, {
      type,
      keyAlgorithm: settings.keyAlgorithm,
      signingAlgorithm: settings.signingAlgorithm,
      subject,
      usageMode,
      revocationConfiguration: settings.revocationConfiguration,
    });
    // The CA checks that it can write to the bucket when it is created.
    if (this.crlBucket) ca.node.addDependency(this.crlBucket.policy!);
    else {
      acknowledgeFinding(
        ca,
        'PlatformChecks::Platform-PrivateCaRevocationEnabled',
        "No relying party of the platform reads a CRL or OCSP: API Gateway mutual TLS and ECS Service Connect never check revocation; the mTLS authorizer refuses revoked certificates through its deny-list (csm-certs revoke, and RevocationSync for revocations made elsewhere). The CA's audit report records every revocation; publishCrl: true publishes a CRL for relying parties that fetch one.",
      );
    }
    // Kept on update and delete (certificates it issued stay verifiable); deleted when the create that made it rolls
    // back, so a failed first deploy leaves no active CA billing. See "CA lifecycle" in the README.
    ca.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    return ca;
  }

  /** The private, KMS-encrypted bucket the CAs write their CRLs to, and the grants AWS Private CA needs for it. */
  private createCrlBucket(props: PrivateCertificateAuthorityProps): s3.Bucket {
    const stack = Stack.of(this);
    // The key policy below names the bucket in its encryption-context condition (as AWS Private CA documents), and
    // the bucket names the key: a name from pseudo parameters breaks that cycle. The last group of the stack id's
    // UUID is new for every stack creation, so a bucket kept from a rolled-back create never blocks the retry.
    const crlBucketName = Fn.join('-', [
      'pca-crl',
      Fn.select(4, Fn.split('-', Fn.select(2, Fn.split('/', stack.stackId)))),
      this.node.addr.slice(0, 10),
    ]);
    const bucket = new SecureBucket(this, 'CrlBucket', {
      bucketName: crlBucketName,
      encryptionKey: props.encryptionKey,
      accessLogsBucket: props.accessLogsBucket,
      accessLogsPrefix: 'crl-bucket/',
      withoutReplication: {
        reason:
          'The CA rewrites its CRL into this bucket on every update (and before the old one expires); a replica in another region would serve nothing the CA cannot regenerate.',
      },
    }).bucket;
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowPrivateCaCrlEncryption${this.node.addr.slice(0, 8)}`,
        principals: [new iam.ServicePrincipal('acm-pca.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          // AWS Private CA's documented condition for a bucket with an S3 Bucket Key: the encryption context names the
          // bucket. (aws:SourceAccount is not documented for the KMS calls S3 makes on the CA's behalf.)
          StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': `arn:${stack.partition}:s3:::${crlBucketName}` },
        },
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowPrivateCaToPublishCrls',
        principals: [new iam.ServicePrincipal('acm-pca.amazonaws.com')],
        actions: ['s3:PutObject', 's3:PutObjectAcl', 's3:GetBucketAcl', 's3:GetBucketLocation'],
        resources: [bucket.bucketArn, bucket.arnForObjects('*')],
        // An exact aws:SourceArn would be circular (the CA depends on this policy).
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    return bucket;
  }

  /**
   * Lets `grantee` issue client certificates from the issuing CA and fetch them: acm-pca:IssueCertificate only with
   * the EndEntityClientAuthCertificate/V1 template (no CA certificates, even from a root that issues), and
   * acm-pca:GetCertificate, acm-pca:DescribeCertificateAuthority on the CA's ARN.
   */
  public grantIssue(grantee: iam.IGrantable): iam.Grant {
    const [issue, read] = clientCertificateIssueStatements(this.certificateAuthorityArn, Stack.of(this).partition);
    return iam.Grant.addToPrincipal({ grantee, actions: issue.actions, resourceArns: issue.resources, conditions: issue.conditions }).combine(
      iam.Grant.addToPrincipal({ grantee, actions: read.actions, resourceArns: read.resources }),
    );
  }

  /** Lets `grantee` revoke certificates of the issuing CA (acm-pca:RevokeCertificate). */
  public grantRevoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['acm-pca:RevokeCertificate'], resourceArns: [this.certificateAuthorityArn] });
  }
}

/** The CRL the CAs publish to `bucket`, valid for `crlDays`. */
function crlConfiguration(bucket: s3.IBucket, crlDays: number): acmpca.CfnCertificateAuthority.RevocationConfigurationProperty {
  return {
    crlConfiguration: {
      enabled: true,
      expirationInDays: crlDays,
      s3BucketName: bucket.bucketName,
      s3ObjectAcl: 'BUCKET_OWNER_FULL_CONTROL',
    },
  };
}

/** What the hierarchy is built from, once its props are checked. */
interface CheckedCaProps {
  readonly keyAlgorithm: CaKeyAlgorithm;
  readonly rootYears: number;
  readonly crlDays: number;
}

/** Checks the CA's props (algorithm, usage mode, subjects, validities, CRL settings only with publishCrl). */
function validateCaProps(scope: IConstruct, props: PrivateCertificateAuthorityProps, usageMode: CaUsageMode): CheckedCaProps {
  const keyAlgorithm = props.keyAlgorithm ?? CaKeyAlgorithm.EC_PRIME256V1;
  if (!Object.values(CaKeyAlgorithm).includes(keyAlgorithm)) {
    invalidProp(scope, 'keyAlgorithm', keyAlgorithm, 'unknown key algorithm', `use one of ${Object.values(CaKeyAlgorithm).join(', ')}`);
  }
  if (!Object.values(CaUsageMode).includes(usageMode)) {
    invalidProp(scope, 'usageMode', usageMode, 'unknown usage mode', `use one of ${Object.values(CaUsageMode).join(', ')}`);
  }
  validateSubject(scope, 'subject', props.subject);
  const rootYears = props.validityYears ?? 10;
  validateRange(scope, 'validityYears', rootYears, 1, MAX_ROOT_VALIDITY_YEARS, 'years');
  const crlDays = wholeDays(scope, 'crlExpiration', props.crlExpiration ?? Duration.days(7), { min: 1, max: MAX_CRL_EXPIRATION_DAYS });
  if (!props.publishCrl && (props.crlExpiration !== undefined || props.accessLogsBucket !== undefined)) {
    invalidProp(
      scope,
      props.crlExpiration !== undefined ? 'crlExpiration' : 'accessLogsBucket',
      props.crlExpiration?.toString() ?? props.accessLogsBucket?.bucketName,
      'it configures the CRL, which is published only with publishCrl',
      'set publishCrl: true, or drop this prop',
    );
  }
  if (props.subordinate) {
    validateSubject(scope, 'subordinate.subject', props.subordinate.subject);
    validateRange(scope, 'subordinate.validityYears', props.subordinate.validityYears ?? 5, 1, rootYears - 1, 'years (shorter than the root)');
  }
  return { keyAlgorithm, rootYears, crlDays };
}

function validateSubject(scope: IConstruct, prop: string, subject: CaSubject | undefined): void {
  if (!subject || subject.commonName === undefined || (!Token.isUnresolved(subject.commonName) && subject.commonName.trim() === '')) {
    invalidProp(scope, `${prop}.commonName`, subject?.commonName, 'a CA needs a common name', 'give the CA a name such as "Platform Root CA"');
  }
  for (const [field, max] of Object.entries(SUBJECT_LIMITS) as [keyof CaSubject, number][]) {
    const value = subject[field];
    if (value === undefined || Token.isUnresolved(value)) continue;
    if (value.length > max) {
      invalidProp(
        scope,
        `${prop}.${field}`,
        value,
        `${field} is limited to ${max} characters (X.520), got ${value.length}`,
        `shorten it to at most ${max} characters`,
      );
    }
  }
  if (subject.country !== undefined && !Token.isUnresolved(subject.country) && !/^[A-Z]{2}$/.test(subject.country)) {
    invalidProp(
      scope,
      `${prop}.country`,
      subject.country,
      'the country is a two-letter ISO 3166 code',
      'use upper-case letters such as "DE" or "US"',
    );
  }
}

function validateRange(scope: IConstruct, prop: string, value: number, min: number, max: number, unit: string): void {
  wholeNumber(scope, prop, value, {
    min,
    max,
    problem: `must be a whole number of ${unit} from ${min} to ${max}`,
    fix: `use a value between ${min} and ${max}`,
  });
}

/**
 * What issuing client certificates from a CA takes: `acm-pca:IssueCertificate` only with the end-entity client
 * template (acm-pca:TemplateArn condition), plus reading the CA and the certificates it issued.
 */
export function clientCertificateIssueStatements(caArn: string, partition: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['acm-pca:IssueCertificate'],
      resources: [caArn],
      conditions: { StringEquals: { 'acm-pca:TemplateArn': pcaTemplateArn(partition, PCA_TEMPLATES.clientAuth) } },
    }),
    new iam.PolicyStatement({ actions: ['acm-pca:GetCertificate', 'acm-pca:DescribeCertificateAuthority'], resources: [caArn] }),
  ];
}
