/**
 * Typed errors. Every error Runloom raises has a stable `code`, structured fields and a
 * `retryable` flag; the HTTP layer maps codes to statuses in one place (`httpStatusOf`).
 */

export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly retryable?: boolean;
  readonly details?: unknown;
}

export class RunloomError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details?: unknown;

  constructor(code: string, message: string, options: { retryable?: boolean; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

/** One problem found in a flow file: where, what kind, and a sentence. */
export interface FlowProblem {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** A flow that failed to load or validate. Carries every problem at once. */
export class FlowInvalidError extends RunloomError {
  readonly problems: readonly FlowProblem[];
  constructor(problems: readonly FlowProblem[], source?: string) {
    const head = source ? `${source}: ` : '';
    const lines = problems.map((p) => `  ${p.path || '(root)'}: [${p.code}] ${p.message}`).join('\n');
    super('FLOW_INVALID', `${head}flow is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'})\n${lines}`, {
      details: { problems },
    });
    this.problems = problems;
  }
}

/** An expression failed to compile or evaluate. Names the expression and where it stands. */
export class ExpressionError extends RunloomError {
  readonly expression: string;
  readonly where: string;
  constructor(expression: string, where: string, reason: string) {
    super('EXPRESSION_ERROR', `${where}: expression \`${expression}\` failed: ${reason}`, {
      details: { expression, where },
    });
    this.expression = expression;
    this.where = where;
  }
}

/** A request refused because of what it asked (bad input, wrong status, unknown id). */
export class RequestError extends RunloomError {}

export const notFound = (what: string, id: string) => new RequestError('NOT_FOUND', `${what} '${id}' not found`);

const STATUS_BY_CODE: Record<string, number> = {
  BAD_REQUEST: 400,
  BAD_JSON: 400,
  INPUT_INVALID: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RUN_STATUS: 409,
  NOT_WAITING: 409,
  ALREADY_ANSWERED: 409,
  SWARM_STOPPED: 409,
  ENTITY_STATUS: 409,
  REPLAYED: 409,
  RUN_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  FLOW_INVALID: 422,
  RATE_LIMITED: 429,
  SHUTTING_DOWN: 503,
  UNAVAILABLE: 503,
};

/**
 * The one mapping from error codes to HTTP statuses. A refusal (RequestError, an invalid flow)
 * with a code not listed is a 400; any other error is the server's fault: 500.
 */
export function httpStatusOf(error: unknown): number {
  if (!(error instanceof RunloomError)) return 500;
  const mapped = STATUS_BY_CODE[error.code];
  if (mapped !== undefined) return mapped;
  return error instanceof RequestError || error.code.endsWith('INVALID') || error.code.startsWith('INVALID_') ? 400 : 500;
}

/** Coerce anything thrown into an ErrorInfo, once, at the edge where it was caught. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof RunloomError) return error.toInfo();
  if (error instanceof Error) {
    const extra = error as Error & { code?: unknown; retryable?: unknown };
    const code = typeof extra.code === 'string' ? extra.code : 'ERROR';
    const retryable = extra.retryable;
    return { code, message: error.message, retryable: typeof retryable === 'boolean' ? retryable : true };
  }
  return { code: 'ERROR', message: String(error), retryable: true };
}
