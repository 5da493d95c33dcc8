/**
 * Finding a run's tokens without scanning them. A fan-out of n branches used to scan its n
 * tokens several times per step (to find one, to replace one, to see which can move): n² per
 * run, 42 µs a step at 1,000 branches, half a millisecond at 3,000.
 *
 * What makes it cheap is an order the token helpers (work.ts) keep anyway: a new token gets the
 * next id and goes to the end, a replaced one keeps its place, a dropped one leaves the others in
 * order — so the list is sorted by id, and a token is found by binary search. Which tokens can
 * move is kept as a sorted list of ids, so `drive` visits them in the list's order, as a scan
 * would. A list that is not sorted (a state made elsewhere, or a token put back after it was
 * dropped) switches the index off: every operation then scans, as before.
 */
import type { Token } from './types.js';

/** A token `drive` may move: ready, or running a map with items left to start. */
export function isMovable(token: Token): boolean {
  return (
    token.status === 'ready' || (token.status === 'running' && token.map !== undefined && token.map.next < token.map.items.length)
  );
}

const NONE: readonly number[] = [];

/** Index of `id` in an ascending list, or of where it would go. */
function search(ids: readonly number[], id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class TokenIndex {
  private sorted = true;
  /** Ids of the movable tokens, ascending (only kept while the list is sorted). */
  private readonly movable: number[] = [];

  constructor(tokens: readonly Token[]) {
    for (let i = 0; i < tokens.length; i++) {
      if (i > 0 && tokens[i].id <= tokens[i - 1].id) {
        this.sorted = false;
        return;
      }
      if (isMovable(tokens[i])) this.movable.push(tokens[i].id);
    }
  }

  /** Where the token with `id` is in the list, or -1. */
  position(tokens: readonly Token[], id: number): number {
    // A short list is scanned: most runs have a token or two.
    if (!this.sorted || tokens.length <= 8) {
      for (let i = 0; i < tokens.length; i++) if (tokens[i].id === id) return i;
      return -1;
    }
    let lo = 0;
    let hi = tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tokens[mid].id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo < tokens.length && tokens[lo].id === id ? lo : -1;
  }

  /** Replaces the token with the same id where it stands, or appends it. */
  put(tokens: Token[], token: Token): void {
    const at = this.position(tokens, token.id);
    if (at >= 0) {
      tokens[at] = token;
    } else {
      if (this.sorted && tokens.length > 0 && tokens[tokens.length - 1].id > token.id) this.sorted = false;
      tokens.push(token);
    }
    if (this.sorted) this.mark(token.id, isMovable(token));
  }

  drop(tokens: Token[], id: number): void {
    const at = this.position(tokens, id);
    if (at < 0) return;
    tokens.splice(at, 1);
    if (this.sorted) this.mark(id, false);
  }

  /** Ids of the tokens that may move, in list order: a copy, since moving them changes the list. */
  movableIds(tokens: readonly Token[]): readonly number[] {
    if (this.sorted) return this.movable.length === 0 ? NONE : this.movable.slice();
    let ids: number[] | undefined;
    for (const token of tokens) {
      if (!isMovable(token)) continue;
      if (ids === undefined) ids = [token.id];
      else ids.push(token.id);
    }
    return ids ?? NONE;
  }

  private mark(id: number, movable: boolean): void {
    const ids = this.movable;
    // The usual cases first: the id is, or goes, at the end of the list.
    const last = ids.length === 0 ? -1 : ids[ids.length - 1];
    if (movable ? last < id : last === id) {
      if (movable) ids.push(id);
      else ids.pop();
      return;
    }
    if (!movable && (last < id || ids.length === 0)) return;
    const at = search(ids, id);
    const found = at < ids.length && ids[at] === id;
    if (movable && !found) ids.splice(at, 0, id);
    else if (!movable && found) ids.splice(at, 1);
  }
}
