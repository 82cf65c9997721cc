import * as http from 'node:http';
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

/** CloudFormation rejects response bodies over 4 KB; the reason is cut well below that. */
const MAX_REASON_LENGTH = 1000;
/** A response PUT that hangs must not keep the function until its own timeout. */
const RESPONSE_TIMEOUT_MS = 10_000;

/**
 * Runs `decide` and always answers CloudFormation: an exception becomes FAILED with its message as the reason, so
 * no error leaves the stack waiting (the resource's serviceTimeout bounds what remains, e.g. an unreachable response
 * URL). A failed response PUT rejects, so Lambda's asynchronous retries replay the (idempotent) event.
 */
export async function runCustomResource(
  event: CustomResourceEvent,
  decide: (event: CustomResourceEvent) => Promise<CustomResourceResult>,
): Promise<CustomResourceResult> {
  let result: CustomResourceResult;
  try {
    result = await decide(event);
  } catch (e) {
    result = {
      Status: 'FAILED',
      PhysicalResourceId: event.PhysicalResourceId ?? event.LogicalResourceId ?? 'unknown',
      Reason: `${event.RequestType} failed: ${(e as Error)?.message ?? String(e)}`,
    };
  }
  if (result.Reason && result.Reason.length > MAX_REASON_LENGTH) result = { ...result, Reason: result.Reason.slice(0, MAX_REASON_LENGTH) };
  console.log(
    JSON.stringify({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, status: result.Status, reason: result.Reason }),
  );
  try {
    await sendResponse(event, result);
  } catch (e) {
    console.error(
      JSON.stringify({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, responseError: (e as Error).message }),
    );
    throw e;
  }
  return result;
}

/** Sends the result to the pre-signed ResponseURL (CloudFormation waits for it until the resource's serviceTimeout). */
export function sendResponse(event: CustomResourceEvent, result: CustomResourceResult): Promise<void> {
  const body = JSON.stringify({ ...result, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  const url = new URL(event.ResponseURL);
  // CloudFormation's URL is always https; plain http only serves local test doubles.
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      { method: 'PUT', timeout: RESPONSE_TIMEOUT_MS, headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`ResponseURL answered ${res.statusCode}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`ResponseURL did not answer within ${RESPONSE_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
