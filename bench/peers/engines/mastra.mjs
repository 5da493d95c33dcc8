/**
 * Mastra workflows the way its docs build them: steps from `createStep`, chained with `.then()`
 * or run side by side with `.parallel()`, `.commit()`ed, registered on a `Mastra` instance, each
 * run `createRunAsync()` + `start()`.
 *
 * Modes: `memory` (no storage configured), `libsql` (@mastra/libsql's LibSQLStore on a file:
 * WAL, synchronous=NORMAL, which it sets itself — Runloom `normal`).
 * @mastra/core 0.24 and @mastra/libsql 0.16: the last lines that support Node 20 (1.x needs 22.13).
 * W4 is a BPMN file: Mastra does not read BPMN.
 */
import { join } from 'node:path';
import { Mastra } from '@mastra/core';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { LibSQLStore } from '@mastra/libsql';
import { z } from 'zod';
import { counter, FAN_OUT, SEQ_STEPS } from '../lib/workloads.mjs';

const empty = z.object({});

const noopStep = (id) =>
  createStep({
    id,
    inputSchema: z.any(),
    outputSchema: empty,
    execute: async () => {
      counter.steps++;
      return {};
    },
  });

function sequential() {
  let workflow = createWorkflow({ id: 'seq10', inputSchema: empty, outputSchema: empty });
  for (let i = 1; i <= SEQ_STEPS; i++) workflow = workflow.then(noopStep(`t${i}`));
  return workflow.commit();
}

const fanOut = () =>
  createWorkflow({ id: 'fan100', inputSchema: empty, outputSchema: z.any() })
    .parallel(Array.from({ length: FAN_OUT }, (_, i) => noopStep(`b${i + 1}`)))
    .commit();

const waiting = () =>
  createWorkflow({ id: 'wait', inputSchema: empty, outputSchema: empty })
    .then(
      createStep({
        id: 'approval',
        inputSchema: empty,
        outputSchema: empty,
        resumeSchema: z.object({ approved: z.boolean() }),
        execute: async ({ resumeData, suspend }) => {
          if (!resumeData) return await suspend({});
          return {};
        },
      }),
    )
    .commit();

function storageOf(mode, ctx) {
  if (mode === 'memory') return {};
  if (mode === 'libsql') return { storage: new LibSQLStore({ url: `file:${join(ctx.dir, 'mastra.db')}` }) };
  throw new Error(`mastra: unknown mode ${mode}`);
}

export async function open(mode, ctx) {
  const mastra = new Mastra({
    workflows: { seq10: sequential(), fan100: fanOut(), wait: waiting() },
    logger: false,
    ...storageOf(mode, ctx),
  });
  const runOnce = async (id, expected) => {
    const run = await mastra.getWorkflow(id).createRunAsync();
    const result = await run.start({ inputData: {} });
    if (result.status !== expected) throw new Error(`run ended '${result.status}', expected '${expected}'`);
  };
  const oneByOne = async (id, runs) => {
    for (let i = 0; i < runs; i++) await runOnce(id, 'success');
  };
  return {
    W1: (runs) => oneByOne('seq10', runs),
    W2: (runs) => oneByOne('fan100', runs),
    W3: async (runs) => {
      await Promise.all(Array.from({ length: runs }, () => runOnce('seq10', 'success')));
    },
    unsupported: { W4: 'reads no BPMN' },
    W5: async (runs) => {
      for (let i = 0; i < runs; i++) await runOnce('wait', 'suspended');
    },
    close: async () => {},
  };
}
