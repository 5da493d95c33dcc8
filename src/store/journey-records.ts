/**
 * The journeys part of the Store seam (F6, migration 009): journeys and their mappings, public
 * hooks, entities with their timelines, arrivals (the outbox of progression) and the board.
 *
 * Glossary. A *journey* is a published flow whose ux nodes form a spine. An *entity* stands at
 * one ux node of it (or has completed it). An *arrival* is one entity reaching one ux node: it
 * is written in the same transaction as the move that makes it, and names the run its mapped
 * flow gets (`runId`, derived from the arrival: the idempotency key). The *board* counts
 * entities per node and status, kept by the same transactions (never a scan).
 */

export type EntityStatus = 'active' | 'failed' | 'completed';
/**
 * `superseded`: the entity was moved away while the arrival's run may still be working; progression
 * cancels that run (it is pending until its run has ended or never started) and settles it `done`.
 */
export type ArrivalState = 'open' | 'done' | 'failed' | 'superseded';

/** A journey's ux node mapped to the system flow that runs when an entity arrives there. */
export interface JourneyMapping {
  readonly nodeId: string;
  readonly flowId: string;
  /** Pinned version; latest when absent. */
  readonly version?: number;
  /** Added to the run's input `{ entity, trigger }`: a value template (`=entity.email`) over `entity` and `run.trigger`. */
  readonly input?: unknown;
}

export interface JourneyRow {
  readonly workspace: string;
  /** The journey flow's id. */
  readonly id: string;
  readonly mappings: readonly JourneyMapping[];
  readonly updatedAt: number;
}

/** A public hook (`POST /v1/hooks/:slug`); slugs are unique across workspaces. */
export interface HookRow {
  readonly slug: string;
  readonly workspace: string;
  readonly journeyId: string;
  /** HMAC-SHA256 secret; never returned by the API. */
  readonly secret?: string;
  /** What the hook makes of a request: field mapping, placement, email settings. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
}

export interface EntityRow {
  readonly workspace: string;
  readonly id: string;
  readonly journeyId: string;
  readonly email?: string;
  readonly name?: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The ux node it stands at; absent once completed. */
  readonly nodeId?: string;
  readonly status: EntityStatus;
  /** Its current arrival (the one progression acts on). */
  readonly arrivalId?: string;
  /** Bumped by every write: writes are conditional on the version read (optimistic). */
  readonly version: number;
  /** Seq of its last timeline event. */
  readonly lastSeq: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface JourneyEventRow {
  readonly entityId: string;
  readonly seq: number;
  readonly type: string;
  readonly at: number;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface ArrivalRow {
  readonly id: string;
  readonly workspace: string;
  readonly journeyId: string;
  readonly entityId: string;
  readonly nodeId: string;
  /** The mapped flow's run: its id is the arrival's idempotency key. */
  readonly runId: string;
  readonly flowId: string;
  readonly version?: number;
  readonly input: unknown;
  readonly state: ArrivalState;
  readonly createdAt: number;
}

/** An open or superseded arrival with where its run stands (absent: not started yet). */
export interface PendingArrival extends ArrivalRow {
  readonly runStatus?: string;
}

export interface BoardCount {
  readonly nodeId: string;
  readonly status: EntityStatus;
  readonly count: number;
}

/**
 * One change of one entity, all or nothing: its new row, its new timeline events, an arrival
 * settled and one made. Refused (false, nothing written) when the entity changed since `before`
 * was read, or, for a new entity, when its journey already has one with that email.
 */
export interface EntityWrite {
  readonly entity: EntityRow;
  /** The row it replaces (absent: a new entity). */
  readonly before?: Pick<EntityRow, 'version' | 'nodeId' | 'status'>;
  readonly events: readonly JourneyEventRow[];
  readonly settle?: { readonly id: string; readonly state: ArrivalState };
  readonly arrival?: ArrivalRow;
  /** Arrivals for the ux node's system edges: side-effect runs started with the move, never moving the entity. */
  readonly effects?: readonly ArrivalRow[];
}

export interface EntityFilter {
  readonly nodeId?: string;
  readonly status?: EntityStatus;
  /** Entities created after this id in the listing's order (the last of the previous page). */
  readonly after?: string;
  readonly limit?: number;
}

export interface JourneyRecords {
  putJourney(row: JourneyRow): Promise<void>;
  getJourney(workspace: string, id: string): Promise<JourneyRow | undefined>;
  listJourneys(workspace: string): Promise<JourneyRow[]>;
  /** Inserts or replaces a hook; refused (false) when another workspace owns the slug. */
  putHook(row: HookRow): Promise<boolean>;
  hook(slug: string): Promise<HookRow | undefined>;
  /** Hooks of a workspace (every workspace's when absent: the SMTP listener's address book). */
  listHooks(workspace?: string): Promise<HookRow[]>;
  deleteHook(workspace: string, slug: string): Promise<boolean>;
  /** Remembers a signed delivery until `expiresAt`; false when it was seen already (a replay). */
  remember(slug: string, key: string, expiresAt: number, now: number): Promise<boolean>;
  write(change: EntityWrite): Promise<boolean>;
  entity(workspace: string, id: string): Promise<EntityRow | undefined>;
  entityByEmail(workspace: string, journeyId: string, email: string): Promise<EntityRow | undefined>;
  listEntities(workspace: string, journeyId: string, filter?: EntityFilter): Promise<EntityRow[]>;
  events(workspace: string, entityId: string): Promise<JourneyEventRow[]>;
  arrival(id: string): Promise<ArrivalRow | undefined>;
  /** Open arrivals whose run is not started or has ended (what progression must act on), oldest first. */
  pendingArrivals(limit: number): Promise<PendingArrival[]>;
  board(workspace: string, journeyId: string): Promise<BoardCount[]>;
}
