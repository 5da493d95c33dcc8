/**
 * JSON Schemas in flow files (run inputs/outputs, wait payloads, ai output schemas), compiled
 * once with ajv into `SchemaCheck`s that return readable problems (`/email must be string`).
 *
 * Strict about keywords (a misspelt `requried` is a problem, not a silently ignored keyword),
 * with the common string formats built in: ajv-formats is not a dependency, and an unknown
 * format would otherwise make every schema using it invalid.
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { SchemaCheck } from './compiled.js';

const DATE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/;
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?$/i;
const FORMATS = {
  date: DATE,
  time: TIME,
  'date-time': (text: string) => {
    const [date, time, ...rest] = text.split(/t|\s/i);
    return rest.length === 0 && DATE.test(date) && time !== undefined && TIME.test(time) && !Number.isNaN(Date.parse(text));
  },
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  uri: (text: string) => {
    try {
      return new URL(text).protocol.length > 1;
    } catch {
      return false;
    }
  },
  uuid: /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i,
  hostname: /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i,
  ipv4: /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
};

// One instance for the process: creating an Ajv costs ~20 ms, compiling a schema well under 1.
// Schemas are removed from its cache after compiling, so it does not grow with flow versions.
let shared: Ajv | undefined;
function ajv(): Ajv {
  shared ??= new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, logger: false, formats: FORMATS });
  return shared;
}

/** Why `schema` is not a usable JSON Schema, or undefined when it compiles. */
export function schemaProblem(schema: unknown): string | undefined {
  try {
    compileSchemaCheck(schema);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Compiles a JSON Schema into a check returning readable problems, or null when valid.
 *
 * @example
 * const check = compileSchemaCheck({ type: 'object', properties: { email: { type: 'string' } } });
 * check({ email: 3 }) // ['/email must be string']
 * @throws Error when the schema does not compile.
 */
export function compileSchemaCheck(schema: unknown): SchemaCheck {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new Error('a JSON Schema must be an object');
  const instance = ajv();
  let validate: ReturnType<Ajv['compile']>;
  try {
    validate = instance.compile(schema);
  } finally {
    instance.removeSchema(schema);
  }
  return (value) => (validate(value) ? null : (validate.errors ?? []).map(describe));
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? `failed ${error.keyword}`;
  if (error.keyword === 'additionalProperties') message += ` ('${String(params.additionalProperty)}')`;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues))
    message += `: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return error.instancePath ? `${error.instancePath} ${message}` : message;
}
