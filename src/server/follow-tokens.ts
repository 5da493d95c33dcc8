/**
 * Follow tokens: short-lived, run-scoped credentials for the one client that cannot send an
 * `Authorization` header — the browser's EventSource. A key holder asks for one
 * (`POST /v1/runs/{id}/follow-token`) and passes it as `?token=` to that run's follow route; it
 * opens that run's stream and nothing else, and only until it expires. Signed, not stored: with
 * several servers behind one address, give them the same RUNLOOM_FOLLOW_SECRET.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const FOLLOW_TOKEN_TTL_MS = 5 * 60_000;

export interface FollowTokens {
  issue(runId: string, workspace: string, now: number): { token: string; expiresAt: number };
  /** The token's workspace when it is valid for this run at `now`; else undefined. */
  verify(token: string, runId: string, now: number): string | undefined;
}

export function createFollowTokens(secret: string = process.env.RUNLOOM_FOLLOW_SECRET || randomBytes(32).toString('hex')) {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  const tokens: FollowTokens = {
    issue(runId, workspace, now) {
      const expiresAt = now + FOLLOW_TOKEN_TTL_MS;
      const payload = Buffer.from(JSON.stringify({ r: runId, w: workspace, e: expiresAt })).toString('base64url');
      return { token: `${payload}.${sign(payload)}`, expiresAt };
    },
    verify(token, runId, now) {
      const [payload = '', signature = ''] = token.split('.');
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
      try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { r?: unknown; w?: unknown; e?: unknown };
        const fresh = typeof claims.e === 'number' && claims.e > now;
        return fresh && claims.r === runId && typeof claims.w === 'string' ? claims.w : undefined;
      } catch {
        return undefined;
      }
    },
  };
  return tokens;
}
