import type { EndNode, StartNode } from '../../flow/compiled.js';
import { leave } from '../outcome.js';
import type { Token } from '../types.js';
import { cancelTokenWork, dropJoin, dropToken, log, type Work } from '../work.js';

export function enterStart(w: Work, token: Token, node: StartNode): void {
  leave(w, token, node);
}

/** A token reaching an end is consumed; `terminate: true` ends every other branch too. */
export function enterEnd(w: Work, token: Token, node: EndNode): void {
  dropToken(w, token.id);
  w.s.ended++;
  log(w, 'branch.ended', token);
  if (!node.terminate) return;
  for (const other of w.s.tokens.slice()) {
    cancelTokenWork(w, other);
    dropToken(w, other.id);
  }
  for (const key of Object.keys(w.s.joins)) dropJoin(w, Number(key));
  log(w, 'run.terminated', token);
}
