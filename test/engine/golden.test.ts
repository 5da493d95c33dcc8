/**
 * Golden histories: recorded event logs of representative runs (test/histories/*.json, each with
 * its flow) are folded again and must give the same final state summary and the very same log,
 * derived events included. A difference means the engine now behaves differently on an old
 * history — what a stored run would see when it is replayed after an upgrade.
 *
 * Regenerate (only for an intended behaviour change; review the diff of the JSON files):
 *   npx tsx test/engine/golden-record.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunEvent, RunMeta, RunState } from '../../src/engine/index.js';
import { advance, createRunState, ENGINE_EVENT_TYPES, replay, toEngineEvent } from '../../src/engine/index.js';
import { loadFlow } from '../../src/flow/index.js';
import { playScenario, SCENARIOS } from './golden-scenarios.js';
import { type GoldenSummary, summaryOf } from './golden-summary.js';

interface GoldenFile {
  readonly name: string;
  readonly meta: RunMeta;
  readonly flow: Record<string, unknown>;
  readonly events: RunEvent[];
  readonly expected: GoldenSummary;
}

const dir = fileURLToPath(new URL('../histories/', import.meta.url));
const files: GoldenFile[] = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => JSON.parse(readFileSync(`${dir}${name}`, 'utf8')) as GoldenFile);

describe('golden histories', () => {
  it('there is one history per recorded scenario (fork/join, wait + signal, retry, map)', () => {
    expect(files.map((f) => f.name).sort()).toEqual(SCENARIOS.map((s) => s.name).sort());
  });

  for (const file of files) {
    describe(file.name, () => {
      const flow = loadFlow(file.flow, { sourceName: `${file.name}.json` });

      it('replaying the log gives the recorded final state', () => {
        const state = replay(file.meta, flow, file.events);
        expect(summaryOf(state)).toEqual(file.expected);
        expect(state.tokens).toEqual([]);
        expect(state.pending).toEqual({});
      });

      it('folding its engine events again produces the very same log', () => {
        let state: RunState = createRunState(file.meta, flow);
        const log: RunEvent[] = [];
        for (const event of file.events) {
          if (!ENGINE_EVENT_TYPES.has(event.type)) continue;
          const t = advance(state, toEngineEvent(event), flow);
          state = t.state;
          log.push(...t.events);
        }
        expect(JSON.parse(JSON.stringify(log))).toEqual(file.events);
      });

      it('time travel: every prefix of the log folds without error and the last one is the final state', () => {
        const states = file.events.map((e) => replay(file.meta, flow, file.events, e.seq));
        expect(states.map((s) => s.eventSeq).filter((seq, i) => seq < file.events[i].seq)).toEqual([]);
        expect(summaryOf(states.at(-1) as RunState)).toEqual(file.expected);
      });

      it('its scenario still records the same history (the files are up to date)', () => {
        const scenario = SCENARIOS.find((s) => s.name === file.name);
        expect(scenario).toBeDefined();
        const run = playScenario(scenario!);
        expect(JSON.parse(JSON.stringify(run.events))).toEqual(file.events);
      });
    });
  }
});
