/**
 * `runloom serve`: the HTTP API until SIGINT/SIGTERM, then a graceful stop: no new requests,
 * SSE streams end with `event: shutdown`, requests in flight finish, the runtime drains its
 * commits (steps in flight are run again after a restart, or by a worker) and the process exits 0.
 */
import { pino } from 'pino';
import { RequestError } from '../errors.js';
import type { Observed } from '../server/observed-store.js';
import type { Store } from '../store/store.js';
import { type GlobalOptions, openRunloom, storeUrl } from './context.js';

export interface ServeCommandOptions extends GlobalOptions {
  readonly host?: string;
  readonly port?: string;
  readonly requireKeys?: boolean;
  readonly bodyLimit?: string;
  readonly smtpPort?: string;
}

function whole(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RequestError('BAD_REQUEST', `${name} must be a whole number from ${min} to ${max}, not '${text}'`);
  return value;
}

export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  const host = options.host ?? process.env.RUNLOOM_HOST ?? '127.0.0.1';
  const port = whole('--port', options.port ?? process.env.RUNLOOM_PORT ?? '4000', 0, 65_535);
  const bodyLimit = options.bodyLimit === undefined ? undefined : whole('--body-limit', options.bodyLimit, 1, 1 << 30);
  const smtpPort = options.smtpPort === undefined ? undefined : whole('--smtp-port', options.smtpPort, 0, 65_535);
  const logger = pino({ level: process.env.RUNLOOM_LOG_LEVEL ?? 'info', redact: ['*.authorization', '*.secret'] });
  const shared = storeUrl(options)?.startsWith('postgres');
  // A relay never runs a step: the workers do (`runloom worker`).
  const [{ startServer }, { observeStore }] = await Promise.all([
    import('../server/serve.js'),
    import('../server/observed-store.js'),
  ]);
  let observed: Observed | undefined;
  const wrapStore = (store: Store) => {
    observed = observeStore(store);
    return observed.store;
  };
  const runloom = await openRunloom(options, !shared, shared ? { execute: false, wrapStore } : { wrapStore });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      runloom,
      host,
      port,
      logger,
      ...(options.requireKeys ? { requireKeys: true } : {}),
      ...(bodyLimit === undefined ? {} : { bodyLimit }),
      ...(observed ? { observed } : {}),
      ...(smtpPort === undefined ? {} : { smtpPort }),
    });
  } catch (error) {
    await runloom.close();
    throw error;
  }
  const mode = server.relay ? 'relay (runs execute in `runloom worker` processes)' : 'embedded (runs execute here)';
  const auth =
    server.auth === 'open'
      ? 'no key needed on loopback (workspace `default`); --require-keys to change that'
      : 'API keys required (Authorization: Bearer …)';
  process.stderr.write(`runloom serve listening on ${server.url} — ${mode}; ${auth}\n  docs: ${server.url}/docs\n`);
  if (server.smtpPort !== undefined) process.stderr.write(`  smtp: ${host}:${server.smtpPort} (mail for hooks' addresses)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write('runloom serve stopping…\n');
  await server.close();
  await runloom.close();
  process.stderr.write('runloom serve stopped\n');
  return 0;
}
