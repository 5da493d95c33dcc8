/**
 * Every engine × mode the benchmark measures, its durability class, and which Runloom row it is
 * matched against (same class, and for SQLite the same sync level), so each ratio compares equal
 * guarantees: in memory with in memory, SQLite with SQLite, PostgreSQL with PostgreSQL.
 */

export const TARGETS = [
  { id: 'runloom-memory', engine: 'runloom', mode: 'memory', name: 'Runloom', durability: "in memory (store 'memory:')" },
  {
    id: 'runloom-normal',
    engine: 'runloom',
    mode: 'normal',
    name: 'Runloom',
    durability: 'SQLite file, durability normal (WAL, synchronous=NORMAL)',
  },
  {
    id: 'runloom-strict',
    engine: 'runloom',
    mode: 'strict',
    name: 'Runloom',
    durability: 'SQLite file, durability strict (WAL, synchronous=FULL)',
  },
  {
    id: 'runloom-postgres',
    engine: 'runloom',
    mode: 'postgres',
    name: 'Runloom',
    durability: 'PostgreSQL (own database)',
    database: 'runloom_bench_peers_runloom',
  },
  {
    id: 'langgraph-none',
    engine: 'langgraph',
    mode: 'none',
    name: 'LangGraph.js',
    durability: 'in memory, no checkpointer',
    versus: 'runloom-memory',
  },
  {
    id: 'langgraph-memory',
    engine: 'langgraph',
    mode: 'memory',
    name: 'LangGraph.js',
    durability: 'in memory, MemorySaver',
    versus: 'runloom-memory',
  },
  {
    id: 'langgraph-sqlite',
    engine: 'langgraph',
    mode: 'sqlite',
    name: 'LangGraph.js',
    durability: 'SQLite file, SqliteSaver (WAL, synchronous=FULL)',
    versus: 'runloom-strict',
  },
  {
    id: 'dbos-postgres',
    engine: 'dbos',
    mode: 'postgres',
    name: 'DBOS Transact',
    durability: 'PostgreSQL (own database)',
    versus: 'runloom-postgres',
    database: 'runloom_bench_peers_dbos',
  },
  { id: 'bpmn-memory', engine: 'bpmn', mode: 'memory', name: 'bpmn-engine', durability: 'in memory', versus: 'runloom-memory' },
  {
    id: 'bpmn-sqlite',
    engine: 'bpmn',
    mode: 'sqlite',
    name: 'bpmn-engine',
    durability: 'SQLite file, getState() upserted after each activity (WAL, synchronous=NORMAL)',
    versus: 'runloom-normal',
  },
  {
    id: 'mastra-memory',
    engine: 'mastra',
    mode: 'memory',
    name: 'Mastra',
    durability: 'in memory, no storage configured',
    versus: 'runloom-memory',
  },
  {
    id: 'mastra-libsql',
    engine: 'mastra',
    mode: 'libsql',
    name: 'Mastra',
    durability: 'SQLite file, LibSQLStore (WAL, synchronous=NORMAL)',
    versus: 'runloom-normal',
  },
  {
    id: 'floor-normal',
    engine: 'floor',
    mode: 'normal',
    name: 'raw floor: SQLite',
    durability: '1 INSERT per transaction, synchronous=NORMAL',
    floor: true,
  },
  {
    id: 'floor-strict',
    engine: 'floor',
    mode: 'strict',
    name: 'raw floor: SQLite',
    durability: '1 INSERT per transaction, synchronous=FULL',
    floor: true,
  },
  {
    id: 'floor-postgres',
    engine: 'floor',
    mode: 'postgres',
    name: 'raw floor: PostgreSQL',
    durability: '1 INSERT per transaction (autocommit), 1 connection',
    floor: true,
    database: 'runloom_bench_peers_floor',
  },
];

/** The floor each durable Runloom row is held against ("within 2× of the raw floor"). */
export const FLOOR_OF = {
  'runloom-normal': 'floor-normal',
  'runloom-strict': 'floor-strict',
  'runloom-postgres': 'floor-postgres',
};

/** Workloads a target runs: the floors commit rows (W1 only). */
export const workloadsOf = (target, selected) => (target.floor ? selected.filter((w) => w === 'W1') : selected);

/** `--only a,b`: a target is kept when one pattern is its id, its engine or its mode's prefix. */
export function selectTargets(only) {
  if (only.length === 0) return TARGETS;
  const kept = TARGETS.filter((t) => only.some((p) => t.id === p || t.engine === p || t.id.startsWith(`${p}-`)));
  if (kept.length === 0)
    throw new Error(`--only ${only.join(',')} matches nothing (ids: ${TARGETS.map((t) => t.id).join(', ')})`);
  return kept;
}
