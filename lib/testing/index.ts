export * from './cfn-lint';
export * from './snapshot';
export * from './synth-with-checks';
