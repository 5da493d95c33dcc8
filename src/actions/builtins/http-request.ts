/**
 * `http.request` — one HTTP call with global `fetch`.
 *
 * - Sends `Idempotency-Key: <runId:nodeId:attempt:branch>` (unless the flow sets its own), so a
 *   server that honours it turns the engine's at-least-once steps into exactly-once effects.
 * - Only `http:` and `https:` URLs: `file:`, `data:` … are refused as `INPUT_INVALID`.
 * - Non-2xx → `HTTP_<status>`, retryable for 5xx and 429; network failure → `HTTP_NETWORK`
 *   (retryable); over `timeoutMs` → `TIMEOUT` (retryable); step aborted → `CANCELLED`;
 *   a body over `maxBytes` (default 5 MB) → `HTTP_TOO_LARGE`, read no further.
 * - Credentials in the URL (`https://user:secret@host/…`) are sent as Basic authorization
 *   (unless the flow sets `Authorization` itself), never as part of the URL.
 * - Error messages name the method, origin and path but never the credentials or the query
 *   string, which often carries tokens; a driver's message that quotes the URL is scrubbed.
 *
 * @example
 * - id: charge
 *   action: http.request
 *   input:
 *     url: https://payments.example.com/charges
 *     method: POST
 *     body: { amount: '=vars.total', currency: EUR }
 *   output: charge        # vars.charge = { status, headers, body }
 */
import { z } from 'zod';
import { RunloomError } from '../../errors.js';
import { type ActionContext, defineAction } from '../action.js';
import { cancelled } from '../action-errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const MB = 1024 * 1024;
/** How much of a failed response's body is read and kept in the error's details. */
const ERROR_BODY_BYTES = 4096;

const isHttpUrl = (value: string) => {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
};

const headerValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const queryValue = z.union([z.string(), z.number(), z.boolean()]);

export const httpRequestInput = z
  .object({
    url: z.string().refine(isHttpUrl, 'must be an absolute http: or https: URL'),
    method: z
      .string()
      .toUpperCase()
      .pipe(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']))
      .default('GET'),
    headers: z.record(z.string(), headerValue).optional(),
    /** Appended to the URL's search params; arrays repeat the key, `null` skips it. */
    query: z.record(z.string(), z.union([queryValue, z.array(queryValue), z.null()])).optional(),
    /** A string is sent as-is; anything else as JSON (with `content-type: application/json`). */
    body: z.unknown().optional(),
    timeoutMs: z.number().int().positive().max(DAY_MS).default(30_000),
    /** `auto`: JSON when the content type says so and it parses, text otherwise. */
    responseType: z.enum(['json', 'text', 'auto']).default('auto'),
    maxBytes: z
      .number()
      .int()
      .positive()
      .max(100 * MB)
      .default(5 * MB),
  })
  .refine((r) => r.body === undefined || (r.method !== 'GET' && r.method !== 'HEAD'), {
    message: 'GET and HEAD requests cannot have a body',
    path: ['body'],
  });

export const httpRequestOutput = z.object({
  status: z.number(),
  headers: z.record(z.string(), z.string()),
  body: z.unknown(),
});

type HttpRequestInput = z.output<typeof httpRequestInput>;
type HttpResponse = z.output<typeof httpRequestOutput>;

export const httpRequestAction = defineAction({
  name: 'http.request',
  description: 'Calls an HTTP(S) endpoint with an Idempotency-Key header and returns { status, headers, body }.',
  input: httpRequestInput,
  output: httpRequestOutput,
  cost: 1,
  redact: redactRequest,
  run: request,
});

const SECRET_HEADER = /authorization|cookie|token|secret|key|password/i;
const REDACTED = '[redacted]';

/**
 * The request as the run's log keeps it: the URL without credentials or query string (the
 * origin and path name the call well enough), query values and secret-looking headers hidden.
 */
function redactRequest(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const { url, query, headers, ...rest } = input as Record<string, unknown>;
  const logged: Record<string, unknown> = { ...rest };
  if (url !== undefined) logged.url = typeof url === 'string' && URL.canParse(url) ? withoutSecrets(new URL(url)) : url;
  if (query !== null && typeof query === 'object') {
    logged.query = Object.fromEntries(Object.keys(query).map((key) => [key, REDACTED]));
  } else if (query !== undefined) logged.query = query;
  if (headers !== null && typeof headers === 'object') {
    logged.headers = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, SECRET_HEADER.test(name) ? REDACTED : value]),
    );
  } else if (headers !== undefined) logged.headers = headers;
  return logged;
}

/** A URL as logs and errors show it: credentials and query values hidden. */
export function withoutSecrets(url: URL): string {
  const credentials = url.username !== '' || url.password !== '';
  return `${url.protocol}//${credentials ? `${REDACTED}@` : ''}${url.host}${url.pathname}${url.search ? `?${REDACTED}` : ''}`;
}

