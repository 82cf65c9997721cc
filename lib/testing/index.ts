/**
 * Helpers for testing your own stacks: synthesize through the gate, cfn-lint, hash-stripping snapshots.
 * @packageDocumentation
 * @module cdk-secure-microservices/testing
 */
export * from './cfn-lint';
export * from './snapshot';
export * from './synth-with-checks';
