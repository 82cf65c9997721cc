import * as https from 'node:https';

/** The CloudFormation custom resource request (the fields the PKI handlers read). */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, string>;
  readonly OldResourceProperties?: Record<string, string>;
}

/** What the handler decided; sent to CloudFormation as the response body. */
export interface CustomResourceResult {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly PhysicalResourceId: string;
  readonly Reason?: string;
  readonly Data?: Record<string, string>;
}

/** Sends the result to the pre-signed ResponseURL (CloudFormation waits for it, up to an hour). */
export function sendResponse(event: CustomResourceEvent, result: CustomResourceResult): Promise<void> {
  const body = JSON.stringify({ ...result, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  const url = new URL(event.ResponseURL);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`ResponseURL answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
