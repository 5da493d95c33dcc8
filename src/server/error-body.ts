/** The one error shape of the API, `{ error: { code, message, details } }`, and its status. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { httpStatusOf, RequestError, RunloomError } from '../errors.js';

export interface ErrorResponse {
  readonly status: number;
  readonly body: { readonly error: { readonly code: string; readonly message: string; readonly details?: unknown } };
}

const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Any throwable as the API's error. A server fault is never described to the client beyond its
 * request id: its message may hold a path, a query or a secret (it goes to the log instead).
 */
export function errorResponse(error: unknown, requestId: string): ErrorResponse {
  if (error instanceof HTTPException) {
    const status = error.status;
    // Hono's JSON parser says "Malformed JSON in request body": the code says which.
    const code = status === 400 && /json/i.test(error.message) ? 'BAD_JSON' : (HTTP_CODES[status] ?? 'BAD_REQUEST');
    return { status, body: { error: { code, message: error.message || code.toLowerCase().replaceAll('_', ' ') } } };
  }
  const status = httpStatusOf(error);
  if (status >= 500 && status !== 503) {
    return { status, body: { error: { code: 'INTERNAL', message: `internal error (request ${requestId})` } } };
  }
  const info = error as RunloomError;
  return {
    status,
    body: { error: { code: info.code, message: info.message, ...(info.details === undefined ? {} : { details: info.details }) } },
  };
}

export function sendError(c: Context, error: unknown, requestId: string): Response {
  const { status, body } = errorResponse(error, requestId);
  return c.json(body, status as 400);
}

export const badRequest = (message: string, details?: unknown) =>
  new RequestError('BAD_REQUEST', message, details === undefined ? {} : { details });

export { RunloomError };
