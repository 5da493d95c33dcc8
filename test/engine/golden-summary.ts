import type { RunState } from '../../src/engine/index.js';

/** What a golden history pins about the final state. */
export interface GoldenSummary {
  readonly status: string;
  readonly reason: string;
  readonly vars: unknown;
  readonly output: unknown;
  readonly usage: { readonly steps: number; readonly credits: number; readonly activeMs: number };
  readonly eventSeq: number;
}

export function summaryOf(state: RunState): GoldenSummary {
  return JSON.parse(
    JSON.stringify({
      status: state.status,
      reason: state.reason,
      vars: state.vars,
      output: state.output ?? null,
      usage: state.usage,
      eventSeq: state.eventSeq,
    }),
  ) as GoldenSummary;
}
