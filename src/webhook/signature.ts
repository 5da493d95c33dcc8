/**
 * How a webhook task signs what it posts, and how a receiver checks it (F3.2). The header is
 * `Runloom-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>`:
 * the timestamp is signed with the body, so a receiver that refuses old timestamps refuses a
 * replayed delivery.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'runloom-signature';

/** The signature header's value for this body, signed at `at` (ms). */
export function signWebhook(secret: string, body: string, at: number): string {
  const t = Math.floor(at / 1000);
  return `t=${t},v1=${hmacHex(secret, `${t}.${body}`)}`;
}

export interface VerifyOptions {
  readonly secret: string;
  /** The `Runloom-Signature` header as received. */
  readonly header: string | null | undefined;
  /** The raw body, exactly as received (before any JSON parsing). */
  readonly body: string;
  /** How old a signature may be, in seconds (default 300). */
  readonly toleranceSeconds?: number;
  /** ms, for tests (default Date.now()). */
  readonly now?: number;
}

/**
 * Whether a delivery was signed with the secret within the tolerance.
 *
 * @example
 * if (!verifyWebhookSignature({ secret, header: req.headers['runloom-signature'], body: raw })) res.writeHead(401);
 */
export function verifyWebhookSignature(options: VerifyOptions): boolean {
  const parts = new Map(
    (options.header ?? '').split(',').map((part) => {
      const i = part.indexOf('=');
      return [part.slice(0, i).trim(), part.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isSafeInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(hmacHex(options.secret, `${t}.${options.body}`), 'hex');
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

/**
 * The capability token of one step's callback URL: derived from the secret and the step's
 * idempotency key, so a step executed again (its worker died) offers the same URL.
 */
export function callbackToken(secret: string, idempotencyKey: string): string {
  return createHmac('sha256', secret).update(`runloom-callback\0${idempotencyKey}`).digest('base64url');
}

/** What the store keeps of a token. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

const hmacHex = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');
