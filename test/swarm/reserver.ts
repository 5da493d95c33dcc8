/**
 * A child process for the cross-process ledger test: reserves `count` steps under one run of a
 * swarm on PostgreSQL, all at once, holder `holder`; settles each granted one at half its amount
 * unless told to hold them (so it can be killed with reservations live). Prints one JSON line.
 */
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';

const [url, schema, swarmId, runId, holder, countText, mode] = process.argv.slice(2) as string[];
const store = createPostgresStore({ url, schema, poolSize: 8 });
const count = Number(countText);
await store.init();
process.stdout.write('ready\n');
const amounts = Array.from({ length: count }, (_, i) => 1 + ((i * 5) % 11));
const granted = await Promise.all(
  amounts.map((amount, i) =>
    store.swarms.reserve({ swarmId, parentId: runId, accountId: `${holder}-${i}`, kind: 'step', amount, holder, at: Date.now() }),
  ),
);
let spent = 0;
if (mode === 'settle') {
  await Promise.all(
    amounts.map(async (amount, i) => {
      if (!granted[i]) return;
      const cost = Math.floor(amount / 2);
      if (await store.swarms.close(swarmId, `${holder}-${i}`, Date.now(), cost)) spent += cost;
    }),
  );
}
process.stdout.write(`${JSON.stringify({ granted: granted.filter(Boolean).length, spent })}\n`);
if (mode === 'hold')
  setInterval(() => {}, 1_000); // wait to be killed
else await store.close();
