/**
 * Process B of the swarm bench (bench/swarm.bench.ts forks it): subscribes to a swarm through
 * Redis and, for each change, measures now − the send time process A wrote into it (both read
 * the same machine clock: `performance.timeOrigin + performance.now()`). Says `ready` once
 * subscribed, sends its latencies (ms) when it has seen `count` changes.
 */
import { createRunloom } from '../../src/runloom.js';
import type { SwarmChange } from '../../src/swarm/changes.js';

const [storeUrl, busUrl, swarmId, countText] = process.argv.slice(2) as string[];
const count = Number(countText);
const runloom = await createRunloom({ store: storeUrl, bus: busUrl, recover: false });
const latencies: number[] = [];
const clock = () => performance.timeOrigin + performance.now();
const subscription = await runloom.swarms.subscribe(swarmId, { batchSize: 1 }, (batch: SwarmChange[]) => {
  const now = clock();
  for (const change of batch) {
    const op = change.ops[0] as { value?: unknown } | undefined;
    if (typeof op?.value === 'number') latencies.push(now - op.value);
  }
  if (latencies.length >= count) {
    process.send?.({ latencies });
    void subscription
      .close()
      .then(() => runloom.close())
      .then(() => process.exit(0));
  }
});
process.send?.('ready');
