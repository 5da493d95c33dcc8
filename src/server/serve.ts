/**
 * Binds the API to a port (`runloom serve`). Embedded (SQLite): this process executes runs.
 * Relay (PostgreSQL + Redis): it never runs a step; `runloom worker` processes do, and several
 * servers can stand behind one address since all they share is the store and the bus.
 *
 * Who may call: on loopback with the embedded store, requests without a key act in the
 * `default` workspace unless keys are required; anywhere else keys are required and the server
 * refuses to start while no key exists (it would answer nobody).
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { RequestError } from '../errors.js';
import { listenSmtp } from '../journey/smtp.js';
import type { Runloom } from '../runloom.js';
import { type Api, createApi } from './app.js';
import type { Observed } from './observed-store.js';
import type { RateLimit } from './rate-limit.js';

export interface ServeOptions {
  readonly runloom: Runloom;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  /** Require a key even on loopback with the embedded store. */
  readonly requireKeys?: boolean;
  readonly bodyLimit?: number;
  readonly observed?: Observed;
  readonly rateLimits?: { readonly perKey: RateLimit; readonly public: RateLimit };
  /** Also accept inbound email for hooks' addresses on this SMTP port (0: any free port), on `host`. */
  readonly smtpPort?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly api: Api;
  readonly auth: 'keys' | 'open';
  readonly relay: boolean;
  /** The SMTP listener's port, when `smtpPort` was given. */
  readonly smtpPort?: number;
  /** Stops accepting, ends SSE streams with `event: shutdown`, waits for requests in flight. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  // A relay runs no step itself: the workers sharing its store do.
  const relay = !options.runloom.executes;
  const open = LOOPBACK.has(options.host) && !relay && !options.requireKeys;
  const auth = open ? 'open' : 'keys';
  const api = createApi({
    runloom: options.runloom,
    auth,
    logger: options.logger,
    relay,
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.observed ? { observed: options.observed } : {}),
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  });
  if (auth === 'keys' && !(await api.keys.any())) {
    throw new RequestError(
      'BAD_REQUEST',
      `refusing to serve on ${options.host} without API keys: create one with \`runloom keys create --workspace <name>\``,
    );
  }
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: api.app.fetch, hostname: options.host, port: options.port }, () => resolve(s));
    s.once('error', reject);
  });
  const smtp = options.smtpPort === undefined ? undefined : await listenMail(options);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  // Webhook tasks executed here are answered here, unless RUNLOOM_PUBLIC_URL names the address
  // receivers reach (a proxy, a public name).
  options.runloom.webhooks.offerPublicUrl(url);
  let closing: Promise<void> | undefined;
  return {
    url,
    api,
    auth,
    relay,
    ...(smtp ? { smtpPort: smtp.port } : {}),
    close() {
      closing ??= (async () => {
        await smtp?.close();
        await api.shutdown();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive connections idle between requests would hold close() open.
          (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
      })();
      return closing;
    },
  };
}

/** The SMTP listener of `serve --smtp-port`: mail for a hook's addresses goes to that hook. */
function listenMail(options: ServeOptions) {
  const { runloom, logger } = options;
  return listenSmtp({
    port: options.smtpPort ?? 0,
    host: options.host,
    hooks: () => runloom.store.journeys.listHooks(),
    deliver: (hook, raw) => runloom.journeys.receiveMail(hook.slug, raw),
    log: (message, data) => logger.warn(data ?? {}, message),
  });
}
