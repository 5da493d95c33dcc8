/**
 * The code of the script worker thread, as text (a worker started with `eval: true` runs it; no
 * build step has to ship a second entry file). It runs each script in a fresh `node:vm` context
 * that holds nothing from the worker's own realm: the script's data comes in as JSON text and is
 * parsed inside the context, the scope a BPMN script expects (bpmn-engine's: `next`,
 * `BpmnError`, `environment`, `content`, `logger`…) is defined by code run inside it, and the
 * outcome leaves it as JSON text. So `this.constructor.constructor` reaches the context's own
 * `Function`, which cannot compile strings (code generation is off in the context), and no
 * `process` or `require` is in reach. The vm timeout bounds the script and its microtasks.
 */

/** Defines a BPMN script's environment inside the context, from `__input` (JSON text). */
const PRELUDE = `(() => {
  const data = JSON.parse(globalThis.__input);
  delete globalThis.__input;
  const variables = data.variables;
  const before = {};
  for (const key of Object.keys(variables)) before[key] = JSON.stringify(variables[key]);
  const state = { called: false, logs: [] };
  class BpmnError extends Error {
    constructor(message, behaviour) {
      super(message);
      this.name = 'BpmnError';
      const code = behaviour && (behaviour.errorCode ?? behaviour.code);
      if (code !== undefined && code !== null) this.errorCode = String(code);
    }
  }
  const line = (args) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  const log = (...args) => state.logs.push(line(args));
  // The scope bpmn-engine gives a script (bpmn-elements' ExecutionScope), no more.
  Object.assign(globalThis, {
    id: data.content.id,
    type: data.content.type,
    fields: {},
    properties: {},
    content: data.content,
    environment: { variables, output: variables, services: {} },
    logger: { debug: log, info: log, warn: log, error: log },
    BpmnError,
    next(error, result) {
      if (state.called) return;
      state.called = true;
      if (error) state.error = { name: String(error.name ?? 'Error'), message: String(error.message ?? error), code: error.errorCode };
      else state.result = result;
    },
  });
  globalThis.__finish = () => {
    const changed = {};
    for (const key of Object.keys(variables)) {
      const text = JSON.stringify(variables[key]);
      if (text !== undefined && text !== before[key]) changed[key] = JSON.parse(text);
    }
    return JSON.stringify({ called: state.called, error: state.error, result: state.result, changed, logs: state.logs });
  };
})();`;

export const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const vm = require('node:vm');
const PRELUDE = ${JSON.stringify(PRELUDE)};
parentPort.on('message', ({ id, script, input, timeoutMs }) => {
  let reply;
  try {
    const context = vm.createContext(Object.create(null), {
      codeGeneration: { strings: false, wasm: false },
      microtaskMode: 'afterEvaluate',
    });
    context.__input = input;
    vm.runInContext(PRELUDE, context, { timeout: timeoutMs });
    try {
      vm.runInContext(script, context, { timeout: timeoutMs, filename: 'script' });
    } catch (error) {
      const timedOut = error && error.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
      reply = { id, failure: { kind: timedOut ? 'timeout' : 'thrown', message: String(error && error.message !== undefined ? error.message : error) } };
    }
    if (!reply) reply = { id, outcome: vm.runInContext('__finish()', context, { timeout: timeoutMs }) };
  } catch (error) {
    reply = { id, failure: { kind: 'thrown', message: String(error && error.message !== undefined ? error.message : error) } };
  }
  parentPort.postMessage(reply);
});
`;
