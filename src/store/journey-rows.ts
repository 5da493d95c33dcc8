/** Journey rows as both SQL stores read them (SQLite gives JSON as text, PostgreSQL parsed). */
import type { ArrivalRow, EntityRow, EntityStatus, HookRow, JourneyEventRow, JourneyRow } from './journey-records.js';

type Json = string | object;
const json = <T>(value: Json): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

export interface EntityColumns {
  workspace: string;
  id: string;
  journey_id: string;
  email: string | null;
  name: string | null;
  attributes: Json;
  metadata: Json;
  node_id: string | null;
  status: string;
  arrival_id: string | null;
  version: number;
  last_seq: number;
  created_at: number;
  updated_at: number;
}

export const toEntity = (r: EntityColumns): EntityRow => ({
  workspace: r.workspace,
  id: r.id,
  journeyId: r.journey_id,
  ...(r.email === null ? {} : { email: r.email }),
  ...(r.name === null ? {} : { name: r.name }),
  attributes: json(r.attributes),
  metadata: json(r.metadata),
  ...(r.node_id === null ? {} : { nodeId: r.node_id }),
  status: r.status as EntityStatus,
  ...(r.arrival_id === null ? {} : { arrivalId: r.arrival_id }),
  version: r.version,
  lastSeq: r.last_seq,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** An entity row as statement parameters, in the column order of the table. */
export const entityParams = (e: EntityRow): unknown[] => [
  e.workspace,
  e.id,
  e.journeyId,
  e.email ?? null,
  e.name ?? null,
  JSON.stringify(e.attributes),
  JSON.stringify(e.metadata),
  e.nodeId ?? null,
  e.status,
  e.arrivalId ?? null,
  e.version,
  e.lastSeq,
  e.createdAt,
  e.updatedAt,
];

export interface ArrivalColumns {
  id: string;
  workspace: string;
  journey_id: string;
  entity_id: string;
  node_id: string;
  run_id: string;
  flow_id: string;
  flow_version: number | null;
  input: Json;
  state: string;
  created_at: number;
  run_status?: string | null;
}

export const toArrival = (r: ArrivalColumns): ArrivalRow & { runStatus?: string } => ({
  id: r.id,
  workspace: r.workspace,
  journeyId: r.journey_id,
  entityId: r.entity_id,
  nodeId: r.node_id,
  runId: r.run_id,
  flowId: r.flow_id,
  ...(r.flow_version === null ? {} : { version: r.flow_version }),
  input: json(r.input),
  state: r.state as ArrivalRow['state'],
  createdAt: r.created_at,
  ...(r.run_status ? { runStatus: r.run_status } : {}),
});

export const arrivalParams = (a: ArrivalRow): unknown[] => [
  a.id,
  a.workspace,
  a.journeyId,
  a.entityId,
  a.nodeId,
  a.runId,
  a.flowId,
  a.version ?? null,
  JSON.stringify(a.input),
  a.state,
  a.createdAt,
];

export interface HookColumns {
  slug: string;
  workspace: string;
  journey_id: string;
  secret: string | null;
  config: Json;
  created_at: number;
}

export const toHook = (r: HookColumns): HookRow => ({
  slug: r.slug,
  workspace: r.workspace,
  journeyId: r.journey_id,
  ...(r.secret === null ? {} : { secret: r.secret }),
  config: json(r.config),
  createdAt: r.created_at,
});

export interface JourneyColumns {
  workspace: string;
  id: string;
  mappings: Json;
  updated_at: number;
}

export const toJourney = (r: JourneyColumns): JourneyRow => ({
  workspace: r.workspace,
  id: r.id,
  mappings: json(r.mappings),
  updatedAt: r.updated_at,
});

export interface EventColumns {
  entity_id: string;
  seq: number;
  type: string;
  at: number;
  data: Json;
}

export const toJourneyEvent = (r: EventColumns): JourneyEventRow => ({
  entityId: r.entity_id,
  seq: r.seq,
  type: r.type,
  at: r.at,
  data: json(r.data),
});

/** The arrivals progression must act on: open ones whose run has not started or has ended; superseded ones (their run is cancelled). */
export const PENDING_ARRIVALS_SQL = `
SELECT a.*, r.status AS run_status FROM journey_arrivals a LEFT JOIN runs r ON r.id = a.run_id
WHERE a.state = 'open' AND (r.status IS NULL OR r.status IN ('completed', 'failed', 'cancelled'))
UNION ALL
SELECT a.*, r.status AS run_status FROM journey_arrivals a LEFT JOIN runs r ON r.id = a.run_id
WHERE a.state = 'superseded'
ORDER BY created_at LIMIT `;
