/**
 * The CLI's HTTP client for `--server http://…` (env RUNLOOM_SERVER, key in RUNLOOM_API_KEY):
 * one call per request, the server's error turned back into the typed error it came from, so
 * the exit codes are the same as against a local store (a refusal exits 2).
 */
import { RequestError, RunloomError } from '../errors.js';

export interface ServerOptions {
  readonly server?: string;
}

export interface ApiClient {
  readonly url: string;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** The response itself (a stream), after the same error handling. */
  open(path: string, headers?: Record<string, string>, signal?: AbortSignal): Promise<Response>;
  /** POSTs `body` and returns the response (a stream), after the same error handling. */
  stream(path: string, body: unknown, signal?: AbortSignal): Promise<Response>;
}

/** The server to talk to, if one is named (flag, then environment). */
export function serverUrl(options: ServerOptions): string | undefined {
  const url = options.server ?? process.env.RUNLOOM_SERVER;
  if (url === undefined || url === '') return undefined;
  if (!/^https?:\/\/[^/\s]+\/?$/.test(url)) {
    throw new RequestError('BAD_REQUEST', `--server must be http(s)://host:port, not '${url}'`);
  }
  return url.replace(/\/$/, '');
}

async function refusal(response: Response, what: string): Promise<RunloomError> {
  let error: { code?: string; message?: string; details?: unknown } = {};
  try {
    error = ((await response.json()) as { error?: typeof error }).error ?? {};
  } catch {
    // not the API's error shape: the status says it
  }
  const code = error.code ?? `HTTP_${response.status}`;
  const message = `${what}: ${error.message ?? response.statusText}`;
  // 4xx: the request was refused (exit 2); 5xx: the server failed.
  return response.status < 500
    ? new RequestError(code, message, { details: error.details })
    : new RunloomError(code, message, { details: error.details });
}

export function createApiClient(url: string, key = process.env.RUNLOOM_API_KEY): ApiClient {
  const headers = (extra: Record<string, string> = {}) => ({ ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra });
  const send = async (method: string, path: string, init: RequestInit) => {
    try {
      return await fetch(`${url}${path}`, { method, ...init });
    } catch (error) {
      throw new RequestError(
        'BAD_REQUEST',
        `server ${url} cannot be reached: ${(error as Error).cause ?? (error as Error).message}`,
      );
    }
  };
  return {
    url,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await send(method, path, {
        headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw await refusal(response, `${method} ${path}`);
      return (response.status === 204 ? undefined : await response.json()) as T;
    },
    async open(path, extra, signal) {
      const response = await send('GET', path, { headers: headers(extra), ...(signal ? { signal } : {}) });
      if (!response.ok) throw await refusal(response, `GET ${path}`);
      return response;
    },
    async stream(path, body, signal) {
      const init = { headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) };
      const response = await send('POST', path, { ...init, ...(signal ? { signal } : {}) });
      if (!response.ok) throw await refusal(response, `POST ${path}`);
      return response;
    },
  };
}
