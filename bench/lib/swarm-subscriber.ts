/**
 * Process B of the swarm bench (bench/swarm.bench.ts forks it): subscribes to a swarm through
 * Redis and notes when each version arrived, on the clock process A also reads (`performance.
 * timeOrigin + performance.now()`, the machine's). Says `ready` once subscribed, sends
 * `[version, arrivedAt]` pairs when it has seen `count` changes.
 */
import { createRunloom } from '../../src/runloom.js';
import type { SwarmChange } from '../../src/swarm/changes.js';

const [storeUrl, busUrl, swarmId, countText] = process.argv.slice(2) as string[];
const count = Number(countText);
const runloom = await createRunloom({ store: storeUrl, bus: busUrl, recover: false });
const arrivals: [number, number][] = [];
const clock = () => performance.timeOrigin + performance.now();
const subscription = await runloom.swarms.subscribe(swarmId, { batchSize: 1 }, (batch: SwarmChange[]) => {
  const now = clock();
  for (const change of batch) arrivals.push([change.version, now]);
  if (arrivals.length >= count) {
    process.send?.({ arrivals });
    void subscription
      .close()
      .then(() => runloom.close())
      .then(() => process.exit(0));
  }
});
process.send?.('ready');
