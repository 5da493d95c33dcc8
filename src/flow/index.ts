/** Flows: the `runloom/v1` file format — schema, parse, validate, compile. */

export { type CompileContext, compileFlow } from './compile.js';
export { DEFAULT_LIMIT_ACTION, DEFAULT_LIMITS, DEFAULT_RETRY, NO_LIMIT } from './compile-settings.js';
export * from './compiled.js';
export { type Duration, durationProblem, parseDuration } from './duration.js';
export { compileSchemaCheck } from './json-schema.js';
export { type LoadFlowOptions, loadFlow } from './load.js';
export { loadFlowFile, parseFlowText } from './parse.js';
export { PROBLEM_CODES, type ProblemCode } from './problems.js';
export * from './schema.js';
export { assertValidFlow, type ValidateContext, type ValidationResult, validateFlow } from './validate.js';
export type { FlowCatalog } from './validate-references.js';
