/**
 * `listRuns()`: run summaries (no state) filtered by status, flow, parent and workspace. The SQL depends on
 * which filters are present, so each shape is prepared once and cached.
 */
import type { Statement } from 'better-sqlite3';
import { DEFAULT_WORKSPACE } from '../../flow/flow-key.js';
import { type RunSummaryRow, toRunSummary } from '../rows.js';
import type { RunFilter, RunSummary } from '../store.js';
import type { SqliteDatabase } from './open-database.js';

export function prepareListRuns(db: SqliteDatabase): (filter?: RunFilter) => RunSummary[] {
  const cache = new Map<string, Statement<unknown[]>>();
  return (filter = {}) => {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status) {
      if (filter.status.length === 0) return [];
      where.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
      args.push(...filter.status);
    }
    if (filter.flowId !== undefined) {
      where.push('flow_id = ?');
      args.push(filter.flowId);
    }
    if (filter.parentRunId !== undefined) {
      where.push('parent_run_id = ?');
      args.push(filter.parentRunId);
    }
    // A run's workspace is its flow key's (flow/flow-key.ts): a range of the flow_id index.
    if (filter.workspace === DEFAULT_WORKSPACE) where.push("instr(flow_id, '/') = 0");
    else if (filter.workspace !== undefined) {
      where.push('flow_id >= ? AND flow_id < ?');
      args.push(`${filter.workspace}/`, `${filter.workspace}0`);
    }
    if (filter.createdFrom !== undefined) {
      where.push('created_at >= ?');
      args.push(filter.createdFrom);
    }
    if (filter.createdBefore !== undefined) {
      where.push('created_at < ?');
      args.push(filter.createdBefore);
    }
    const dir = filter.order === 'oldest' ? 'ASC' : 'DESC';
    if (filter.cursor) {
      const cmp = dir === 'ASC' ? '>' : '<';
      where.push(`(created_at ${cmp} ? OR (created_at = ? AND id ${cmp} ?))`);
      args.push(filter.cursor.createdAt, filter.cursor.createdAt, filter.cursor.id);
    }
    args.push(filter.limit ?? -1);
    const sql =
      'SELECT id, flow_id, flow_version, status, reason, parent_run_id, created_at, updated_at FROM runs' +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY created_at ${dir}, id ${dir} LIMIT ?`;
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare<unknown[]>(sql);
      cache.set(sql, stmt);
    }
    return (stmt.all(...args) as RunSummaryRow[]).map(toRunSummary);
  };
}
