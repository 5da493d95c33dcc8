/**
 * bpmn-engine the way its docs run a process: each run is a `new Engine({ … })` executed to its
 * end, service tasks calling a function from `services`. Every definition is parsed once
 * (bpmn-moddle) and serialized once (moddle-context-serializer with bpmn-elements' types, as the
 * docs show), and each engine gets that `sourceContext`: no run re-parses or re-serializes XML.
 *
 * Modes: `memory` (the engine alone), `sqlite` (the durable comparison the docs suggest:
 * `engine.getState()` saved to SQLite after each activity ends and when one starts waiting, as
 * one upsert per save — better-sqlite3, WAL, synchronous=NORMAL: Runloom `normal`). A run
 * counts as done when the engine ended and its last state is saved.
 * W1–W3 and W5 run BPMN made here with the same shape as the other engines' flows; W4 runs
 * flows/w4.bpmn.
 */

import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as elements from 'bpmn-elements';
import { Engine } from 'bpmn-engine';
import BpmnModdle from 'bpmn-moddle';
import serialize, { TypeResolver } from 'moddle-context-serializer';
import { counter, FAN_OUT, SEQ_STEPS } from '../lib/workloads.mjs';

// biome-ignore lint/suspicious/noTemplateCurlyInString: a BPMN expression for bpmn-engine, not a JS template
const SERVICE = 'implementation="${environment.services.noop}"';

const definitions = (body) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="http://runloom.dev/bench">
  <bpmn:process id="p" isExecutable="true">
${body}
  </bpmn:process>
</bpmn:definitions>`;

const flow = (id, from, to) => `    <bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;

function sequentialXml() {
  const ids = Array.from({ length: SEQ_STEPS }, (_, i) => `t${i + 1}`);
  const chain = ['start', ...ids, 'end'];
  return definitions(
    [
      '    <bpmn:startEvent id="start" />',
      ...ids.map((id) => `    <bpmn:serviceTask id="${id}" ${SERVICE} />`),
      '    <bpmn:endEvent id="end" />',
      ...chain.slice(1).map((to, i) => flow(`f${i}`, chain[i], to)),
    ].join('\n'),
  );
}

function fanOutXml() {
  const ids = Array.from({ length: FAN_OUT }, (_, i) => `b${i + 1}`);
  return definitions(
    [
      '    <bpmn:startEvent id="start" />',
      '    <bpmn:parallelGateway id="fork" />',
      ...ids.map((id) => `    <bpmn:serviceTask id="${id}" ${SERVICE} />`),
      '    <bpmn:parallelGateway id="join" />',
      '    <bpmn:endEvent id="end" />',
      flow('f0', 'start', 'fork'),
      ...ids.flatMap((id) => [flow(`in-${id}`, 'fork', id), flow(`out-${id}`, id, 'join')]),
      flow('f1', 'join', 'end'),
    ].join('\n'),
  );
}

const waitXml = () =>
  definitions(
    [
      '    <bpmn:startEvent id="start" />',
      '    <bpmn:userTask id="approval" />',
      '    <bpmn:endEvent id="end" />',
      flow('f0', 'start', 'approval'),
      flow('f1', 'approval', 'end'),
    ].join('\n'),
  );

const services = {
  noop(_executionContext, callback) {
    counter.steps++;
    callback();
  },
};

/** Saves an engine's state as one upsert per call (each its own transaction). */
function openStateStore(path) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS engine_state (id TEXT PRIMARY KEY, state TEXT NOT NULL)');
  const upsert = db.prepare(
    'INSERT INTO engine_state (id, state) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state',
  );
  return { save: (id, state) => upsert.run(id, JSON.stringify(state)), close: () => db.close() };
}

export async function open(mode, ctx) {
  if (mode !== 'memory' && mode !== 'sqlite') throw new Error(`bpmn: unknown mode ${mode}`);
  const moddle = new BpmnModdle();
  const types = TypeResolver(elements);
  const parse = async (xml) => serialize(await moddle.fromXML(xml), types);
  const contexts = {
    seq: await parse(sequentialXml()),
    fan: await parse(fanOutXml()),
    w4: await parse(readFileSync(new URL('../flows/w4.bpmn', import.meta.url), 'utf8')),
    wait: await parse(waitXml()),
  };
  const store = mode === 'sqlite' ? openStateStore(join(ctx.dir, 'bpmn-state.db')) : undefined;
  let ids = 0;

  /** Starts one run; resolves with the engine when it ended (`end`) or waits for a signal (`wait`). */
  function start(sourceContext, until) {
    const name = `run-${++ids}`;
    const listener = new EventEmitter();
    const engine = new Engine({ name, sourceContext, services });
    let saving = Promise.resolve();
    if (store) {
      const save = () => {
        saving = saving.then(async () => store.save(name, await engine.getState()));
      };
      listener.on('activity.end', save);
      listener.on('activity.wait', save);
    }
    return new Promise((resolve, reject) => {
      if (until === 'wait') listener.once('activity.wait', () => saving.then(() => resolve(engine), reject));
      engine.execute({ listener }, (error) => {
        if (error) reject(error);
        else if (until === 'end') saving.then(() => resolve(engine), reject);
      });
    });
  }

  const oneByOne = async (sourceContext, runs) => {
    for (let i = 0; i < runs; i++) await start(sourceContext, 'end');
  };
  const parked = [];
  return {
    W1: (runs) => oneByOne(contexts.seq, runs),
    W2: (runs) => oneByOne(contexts.fan, runs),
    W3: async (runs) => {
      await Promise.all(Array.from({ length: runs }, () => start(contexts.seq, 'end')));
    },
    W4: (runs) => oneByOne(contexts.w4, runs),
    W5: async (runs) => {
      for (let i = 0; i < runs; i++) parked.push(await start(contexts.wait, 'wait'));
    },
    close: async () => {
      for (const engine of parked) engine.stop();
      store?.close();
    },
  };
}
