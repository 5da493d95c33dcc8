/**
 * Public hooks (F6.3, F9.3): a signed request (HMAC-SHA256 over `timestamp.body`, timestamp in
 * seconds, a replay window) becomes an entity. Every check comes before anything is written:
 * a refused request stores nothing. Secrets are compared in constant time and never echoed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RequestError } from '../errors.js';
import type { HookRow } from '../store/journey-records.js';
import type { JourneyContext } from './context.js';
import type { EntityInput } from './entities.js';
import type { HookConfig } from './hook-config.js';
import { parseJsonPath, readJsonPath } from './json-path.js';

export const SIGNATURE_HEADER = 'x-runloom-signature';
export const TIMESTAMP_HEADER = 'x-runloom-timestamp';

/**
 * The signature a sender puts in `x-runloom-signature` (with the timestamp in `x-runloom-timestamp`).
 *
 * @example
 * const ts = Math.floor(Date.now() / 1000);
 * fetch(url, { method: 'POST', body, headers: { 'x-runloom-timestamp': String(ts), 'x-runloom-signature': signHook(secret, ts, body) } });
 */
export function signHook(secret: string, timestamp: number | string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export interface Delivery {
  readonly body: Buffer;
  readonly timestamp?: string;
  readonly signature?: string;
}

const unauthorized = (slug: string, why: string) => new RequestError('UNAUTHORIZED', `hook '${slug}': ${why}`);

/**
 * Checks a delivery's signature and timestamp (writing nothing), and returns what remembers it
 * once the caller has checked the rest: the same signed request again within the window is a
 * replay. Unsigned hooks accept any request.
 */
export function verifyDelivery(ctx: JourneyContext, hook: HookRow, delivery: Delivery): () => Promise<void> {
  if (hook.secret === undefined) return async () => {};
  const config = hook.config as HookConfig;
  const { timestamp, signature } = delivery;
  if (!timestamp || !signature)
    throw unauthorized(hook.slug, `a signed hook needs the ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers`);
  if (!/^\d{1,12}$/.test(timestamp)) throw unauthorized(hook.slug, `${TIMESTAMP_HEADER} must be Unix seconds`);
  const now = ctx.now();
  const skew = Math.abs(now / 1000 - Number(timestamp));
  if (skew > config.toleranceSeconds) {
    throw unauthorized(
      hook.slug,
      `the request's timestamp is ${Math.round(skew)}s away from now (at most ${config.toleranceSeconds}s): it is stale or the sender's clock is wrong`,
    );
  }
  const expected = Buffer.from(signHook(hook.secret, timestamp, delivery.body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw unauthorized(hook.slug, 'the signature does not match the body');
  return async () => {
    const fresh = await ctx.store.journeys.remember(hook.slug, signature, now + config.toleranceSeconds * 2_000, now);
    if (!fresh) throw new RequestError('REPLAYED', `hook '${hook.slug}': this signed request was received already (a replay)`);
  };
}

/** The entity a JSON payload describes, through the hook's paths. */
export function entityFromPayload(hook: HookRow, payload: unknown): EntityInput {
  const config = hook.config as HookConfig;
  const read = (path: string, where: string) => readJsonPath(payload, parseJsonPath(path, where));
  const text = (path: string | undefined, field: string): string | undefined => {
    if (path === undefined) return undefined;
    const value = read(path, `hook '${hook.slug}' fields.${field}`);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      throw new RequestError(
        'INPUT_INVALID',
        `hook '${hook.slug}': ${path} (${field}) must be a string in the payload, not ${typeof value}`,
      );
    }
    return value;
  };
  const record = (paths: Record<string, string> | undefined, field: string) =>
    Object.fromEntries(
      Object.entries(paths ?? {}).map(([k, p]) => [k, read(p, `hook '${hook.slug}' fields.${field}.${k}`) ?? null]),
    );
  const email = text(config.fields.email, 'email');
  const name = text(config.fields.name, 'name');
  const nodeId = text(config.nodeFrom, 'nodeFrom') ?? config.node;
  return {
    ...(email === undefined ? {} : { email }),
    ...(name === undefined ? {} : { name }),
    attributes: record(config.fields.attributes, 'attributes'),
    metadata: record(config.fields.metadata, 'metadata'),
    ...(nodeId === undefined ? {} : { nodeId }),
  };
}
