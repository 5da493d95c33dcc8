/**
 * `journeys` on SQLite (migration 009). An entity's write is one IMMEDIATE transaction: the row
 * (conditional on the version read), its events, the arrival settled and made, the board.
 */
import type { EntityRow, EntityWrite, JourneyRecords } from '../journey-records.js';
import {
  type ArrivalColumns,
  arrivalParams,
  type EntityColumns,
  type EventColumns,
  entityParams,
  type HookColumns,
  type JourneyColumns,
  PENDING_ARRIVALS_SQL,
  toArrival,
  toEntity,
  toHook,
  toJourney,
  toJourneyEvent,
} from '../journey-rows.js';
import type { SqliteDatabase } from './open-database.js';

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT') === true;

export function prepareJourneys(db: SqliteDatabase): JourneyRecords {
  const putJourney = db.prepare(
    'INSERT INTO journeys (workspace, id, mappings, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (workspace, id) DO UPDATE SET mappings = excluded.mappings, updated_at = excluded.updated_at',
  );
  const getJourney = db.prepare<[string, string], JourneyColumns>('SELECT * FROM journeys WHERE workspace = ? AND id = ?');
  const listJourneys = db.prepare<[string], JourneyColumns>('SELECT * FROM journeys WHERE workspace = ? ORDER BY id');
  const putHook = db.prepare(
    'INSERT INTO journey_hooks (slug, workspace, journey_id, secret, config, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO UPDATE SET journey_id = excluded.journey_id, secret = excluded.secret, config = excluded.config WHERE journey_hooks.workspace = excluded.workspace',
  );
  const hook = db.prepare<[string], HookColumns>('SELECT * FROM journey_hooks WHERE slug = ?');
  const listHooks = db.prepare<[string | null, string | null], HookColumns>(
    'SELECT * FROM journey_hooks WHERE ? IS NULL OR workspace = ? ORDER BY slug',
  );
  const deleteHook = db.prepare('DELETE FROM journey_hooks WHERE workspace = ? AND slug = ?');
  const forget = db.prepare('DELETE FROM journey_deliveries WHERE expires_at < ?');
  const remember = db.prepare('INSERT INTO journey_deliveries (slug, key, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const insertEntity = db.prepare(`INSERT INTO journey_entities VALUES (${Array(14).fill('?').join(', ')})`);
  const updateEntity = db.prepare(
    'UPDATE journey_entities SET email = ?, name = ?, attributes = ?, metadata = ?, node_id = ?, status = ?, arrival_id = ?, version = ?, last_seq = ?, updated_at = ? WHERE id = ? AND version = ?',
  );
  const insertEvent = db.prepare('INSERT INTO journey_events (entity_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)');
  const settle = db.prepare("UPDATE journey_arrivals SET state = ? WHERE id = ? AND state <> 'done'");
  const insertArrival = db.prepare(`INSERT INTO journey_arrivals VALUES (${Array(11).fill('?').join(', ')})`);
  const count = db.prepare(
    'INSERT INTO journey_board (workspace, journey_id, node_id, status, count) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count',
  );
  const entity = db.prepare<[string, string], EntityColumns>('SELECT * FROM journey_entities WHERE id = ? AND workspace = ?');
  const byEmail = db.prepare<[string, string, string], EntityColumns>(
    'SELECT * FROM journey_entities WHERE workspace = ? AND journey_id = ? AND email = ?',
  );
  const list = db.prepare<Record<string, unknown>, EntityColumns>(
    `SELECT * FROM journey_entities WHERE workspace = @workspace AND journey_id = @journeyId
     AND (@nodeId IS NULL OR node_id = @nodeId) AND (@status IS NULL OR status = @status) AND (@after IS NULL OR id > @after)
     ORDER BY id LIMIT @limit`,
  );
  const events = db.prepare<[string, string], EventColumns>(
    'SELECT e.* FROM journey_events e JOIN journey_entities n ON n.id = e.entity_id WHERE e.entity_id = ? AND n.workspace = ? ORDER BY e.seq',
  );
  const arrival = db.prepare<[string], ArrivalColumns>('SELECT * FROM journey_arrivals WHERE id = ?');
  const pending = db.prepare<[number], ArrivalColumns>(`${PENDING_ARRIVALS_SQL} ?`);
  const board = db.prepare<[string, string], { node_id: string; status: string; count: number }>(
    'SELECT node_id, status, count FROM journey_board WHERE workspace = ? AND journey_id = ? AND count > 0 ORDER BY node_id, status',
  );

  const adjust = (e: Pick<EntityRow, 'workspace' | 'journeyId' | 'nodeId' | 'status'>, by: number) =>
    count.run(e.workspace, e.journeyId, e.nodeId ?? '', e.status, by);
  const write = db.transaction((change: EntityWrite): boolean => {
    const { entity: e, before } = change;
    if (before) {
      const p = entityParams(e);
      const changed = updateEntity.run(p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[13], e.id, before.version);
      if (changed.changes !== 1) return false;
      adjust({ ...e, ...before }, -1);
    } else {
      insertEntity.run(...entityParams(e));
    }
    adjust(e, 1);
    for (const ev of change.events) insertEvent.run(ev.entityId, ev.seq, ev.type, ev.at, JSON.stringify(ev.data));
    if (change.settle) settle.run(change.settle.state, change.settle.id);
    if (change.arrival) insertArrival.run(...arrivalParams(change.arrival));
    for (const effect of change.effects ?? []) insertArrival.run(...arrivalParams(effect));
    return true;
  });

  return {
    async putJourney(row) {
      putJourney.run(row.workspace, row.id, JSON.stringify(row.mappings), row.updatedAt);
    },
    async getJourney(workspace, id) {
      const row = getJourney.get(workspace, id);
      return row && toJourney(row);
    },
    async listJourneys(workspace) {
      return listJourneys.all(workspace).map(toJourney);
    },
    async putHook(row) {
      const result = putHook.run(
        row.slug,
        row.workspace,
        row.journeyId,
        row.secret ?? null,
        JSON.stringify(row.config),
        row.createdAt,
      );
      return result.changes === 1;
    },
    async hook(slug) {
      const row = hook.get(slug);
      return row && toHook(row);
    },
    async listHooks(workspace) {
      return listHooks.all(workspace ?? null, workspace ?? null).map(toHook);
    },
    async deleteHook(workspace, slug) {
      return deleteHook.run(workspace, slug).changes === 1;
    },
    async remember(slug, key, expiresAt, now) {
      forget.run(now);
      return remember.run(slug, key, expiresAt).changes === 1;
    },
    async write(change) {
      try {
        return write.immediate(change);
      } catch (error) {
        if (!change.before && isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async entity(workspace, id) {
      const row = entity.get(id, workspace);
      return row && toEntity(row);
    },
    async entityByEmail(workspace, journeyId, email) {
      const row = byEmail.get(workspace, journeyId, email);
      return row && toEntity(row);
    },
    async listEntities(workspace, journeyId, filter = {}) {
      const params = {
        workspace,
        journeyId,
        nodeId: filter.nodeId ?? null,
        status: filter.status ?? null,
        after: filter.after ?? null,
        limit: filter.limit ?? -1,
      };
      return list.all(params).map(toEntity);
    },
    async events(workspace, entityId) {
      return events.all(entityId, workspace).map(toJourneyEvent);
    },
    async arrival(id) {
      const row = arrival.get(id);
      return row && toArrival(row);
    },
    async pendingArrivals(limit) {
      return pending.all(limit).map(toArrival);
    },
    async board(workspace, journeyId) {
      return board
        .all(workspace, journeyId)
        .map((r) => ({ nodeId: r.node_id, status: r.status as EntityRow['status'], count: r.count }));
    },
  };
}
