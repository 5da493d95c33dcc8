/**
 * Every token the engine makes comes from here, with all of its fields in one order (an absent
 * one is undefined, which JSON leaves out, so stored states do not change). V8 then gives every
 * token one hidden class. Changing a token with a spread (`{ ...token, seq }`) gave each copy
 * that added a field a hidden class of its own: 0.7 µs a copy, and every later read of a token
 * megamorphic — together two thirds of what a step cost the engine.
 */
import type { EveryField, Mutable } from '../mutable.js';
import type { Token } from './types.js';

/** Fields to change; an optional field given as undefined is removed. */
export type TokenPatch = Partial<Mutable<Omit<Token, 'id'>>>;

/** A token that has just arrived at `node` (by edge `via`), fresh for its next step. */
export function freshToken(id: number, node: number, branch: string, via: number | undefined): Token {
  const token: EveryField<Token> = {
    id,
    node,
    status: 'ready',
    branch,
    attempt: 1,
    visit: 0,
    via,
    seq: undefined,
    boundaryTimers: undefined,
    timeoutSeq: undefined,
    race: undefined,
    map: undefined,
    error: undefined,
    waitingFor: undefined,
  };
  return token;
}

/** `token` with `patch` applied. */
export function tokenWith(token: Token, patch: TokenPatch): Token {
  // Typed with every field: a field added to Token cannot be dropped here unseen.
  const next: EveryField<Token> = {
    id: token.id,
    node: patch.node ?? token.node,
    status: patch.status ?? token.status,
    branch: patch.branch ?? token.branch,
    attempt: patch.attempt ?? token.attempt,
    visit: patch.visit ?? token.visit,
    via: 'via' in patch ? patch.via : token.via,
    seq: 'seq' in patch ? patch.seq : token.seq,
    boundaryTimers: 'boundaryTimers' in patch ? patch.boundaryTimers : token.boundaryTimers,
    timeoutSeq: 'timeoutSeq' in patch ? patch.timeoutSeq : token.timeoutSeq,
    race: 'race' in patch ? patch.race : token.race,
    map: 'map' in patch ? patch.map : token.map,
    error: 'error' in patch ? patch.error : token.error,
    waitingFor: 'waitingFor' in patch ? patch.waitingFor : token.waitingFor,
  };
  return next;
}

/** The token at its node again, keeping only its id and branch and what `patch` gives it. */
export function resetToken(token: Token, patch: TokenPatch): Token {
  return tokenWith(freshToken(token.id, token.node, token.branch, undefined), patch);
}