async function request(input: HttpRequestInput, ctx: ActionContext): Promise<HttpResponse> {
  const url = new URL(input.url);
  for (const [key, value] of Object.entries(input.query ?? {})) {
    if (value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
  }
  const where = `${input.method} ${url.origin}${url.pathname}`;
  const headers = new Headers(input.headers);
  if (!headers.has('idempotency-key')) headers.set('idempotency-key', ctx.idempotencyKey);
  const secrets = [input.url, url.href, url.search, url.username, url.password].filter((s) => s.length >= 3);
  if (url.username !== '' || url.password !== '') {
    // fetch refuses a URL with credentials (and its error quotes the URL): send them as a header.
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    if (!headers.has('authorization'))
      headers.set('authorization', `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
    url.username = '';
    url.password = '';
  }
  let body: string | undefined;
  if (typeof input.body === 'string') body = input.body;
  else if (input.body !== undefined) {
    body = JSON.stringify(input.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }

  const { signal } = ctx;
  if (signal.aborted) throw cancelled('http.request', signal.reason);
  // One controller for the request: aborted by the step's signal or by our own timer, and the
  // flag tells the two apart when fetch rejects with a bare AbortError.
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, input.timeoutMs);

  try {
    const response = await fetch(url, { method: input.method, headers, body, signal: controller.signal });
    if (!response.ok) {
      const { bytes, truncated } = await readBody(response, ERROR_BODY_BYTES, 'truncate', where);
      const text = decode(bytes) + (truncated ? '…' : '');
      throw new RunloomError(`HTTP_${response.status}`, `http.request ${where} responded ${response.status}`, {
        retryable: response.status >= 500 || response.status === 429,
        details: { status: response.status, body: text },
      });
    }
    const { bytes } = await readBody(response, input.maxBytes, 'fail', where);
    return { status: response.status, headers: plainHeaders(response.headers), body: parseBody(bytes, response, input, where) };
  } catch (error) {
    if (error instanceof RunloomError) throw error;
    if (timedOut) {
      throw new RunloomError('TIMEOUT', `http.request ${where} timed out after ${input.timeoutMs}ms`, {
        retryable: true,
        details: { timeoutMs: input.timeoutMs },
      });
    }
    if (signal.aborted) throw cancelled('http.request', signal.reason);
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    // The driver's error is not kept as the cause: its message and stack may quote the URL.
    throw new RunloomError('HTTP_NETWORK', `http.request ${where} failed: ${scrub(reason, secrets, where)}`, {
      retryable: true,
    });
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Reads at most `limit` bytes. `fail` throws HTTP_TOO_LARGE past it (checked against
 * content-length first, so a declared 1 GB body is never downloaded); `truncate` keeps the head.
 */
async function readBody(
  response: Response,
  limit: number,
  mode: 'fail' | 'truncate',
  where: string,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const tooLarge = () =>
    new RunloomError('HTTP_TOO_LARGE', `http.request ${where}: response body exceeds ${limit} bytes`, {
      retryable: false,
      details: { status: response.status, maxBytes: limit },
    });
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (mode === 'fail' && declared > limit) {
    response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (response.body === null) return { bytes: new Uint8Array(0), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > limit) {
      reader.cancel().catch(() => {});
      if (mode === 'fail') throw tooLarge();
      chunks.push(value.subarray(0, limit - total));
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(value);
    total += value.byteLength;
  }
  return { bytes: Buffer.concat(chunks, total), truncated: false };
}

/** `text` with every secret of the request (the URL, its query, its credentials) replaced. */
function scrub(text: string, secrets: readonly string[], where: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(secret.startsWith('http') ? where : '[redacted]');
  return out;
}

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function parseBody(bytes: Uint8Array, response: Response, input: HttpRequestInput, where: string): unknown {
  const text = decode(bytes);
  if (input.responseType === 'text') return text;
  const isJson = /[/+]json\b/i.test(response.headers.get('content-type') ?? '');
  if (input.responseType === 'auto' && !isJson) return text;
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    if (input.responseType === 'auto') return text;
    throw new RunloomError('HTTP_INVALID_JSON', `http.request ${where}: response is not valid JSON`, {
      retryable: false,
      details: { status: response.status, body: text.slice(0, ERROR_BODY_BYTES) },
      cause: error,
    });
  }
}

/** Lower-case names; repeated headers (set-cookie) joined with `, `. `fromEntries` keeps `__proto__` a plain key. */
function plainHeaders(headers: Headers): Record<string, string> {
  const merged = new Map<string, string>();
  headers.forEach((value, name) => {
    const seen = merged.get(name);
    merged.set(name, seen === undefined ? value : `${seen}, ${value}`);
  });
  return Object.fromEntries(merged);
}
