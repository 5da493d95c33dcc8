/**
 * Rate limits (F9.4): a token bucket per key (or per client address on routes without a key).
 * In-process: several servers behind one address each hold their own buckets, so the limit a
 * client sees is per server; that bounds the load one server takes, which is what it is for.
 */
export interface RateLimit {
  /** Requests a client may send at once. */
  readonly burst: number;
  /** Requests per second refilled. */
  readonly perSecond: number;
}

export interface Limiter {
  /** 0 when the request may go on, else the seconds to wait (for `Retry-After`). */
  take(bucket: string, limit: RateLimit): number;
}

const MAX_BUCKETS = 100_000;

export function createLimiter(now: () => number = Date.now): Limiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(bucket, limit) {
      const t = now();
      let entry = buckets.get(bucket);
      if (!entry) {
        // Unbounded keys (client addresses) must not grow memory without end: a full table starts over.
        if (buckets.size >= MAX_BUCKETS) buckets.clear();
        entry = { tokens: limit.burst, at: t };
        buckets.set(bucket, entry);
      }
      entry.tokens = Math.min(limit.burst, entry.tokens + ((t - entry.at) / 1000) * limit.perSecond);
      entry.at = t;
      if (entry.tokens >= 1) {
        entry.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - entry.tokens) / limit.perSecond));
    },
  };
}
