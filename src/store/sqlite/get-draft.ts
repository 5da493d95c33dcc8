/** `getDraft()`: a flow's draft, parsed fresh on every call (callers may mutate it). */
import type { SqliteDatabase } from './open-database.js';

export function prepareGetDraft(db: SqliteDatabase): (flowId: string) => Record<string, unknown> | undefined {
  const select = db.prepare('SELECT draft FROM flows WHERE flow_id = ?').pluck();
  return (flowId) => {
    const draft = select.get(flowId) as string | null | undefined;
    return draft == null ? undefined : (JSON.parse(draft) as Record<string, unknown>);
  };
}
