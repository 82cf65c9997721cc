export { main, HELP, TOOL, type CliIo } from './cli';
export { fuzz, type FuzzOptions, type FuzzRun, type CaseOutcome } from './run';
export { loadModel, selectApi, UsageError } from './model';
export { type Finding, type FindingKind, findLeak, judge } from './judge';
export type { FuzzCase, FuzzRequest, Category, Expectation } from './generate';
export { buildReport, summarize, type FuzzReport } from './report';
