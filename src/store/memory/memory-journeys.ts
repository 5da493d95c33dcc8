/** Journeys in memory (the memory store's `journeys`): the same contract as the SQL stores. */
import { type RunStatus, TERMINAL_STATUSES } from '../../engine/types.js';
import type {
  ArrivalRow,
  BoardCount,
  EntityRow,
  EntityStatus,
  HookRow,
  JourneyEventRow,
  JourneyRecords,
  JourneyRow,
} from '../journey-records.js';

const copy = <T>(value: T): T => structuredClone(value);

/** `runStatus` reads the store's runs: pending arrivals are those whose run is missing or ended. */
export function createMemoryJourneys(runStatus: (runId: string) => RunStatus | undefined): JourneyRecords {
  const journeys = new Map<string, JourneyRow>();
  const hooks = new Map<string, HookRow>();
  const deliveries = new Map<string, number>();
  const entities = new Map<string, EntityRow>();
  const events = new Map<string, JourneyEventRow[]>();
  const arrivals = new Map<string, ArrivalRow>();
  const board = new Map<string, number>();
  const emailKey = (workspace: string, journeyId: string, email: string) => `${workspace}\0${journeyId}\0${email}`;
  const byEmail = new Map<string, string>();
  const boardKey = (workspace: string, journeyId: string, nodeId: string, status: EntityStatus) =>
    `${workspace}\0${journeyId}\0${nodeId}\0${status}`;
  const count = (e: Pick<EntityRow, 'workspace' | 'journeyId' | 'nodeId' | 'status'>, by: number) => {
    const key = boardKey(e.workspace, e.journeyId, e.nodeId ?? '', e.status);
    board.set(key, (board.get(key) ?? 0) + by);
  };

  return {
    async putJourney(row) {
      journeys.set(`${row.workspace}\0${row.id}`, copy(row));
    },
    async getJourney(workspace, id) {
      const row = journeys.get(`${workspace}\0${id}`);
      return row && copy(row);
    },
    async listJourneys(workspace) {
      return [...journeys.values()].filter((j) => j.workspace === workspace).map(copy);
    },
    async putHook(row) {
      const owner = hooks.get(row.slug);
      if (owner && owner.workspace !== row.workspace) return false;
      hooks.set(row.slug, copy(row));
      return true;
    },
    async hook(slug) {
      const row = hooks.get(slug);
      return row && copy(row);
    },
    async listHooks(workspace) {
      return [...hooks.values()].filter((h) => workspace === undefined || h.workspace === workspace).map(copy);
    },
    async deleteHook(workspace, slug) {
      if (hooks.get(slug)?.workspace !== workspace) return false;
      return hooks.delete(slug);
    },
    async remember(slug, key, expiresAt, now) {
      for (const [k, until] of deliveries) if (until < now) deliveries.delete(k);
      const k = `${slug}\0${key}`;
      if (deliveries.has(k)) return false;
      deliveries.set(k, expiresAt);
      return true;
    },
    async write(change) {
      const { entity, before } = change;
      const current = entities.get(entity.id);
      if (before ? current?.version !== before.version : current !== undefined) return false;
      const email = entity.email === undefined ? undefined : emailKey(entity.workspace, entity.journeyId, entity.email);
      const holder = email === undefined ? undefined : byEmail.get(email);
      if (holder !== undefined && holder !== entity.id) return false;
      if (current?.email !== undefined) byEmail.delete(emailKey(current.workspace, current.journeyId, current.email));
      if (email !== undefined) byEmail.set(email, entity.id);
      if (current) count(current, -1);
      count(entity, 1);
      entities.set(entity.id, copy(entity));
      const log = events.get(entity.id) ?? [];
      for (const event of change.events) log.push(copy(event));
      events.set(entity.id, log);
      const settled = change.settle && arrivals.get(change.settle.id);
      if (settled) arrivals.set(settled.id, { ...settled, state: change.settle!.state });
      if (change.arrival) arrivals.set(change.arrival.id, copy(change.arrival));
      for (const effect of change.effects ?? []) arrivals.set(effect.id, copy(effect));
      return true;
    },
    async entity(workspace, id) {
      const row = entities.get(id);
      return row?.workspace === workspace ? copy(row) : undefined;
    },
    async entityByEmail(workspace, journeyId, email) {
      const id = byEmail.get(emailKey(workspace, journeyId, email));
      return id === undefined ? undefined : copy(entities.get(id));
    },
    async listEntities(workspace, journeyId, filter = {}) {
      const rows = [...entities.values()]
        .filter(
          (e) =>
            e.workspace === workspace &&
            e.journeyId === journeyId &&
            (filter.nodeId === undefined || e.nodeId === filter.nodeId) &&
            (filter.status === undefined || e.status === filter.status) &&
            (filter.after === undefined || e.id > filter.after),
        )
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      return rows.slice(0, filter.limit ?? rows.length).map(copy);
    },
    async events(workspace, entityId) {
      if (entities.get(entityId)?.workspace !== workspace) return [];
      return (events.get(entityId) ?? []).map(copy);
    },
    async arrival(id) {
      const row = arrivals.get(id);
      return row && copy(row);
    },
    async pendingArrivals(limit) {
      const out = [];
      for (const arrival of arrivals.values()) {
        if (arrival.state !== 'open' && arrival.state !== 'superseded') continue;
        const status = runStatus(arrival.runId);
        if (status === undefined) out.push(copy(arrival));
        else if (arrival.state === 'superseded') out.push({ ...copy(arrival), runStatus: status });
        else if (TERMINAL_STATUSES.has(status)) out.push({ ...copy(arrival), runStatus: status });
        if (out.length >= limit) break;
      }
      return out;
    },
    async board(workspace, journeyId) {
      const out: BoardCount[] = [];
      const prefix = `${workspace}\0${journeyId}\0`;
      for (const [key, n] of board) {
        if (n === 0 || !key.startsWith(prefix)) continue;
        const [nodeId, status] = key.slice(prefix.length).split('\0');
        out.push({ nodeId, status: status as EntityStatus, count: n });
      }
      return out;
    },
  };
}
