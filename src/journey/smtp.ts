/**
 * The SMTP listener (`runloom serve --smtp-port`): accepts mail only for the addresses hooks
 * name (`email.addresses`) and hands each message to its hook, as `POST /v1/hooks/:slug/email`
 * would. A refused message gets an SMTP error (the sender's server reports it), never a crash.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { RunloomError, toErrorInfo } from '../errors.js';
import type { HookRow } from '../store/journey-records.js';
import type { HookConfig } from './hook-config.js';

export interface SmtpListenerOptions {
  readonly port: number;
  readonly host?: string;
  /** Largest message accepted, bytes (default 1 MiB). */
  readonly maxBytes?: number;
  /** The hooks, to find the one an address belongs to. */
  readonly hooks: () => Promise<HookRow[]>;
  /** What the hook does with the raw message (see email.ts). */
  readonly deliver: (hook: HookRow, raw: Buffer) => Promise<unknown>;
  readonly log?: (message: string, data?: unknown) => void;
}

export interface SmtpListener {
  readonly port: number;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

export async function listenSmtp(options: SmtpListenerOptions): Promise<SmtpListener> {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const log = options.log ?? (() => {});
  const hookFor = async (address: string) =>
    (await options.hooks()).find((h) =>
      (h.config as HookConfig).email?.addresses.some((a) => a.toLowerCase() === address.toLowerCase()),
    );
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    logger: false,
    onRcptTo(address, _session, callback) {
      hookFor(address.address).then(
        (hook) => callback(hook ? null : smtpError(550, `no mailbox ${address.address} here`)),
        (error) => callback(smtpError(451, `cannot look up ${address.address} now: ${toErrorInfo(error).message}`)),
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded)
          return callback(smtpError(552, `message larger than ${maxBytes} bytes`));
        const raw = Buffer.concat(chunks);
        try {
          for (const rcpt of session.envelope.rcptTo) {
            const hook = await hookFor(rcpt.address);
            if (hook) await options.deliver(hook, raw);
          }
          callback();
        } catch (error) {
          const info = toErrorInfo(error);
          // The same message again (an SMTP retry): taken once already, so accepted.
          if (info.code === 'REPLAYED') return callback();
          log('inbound email refused', { code: info.code, message: info.message });
          // Refusals are permanent (5xx: the sender is told); anything else may succeed later (4xx).
          callback(smtpError(error instanceof RunloomError && info.code !== 'INTERNAL' ? 550 : 451, info.message));
        }
      });
    },
  });
  server.on('error', (error) => log('smtp listener error', { message: error.message }));
  server.listen(options.port, options.host ?? '127.0.0.1');
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
