/**
 * `journeys` on PostgreSQL (migration 009). An entity's write is one transaction on one
 * connection: the row (conditional on the version read), its events, the arrival settled and
 * made, the board's counters. `ready` migrates first, like every other operation.
 */
import type { EntityRow, EntityWrite, JourneyRecords } from '../journey-records.js';
import {
  arrivalParams,
  entityParams,
  PENDING_ARRIVALS_SQL,
  toArrival,
  toEntity,
  toHook,
  toJourney,
  toJourneyEvent,
} from '../journey-rows.js';
import type { PostgresPool } from './open-pool.js';

const params = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');
const BOARD_ADD = `INSERT INTO journey_board (workspace, journey_id, node_id, status, count) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (workspace, journey_id, node_id, status) DO UPDATE SET count = journey_board.count + excluded.count`;

export function prepareJourneys(pool: PostgresPool, ready: () => Promise<unknown>): JourneyRecords {
  const query = async (text: string, values?: unknown[]) => {
    await ready();
    return pool.query(text, values);
  };

  async function write(change: EntityWrite): Promise<boolean> {
    await ready();
    const { entity: e, before } = change;
    const client = await pool.connect();
    const adjust = (x: Pick<EntityRow, 'workspace' | 'journeyId' | 'nodeId' | 'status'>, by: number) =>
      client.query(BOARD_ADD, [x.workspace, x.journeyId, x.nodeId ?? '', x.status, by]);
    try {
      await client.query('BEGIN');
      const p = entityParams(e);
      if (before) {
        const updated = await client.query(
          'UPDATE journey_entities SET email = $1, name = $2, attributes = $3, metadata = $4, node_id = $5, status = $6, arrival_id = $7, version = $8, last_seq = $9, updated_at = $10 WHERE id = $11 AND version = $12',
          [p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[13], e.id, before.version],
        );
        if (updated.rowCount !== 1) {
          await client.query('ROLLBACK');
          return false;
        }
        await adjust({ ...e, ...before }, -1);
      } else {
        // A second entity with the same email in the journey, or the same id: nothing written.
        const inserted = await client.query(`INSERT INTO journey_entities VALUES (${params(14)}) ON CONFLICT DO NOTHING`, p);
        if (inserted.rowCount !== 1) {
          await client.query('ROLLBACK');
          return false;
        }
      }
      await adjust(e, 1);
      for (const ev of change.events) {
        await client.query('INSERT INTO journey_events (entity_id, seq, type, at, data) VALUES ($1, $2, $3, $4, $5)', [
          ev.entityId,
          ev.seq,
          ev.type,
          ev.at,
          JSON.stringify(ev.data),
        ]);
      }
      if (change.settle) {
        await client.query("UPDATE journey_arrivals SET state = $1 WHERE id = $2 AND state <> 'done'", [
          change.settle.state,
          change.settle.id,
        ]);
      }
      if (change.arrival)
        await client.query(`INSERT INTO journey_arrivals VALUES (${params(11)})`, arrivalParams(change.arrival));
      for (const effect of change.effects ?? [])
        await client.query(`INSERT INTO journey_arrivals VALUES (${params(11)})`, arrivalParams(effect));
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  return {
    async putJourney(row) {
      await query(
        'INSERT INTO journeys (workspace, id, mappings, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (workspace, id) DO UPDATE SET mappings = excluded.mappings, updated_at = excluded.updated_at',
        [row.workspace, row.id, JSON.stringify(row.mappings), row.updatedAt],
      );
    },
    async getJourney(workspace, id) {
      const { rows } = await query('SELECT * FROM journeys WHERE workspace = $1 AND id = $2', [workspace, id]);
      return rows[0] && toJourney(rows[0]);
    },
    async listJourneys(workspace) {
      return (await query('SELECT * FROM journeys WHERE workspace = $1 ORDER BY id', [workspace])).rows.map(toJourney);
    },
    async putHook(row) {
      const result = await query(
        `INSERT INTO journey_hooks (slug, workspace, journey_id, secret, config, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (slug) DO UPDATE SET journey_id = excluded.journey_id, secret = excluded.secret, config = excluded.config
         WHERE journey_hooks.workspace = excluded.workspace`,
        [row.slug, row.workspace, row.journeyId, row.secret ?? null, JSON.stringify(row.config), row.createdAt],
      );
      return result.rowCount === 1;
    },
    async hook(slug) {
      const { rows } = await query('SELECT * FROM journey_hooks WHERE slug = $1', [slug]);
      return rows[0] && toHook(rows[0]);
    },
    async listHooks(workspace) {
      return (
        await query('SELECT * FROM journey_hooks WHERE $1::text IS NULL OR workspace = $1 ORDER BY slug', [workspace ?? null])
      ).rows.map(toHook);
    },
    async deleteHook(workspace, slug) {
      return (await query('DELETE FROM journey_hooks WHERE workspace = $1 AND slug = $2', [workspace, slug])).rowCount === 1;
    },
    async remember(slug, key, expiresAt, now) {
      await query('DELETE FROM journey_deliveries WHERE expires_at < $1', [now]);
      const result = await query(
        'INSERT INTO journey_deliveries (slug, key, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [slug, key, expiresAt],
      );
      return result.rowCount === 1;
    },
    write,
    async entity(workspace, id) {
      const { rows } = await query('SELECT * FROM journey_entities WHERE id = $1 AND workspace = $2', [id, workspace]);
      return rows[0] && toEntity(rows[0]);
    },
    async entityByEmail(workspace, journeyId, email) {
      const { rows } = await query('SELECT * FROM journey_entities WHERE workspace = $1 AND journey_id = $2 AND email = $3', [
        workspace,
        journeyId,
        email,
      ]);
      return rows[0] && toEntity(rows[0]);
    },
    async listEntities(workspace, journeyId, filter = {}) {
      const { rows } = await query(
        `SELECT * FROM journey_entities WHERE workspace = $1 AND journey_id = $2
         AND ($3::text IS NULL OR node_id = $3) AND ($4::text IS NULL OR status = $4) AND ($5::text IS NULL OR id > $5)
         ORDER BY id COLLATE "C" LIMIT $6`,
        [workspace, journeyId, filter.nodeId ?? null, filter.status ?? null, filter.after ?? null, filter.limit ?? null],
      );
      return rows.map(toEntity);
    },
    async events(workspace, entityId) {
      const { rows } = await query(
        'SELECT e.* FROM journey_events e JOIN journey_entities n ON n.id = e.entity_id WHERE e.entity_id = $1 AND n.workspace = $2 ORDER BY e.seq',
        [entityId, workspace],
      );
      return rows.map(toJourneyEvent);
    },
    async arrival(id) {
      const { rows } = await query('SELECT * FROM journey_arrivals WHERE id = $1', [id]);
      return rows[0] && toArrival(rows[0]);
    },
    async pendingArrivals(limit) {
      return (await query(`${PENDING_ARRIVALS_SQL} $1`, [limit])).rows.map(toArrival);
    },
    async board(workspace, journeyId) {
      const { rows } = await query(
        'SELECT node_id, status, count FROM journey_board WHERE workspace = $1 AND journey_id = $2 AND count > 0 ORDER BY node_id, status',
        [workspace, journeyId],
      );
      return rows.map((r) => ({ nodeId: r.node_id, status: r.status, count: Number(r.count) }));
    },
  };
}
