/**
 * LangGraph.js the way its docs build a graph: a StateGraph of nodes and edges, compiled with
 * or without a checkpointer, each run an `invoke` on its own thread_id.
 *
 * Modes: `none` (no checkpointer: in memory, nothing kept), `memory` (MemorySaver),
 * `sqlite` (@langchain/langgraph-checkpoint-sqlite's SqliteSaver on a file: it turns on WAL and
 * leaves SQLite's default synchronous=FULL, so every checkpoint is fsynced — Runloom `strict`).
 * The default recursion limit (25 supersteps) is enough for these graphs (10 at most); it is set
 * to 100 anyway so a workload can never end in GraphRecursionError.
 * W4 is a BPMN file: LangGraph does not read BPMN.
 */
import { join } from 'node:path';
import { Annotation, END, interrupt, MemorySaver, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { counter, FAN_OUT, SEQ_STEPS } from '../lib/workloads.mjs';

const State = Annotation.Root({ input: Annotation() });

const noop = () => {
  counter.steps++;
  return {};
};

function sequential() {
  const graph = new StateGraph(State);
  let previous = START;
  for (let i = 1; i <= SEQ_STEPS; i++) {
    graph.addNode(`t${i}`, noop);
    graph.addEdge(previous, `t${i}`);
    previous = `t${i}`;
  }
  return graph.addEdge(previous, END);
}

/** START fans out to every branch in one superstep; a join node waits for all of them (not a step). */
function fanOut() {
  const graph = new StateGraph(State);
  const ids = Array.from({ length: FAN_OUT }, (_, i) => `b${i + 1}`);
  for (const id of ids) graph.addNode(id, noop).addEdge(START, id);
  return graph
    .addNode('join', () => ({}))
    .addEdge(ids, 'join')
    .addEdge('join', END);
}

function waiting() {
  return new StateGraph(State)
    .addNode('approval', () => {
      interrupt('go');
      return {};
    })
    .addEdge(START, 'approval')
    .addEdge('approval', END);
}

function checkpointerOf(mode, ctx) {
  if (mode === 'none') return undefined;
  if (mode === 'memory') return new MemorySaver();
  if (mode === 'sqlite') return SqliteSaver.fromConnString(join(ctx.dir, 'langgraph.db'));
  throw new Error(`langgraph: unknown mode ${mode}`);
}

export async function open(mode, ctx) {
  const checkpointer = checkpointerOf(mode, ctx);
  const compile = (graph) => graph.compile(checkpointer ? { checkpointer } : {});
  const seq = compile(sequential());
  const fan = compile(fanOut());
  let thread = 0;
  const config = () => ({ configurable: { thread_id: `t${++thread}` }, recursionLimit: 100 });
  const oneByOne = async (graph, runs) => {
    for (let i = 0; i < runs; i++) await graph.invoke({ input: i }, config());
  };
  const engine = {
    W1: (runs) => oneByOne(seq, runs),
    W2: (runs) => oneByOne(fan, runs),
    W3: async (runs) => {
      await Promise.all(Array.from({ length: runs }, (_, i) => seq.invoke({ input: i }, config())));
    },
    unsupported: { W4: 'reads no BPMN', W5: 'interrupt() needs a checkpointer' },
    close: async () => {
      if (mode === 'sqlite') checkpointer.db.close();
    },
  };
  if (checkpointer) {
    const wait = compile(waiting());
    engine.W5 = async (runs) => {
      for (let i = 0; i < runs; i++) {
        const result = await wait.invoke({ input: i }, config());
        if (!result.__interrupt__?.length) throw new Error('the run did not stop at interrupt()');
      }
    };
    delete engine.unsupported.W5;
  }
  return engine;
}
