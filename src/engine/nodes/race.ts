/** Event-based gateway: arms every wait/timer it points to; the first to finish wins (see outcome.ts). */
import type { RaceNode } from '../../flow/compiled.js';
import { tokenWith } from '../token.js';
import type { Token } from '../types.js';
import { dropToken, log, newToken, putToken, type Work } from '../work.js';
import { beginStep } from './common.js';

export function enterRace(w: Work, token: Token, node: RaceNode): void {
  const counted = beginStep(w, token);
  if (!counted) return;
  const race = w.s.nextRace++;
  dropToken(w, counted.id);
  const armed: number[] = [];
  node.outgoing.forEach((index, i) => {
    const edge = w.flow.edges[index];
    const child = tokenWith(newToken(w, edge.to, `${counted.branch}.${i}`, edge.index), { race });
    putToken(w, child);
    armed.push(child.id);
  });
  log(w, 'branch.forked', counted, { tokens: armed, race });
}
