/** The rule packs the security gate can run; their values are the namespaces of the finding ids (`<pack>::<pack>-<rule>`). */
export enum SecurityPack {
  AWS_SOLUTIONS = 'AwsSolutions',
  SERVERLESS = 'Serverless',
  NIST_800_53_R5 = 'NIST.800.53.R5',
  PCI_DSS_321 = 'PCI.DSS.321',
  HIPAA_SECURITY = 'HIPAA.Security',
  PLATFORM = 'PlatformChecks',
}

/** The compliance packs (NIST 800-53 R5, PCI DSS 3.2.1, HIPAA Security), which share most rule names. */
export const COMPLIANCE_PACKS: readonly SecurityPack[] = [SecurityPack.NIST_800_53_R5, SecurityPack.PCI_DSS_321, SecurityPack.HIPAA_SECURITY];
