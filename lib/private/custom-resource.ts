import { Duration } from 'aws-cdk-lib';

/**
 * How long CloudFormation waits for a custom resource's answer before failing it. Without it, a response that never
 * arrives (a handler without a path to the response URL) holds the stack operation for an hour.
 */
export const CUSTOM_RESOURCE_SERVICE_TIMEOUT = Duration.minutes(5);
