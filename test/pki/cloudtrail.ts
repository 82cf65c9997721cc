import { RevokeCertificateEvent } from '../../lib/pki/handlers/revocation-sync.lambda';

export const CA_ARN = 'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11223344-1234-1122-2233-112233445566';

/**
 * The EventBridge event of a RevokeCertificate call: the CloudTrail record AWS Private CA documents (user guide,
 * "Revoking a certificate", CloudTrail example) as `detail`, in EventBridge's "AWS API Call via CloudTrail" envelope.
 */
export function recordedRevokeEvent(
  overrides: { certificateSerial?: string; certificateAuthorityArn?: string; errorCode?: string; eventName?: string } = {},
): RevokeCertificateEvent {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.acm-pca',
    account: '111122223333',
    time: '2018-01-26T22:35:03Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.05',
      userIdentity: { type: 'IAMUser', principalId: 'account', arn: 'arn:aws:iam::111122223333:user/name', accessKeyId: 'key_ID' },
      eventTime: '2018-01-26T22:35:03Z',
      eventSource: 'acm-pca.amazonaws.com',
      eventName: overrides.eventName ?? 'RevokeCertificate',
      awsRegion: 'us-east-1',
      sourceIPAddress: '192.0.2.1',
      userAgent: 'aws-cli/2.15.0',
      requestParameters: {
        certificateAuthorityArn: overrides.certificateAuthorityArn ?? CA_ARN,
        certificateSerial: overrides.certificateSerial ?? '67:07:44:76:83:a9:b7:f4:05:56:27:ff:d5:5c:eb:cc',
        revocationReason: 'KEY_COMPROMISE',
      },
      responseElements: null,
      requestID: 'request_ID',
      eventID: 'event_ID',
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
      ...(overrides.errorCode ? { errorCode: overrides.errorCode, errorMessage: 'failed' } : {}),
    },
  } as RevokeCertificateEvent;
}
