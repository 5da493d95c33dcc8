/**
 * Child process of the journey crash test:
 * `node --import tsx test/crash/journey-worker.ts <store> [stepMs] [--standby]` where <store> is a SQLite
 * path or `postgres://…?schema=…`.
 *
 * Sets up (idempotently) a 5-step journey whose every step runs the flow `step`, and 200
 * entities; then lets progression walk them. Prints `ready` once set up and `done` when every
 * entity has completed the journey. Leases are short so that a killed process's runs are
 * taken over quickly.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createRunloom } from '../../src/runloom.js';
import { createPostgresStore, createSqliteStore } from '../../src/store/index.js';

export const ENTITIES = 200;
export const STEPS = ['s1', 's2', 's3', 's4', 's5'];

export const JOURNEY = {
  format: 'runloom/v1',
  id: 'walk',
  nodes: [{ id: 'start', type: 'start' }, ...STEPS.map((id) => ({ id, type: 'ux' }))],
  edges: [{ from: 'start', to: 's1' }, ...STEPS.slice(1).map((to, i) => ({ from: STEPS[i], to, kind: 'journey' }))],
};

/**
 * The step flow; each run waits `ms` (the PostgreSQL test makes them long, so kills land
 * mid-walk). Below a second, an entity's wait is `ms` times 1 to 10 by its number: the short
 * ones move while processes are killed, the long ones keep the walk going through every kill
 * even on a fast machine.
 */
export const stepFlow = (ms: number) => ({
  format: 'runloom/v1',
  id: 'step',
  nodes: [
    { id: 'start', type: 'start' },
    {
      id: 'work',
      type: 'task',
      action: 'delay',
      input: { ms: ms >= 1_000 ? ms : `=${ms} * (1 + input.entity.attributes.i % 10)` },
    },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'work' },
    { from: 'work', to: 'end' },
  ],
});

const [target, stepMs = '5'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (process.argv[1]?.endsWith('journey-worker.ts')) {
  if (process.argv.includes('--standby')) {
    const lines = createInterface({ input: process.stdin });
    process.stdout.write('standby\n');
    for (;;) {
      const [line] = (await once(lines, 'line')) as [string];
      if (line.trim() === 'go') break;
    }
    lines.close();
  }
  const store = target.startsWith('postgres')
    ? (() => {
        const url = new URL(target);
        const schema = url.searchParams.get('schema') ?? 'public';
        url.searchParams.delete('schema');
        return createPostgresStore({ url: url.toString(), schema, leaseMs: 1_000 });
      })()
    : createSqliteStore({ path: target, durability: 'strict', leaseMs: 1_000 });
  const runloom = await createRunloom({
    store,
    worker: true,
    journeys: { intervalMs: 100 },
    log: (message, data) => process.stderr.write(`${message} ${JSON.stringify(data)}\n`),
  });
  if (!(await runloom.flows.list()).some((f) => f.flowId === 'walk')) {
    await runloom.flows.publish(stepFlow(Number(stepMs)));
    await runloom.flows.publish(JOURNEY);
  }
  if ((await runloom.journeys.mappings('walk')).length === 0) {
    await runloom.journeys.setMappings(
      'walk',
      STEPS.map((nodeId) => ({ nodeId, flowId: 'step' })),
    );
  }
  // Upsert by email: a kill during set-up leaves some, the next start adds the rest (never twice).
  const have = new Set((await runloom.entities.list('walk', { limit: 1000 })).entities.map((e) => e.email));
  for (let i = 0; i < ENTITIES; i++) {
    const email = `e${i}@crash.test`;
    if (!have.has(email)) await runloom.entities.upsert('walk', { email, attributes: { i } });
  }
  process.stdout.write('ready\n');
  for (;;) {
    const board = await runloom.journeys.board('walk');
    if (board.completed === ENTITIES) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stdout.write('done\n');
  await runloom.close();
  process.exit(0);
}
