/**
 * Following a swarm (F5.3). The bus carries each committed change; the store keeps the last
 * versions. A subscription listens on the bus first, then reads what the store has after
 * `fromVersion`, so nothing falls between "read at version v" and "follow from v"; a change that
 * arrives ahead of the one expected (a lost bus message) makes it read the store for the gap.
 * Changes go out in version order, filtered, in batches of `batchSize` or after `batchMs`, and
 * at most `maxBatchesPerSecond` times a second: held changes wait and leave together.
 */
import type { Bus } from '../bus/bus.js';
import type { SwarmChange } from './changes.js';
import { type ChangeFilter, filterChange } from './filters.js';

export interface SubscribeOptions extends ChangeFilter {
  /** Deliver the changes after this version (default: the swarm's version when subscribing). */
  readonly fromVersion?: number;
  /** A batch leaves when it has this many changes (default 100)… */
  readonly batchSize?: number;
  /** …or this long after its first change (default 0: as soon as the current work is done). */
  readonly batchMs?: number;
  /** At most this many batches a second (default: no limit). */
  readonly maxBatchesPerSecond?: number;
  /**
   * Also read the store this often (ms): for writers whose bus does not reach this process (a
   * SQLite file shared without Redis). Default: only when the bus shows a gap.
   */
  readonly pollMs?: number;
}

export interface Subscription {
  /** The last version this subscription has looked at (delivered or filtered out). */
  readonly version: number;
  close(): Promise<void>;
}

export interface ChangeSource {
  readonly swarmId: string;
  readonly bus: Bus;
  /** The swarm's version now (where a subscription without `fromVersion` starts). */
  currentVersion(): Promise<number>;
  /** Stored changes after `version`, oldest first. */
  changesAfter(version: number): Promise<SwarmChange[]>;
}

export async function subscribeChanges(
  source: ChangeSource,
  options: SubscribeOptions,
  deliver: (batch: SwarmChange[]) => void,
): Promise<Subscription> {
  const batchSize = options.batchSize ?? 100;
  const batchMs = options.batchMs ?? 0;
  const minGapMs = options.maxBatchesPerSecond ? 1000 / options.maxBatchesPerSecond : 0;
  let last = -1;
  let closed = false;
  let pending: SwarmChange[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastFlushAt = Number.NEGATIVE_INFINITY;
  let backfilling = true;
  const early: SwarmChange[] = [];
  let catchingUp: Promise<void> = Promise.resolve();

  const flush = () => {
    timer = undefined;
    if (closed || pending.length === 0) return;
    const wait = lastFlushAt + minGapMs - performance.now();
    if (wait > 0) {
      timer = setTimeout(flush, wait);
      return;
    }
    lastFlushAt = performance.now();
    const batch = pending;
    pending = [];
    deliver(batch);
  };
  const take = (change: SwarmChange) => {
    // A stop makes no version (the context is as it was): it is delivered where it arrives.
    if (change.kind !== 'stopped') {
      if (change.version <= last) return;
      last = change.version;
    }
    const wanted = filterChange(change, options);
    if (!wanted) return;
    pending.push(wanted);
    if (pending.length >= batchSize && minGapMs === 0) {
      if (timer) clearTimeout(timer);
      flush();
    } else {
      timer ??= setTimeout(flush, batchMs);
    }
  };
  const readGap = () => {
    catchingUp = catchingUp.then(async () => {
      if (closed) return;
      for (const change of await source.changesAfter(last)) take(change);
    });
    return catchingUp;
  };
  const onBus = (_swarmId: string, message: unknown) => {
    const change = message as SwarmChange;
    if (backfilling) early.push(change);
    else if (change.version === last + 1 || change.kind === 'stopped') take(change);
    else if (change.version > last + 1) void readGap().catch(() => {});
  };

  const unsubscribe = await source.bus.subscribeSwarm(source.swarmId, onBus);
  last = options.fromVersion ?? (await source.currentVersion());
  await readGap();
  backfilling = false;
  for (const change of early.sort((a, b) => a.version - b.version)) onBus(source.swarmId, change);
  early.length = 0;
  const poll = options.pollMs ? setInterval(() => void readGap().catch(() => {}), options.pollMs) : undefined;

  return {
    get version() {
      return last;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      unsubscribe();
    },
  };
}
