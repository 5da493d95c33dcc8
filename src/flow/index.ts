/** Flows: the `runloom/v1` file format — schema, parse, validate, compile. */

export { type CompileContext, compileFlow } from './compile.js';
export { DEFAULT_LIMIT_ACTION, DEFAULT_LIMITS, DEFAULT_RETRY, NO_LIMIT } from './compile-settings.js';
export * from './compiled.js';
export { type Duration, durationProblem, parseDuration } from './duration.js';
export { compileSchemaCheck } from './json-schema.js';
export { type LoadFlowOptions, loadFlow } from './load.js';
export { loadFlowFile, parseFlowText, readFlowSource } from './parse.js';
export { MAX_ALIAS_EXPANSION, MAX_DEPTH, MAX_FLOW_FILE_BYTES, valueLimitProblem } from './parse-limits.js';
export { PROBLEM_CODES, type ProblemCode } from './problems.js';
export * from './schema.js';
export { assertValidFlow, type ValidateContext, type ValidationResult, validateFlow } from './validate.js';
export type { FlowCatalog } from './validate-references.js';
