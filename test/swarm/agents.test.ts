/**
 * Agents and their coordinator (item 7): the coordinator is a run of a generated flow; each
 * turn is an ai step (reasoning) whose tool calls change the swarm under the agent's name. The
 * models are the AI SDK's MockLanguageModelV3 answering from a script; the store is a real
 * SQLite file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createContext } from '../../src/swarm/context.js';
import { chooseNext } from '../../src/swarm/coordinator.js';
import { type ScriptedAnswer, scriptedModel } from '../ai/scripted-model.js';
import { closeAll, openRunloom } from '../runtime/support.js';

afterEach(closeAll);

const PRICE = { input: 1, output: 1 };

/** A model that answers each turn with these tool calls, then a note. */
function turns(calls: readonly ScriptedAnswer['tools'][]) {
  const script: ScriptedAnswer[] = [];
  for (const [k, tools] of calls.entries()) {
    if (tools && tools.length > 0) script.push({ tools, usage: { input: 10, output: 10 } });
    script.push({ text: `turn ${k + 1} done`, usage: { input: 10, output: 10 } });
  }
  return scriptedModel(script);
}

const TEAM_FILE = (policies: Record<string, unknown>, budget = 1000) => ({
  name: 'leads',
  goal: 'Qualify acme',
  budget,
  team: [
    { id: 'scout', role: 'researcher', model: 'scout' },
    { id: 'judge', role: 'qualifier', model: 'judge' },
  ],
  policies,
  blackboard: { leads: ['acme'] },
});

describe('swarm agents', () => {
  it('take turns round-robin; every action is a patch by its agent; finish stops the coordinator', async () => {
    const scout = turns([[{ name: 'swarm_write', input: { op: 'set', key: 'facts.acme', value: 'buys lamps' } }]]);
    const judge = turns([
      [
        { name: 'swarm_subtask', input: { action: 'create', id: 'call-acme', title: 'Call acme', assignee: 'judge' } },
        { name: 'swarm_write', input: { op: 'set', key: 'qualified.acme', value: 'hot' } },
        { name: 'swarm_finish', input: { outcome: 'acme is hot' } },
      ],
    ]);
    const runloom = await openRunloom('sqlite', [], {
      models: { scout: { model: scout, price: PRICE }, judge: { model: judge, price: PRICE } },
    });
    const swarm = await runloom.swarms.start(TEAM_FILE({ maxTurns: 6 }));
    const run = await runloom.runs.wait((await runloom.swarms.startAgents(swarm.id)).id);
    expect(run.status).toBe('completed');
    expect(run.output).toMatchObject({ stop: 'goal', turn: 2, agent: null });
    const view = await runloom.swarms.view(swarm.id);
    expect(view.blackboard).toMatchObject({
      facts: { acme: 'buys lamps' },
      qualified: { acme: 'hot' },
      finished: { outcome: 'acme is hot' },
    });
    expect(view.subtasks).toEqual({ 'call-acme': { title: 'Call acme', status: 'open', assignee: 'judge' } });
    const authors = (await runloom.swarms.history(swarm.id)).filter((c) => c.kind === 'patch').map((c) => c.author);
    expect(authors).toEqual(['scout', 'judge', 'judge', 'judge']);
  });

  it('stops at the turn limit when nobody finishes', async () => {
    const order: string[] = [];
    const idle = (agent: string) =>
      scriptedModel(() => {
        order.push(agent);
        return { text: `${agent} has nothing to do`, usage: { input: 1, output: 1 } };
      });
    const runloom = await openRunloom('sqlite', [], {
      models: { scout: { model: idle('scout'), price: PRICE }, judge: { model: idle('judge'), price: PRICE } },
    });
    const swarm = await runloom.swarms.start(TEAM_FILE({ maxTurns: 3 }));
    const run = await runloom.runs.wait((await runloom.swarms.startAgents(swarm.id)).id);
    expect(run.output).toMatchObject({ stop: 'turns', turn: 3 });
    expect(order).toEqual(['scout', 'judge', 'scout']);
    expect(run.vars).toMatchObject({ note_scout: 'scout has nothing to do', note_judge: 'judge has nothing to do' });
  });

  it('a swarm stopped by a person stops its coordinator before the next turn', async () => {
    let stop: (() => Promise<unknown>) | undefined;
    const scout = scriptedModel(() => {
      void stop?.();
      return { text: 'looked around', usage: { input: 1, output: 1 } };
    });
    const runloom = await openRunloom('sqlite', [], {
      models: { scout: { model: scout, price: PRICE }, judge: { model: scout, price: PRICE } },
    });
    const swarm = await runloom.swarms.start(TEAM_FILE({ maxTurns: 10 }));
    stop = () => runloom.swarms.stop(swarm.id, { author: 'ada' });
    const run = await runloom.runs.wait((await runloom.swarms.startAgents(swarm.id)).id);
    expect(run.output).toMatchObject({ stop: 'stopped', turn: 1 });
  });

  it('refuses to coordinate a swarm without a team, or with an agent id a flow cannot hold', async () => {
    const runloom = await openRunloom('sqlite');
    const swarm = await runloom.swarms.start({ goal: 'nothing', budget: 10 });
    await expect(runloom.swarms.startAgents(swarm.id)).rejects.toThrow(/has no team/);
    const odd = await runloom.swarms.start({ goal: 'g', budget: 10, team: [{ id: "o'brien", role: 'r' }] });
    await expect(runloom.swarms.startAgents(odd.id)).rejects.toThrow(/agent id 'o'brien' may hold only letters/);
  });
});

describe('chooseNext', () => {
  const context = (extra: Record<string, unknown> = {}) =>
    createContext({
      goal: 'g',
      team: [
        { id: 'a', role: 'r' },
        { id: 'b', role: 'r' },
        { id: 'c', role: 'r' },
      ],
      resources: { budget: 100 },
      ...extra,
    });
  const base = { turn: 0, stopped: false, spent: 0 };

  it('round-robin goes after the last agent, wrapping around', () => {
    expect(chooseNext(context(), base).agent).toBe('a');
    expect(chooseNext(context(), { ...base, turn: 1, last: 'a' }).agent).toBe('b');
    expect(chooseNext(context(), { ...base, turn: 3, last: 'c' })).toEqual({ agent: 'a', turn: 4 });
  });

  it('by subtasks: the assignee of the first open or claimed subtask goes next', () => {
    const subtasks = {
      one: { title: 'done already', status: 'done', assignee: 'a' },
      two: { title: 'to do', status: 'claimed', assignee: 'c' },
    };
    const c = context({ subtasks, policies: { pick: 'subtasks' } });
    expect(chooseNext(c, { ...base, last: 'a' }).agent).toBe('c');
    const none = context({ subtasks: { one: subtasks.one }, policies: { pick: 'subtasks' } });
    expect(chooseNext(none, { ...base, last: 'a' }).agent).toBe('b');
  });

  it('by a leader: the leader takes every other turn and names the next agent on the blackboard', () => {
    const named = (next: unknown) =>
      context({ policies: { pick: 'leader', leader: 'b' }, blackboard: { next: { value: next, author: 'b', at: 1 } } });
    expect(chooseNext(named('c'), base).agent).toBe('b');
    expect(chooseNext(named('c'), { ...base, turn: 1, last: 'b' }).agent).toBe('c');
    expect(chooseNext(named('c'), { ...base, turn: 2, last: 'c' }).agent).toBe('b');
    // Not on the team (or the leader itself): round-robin after the leader.
    expect(chooseNext(named('zed'), { ...base, turn: 1, last: 'b' }).agent).toBe('c');
    expect(chooseNext(context({ policies: { pick: 'leader' } }), base).agent).toBe('a');
  });

  it('stops on goal, budget, turns and stop, in that order of precedence', () => {
    const finished = context({ blackboard: { finished: { value: { outcome: 'x' }, author: 'a', at: 1 } } });
    expect(chooseNext(finished, base).stop).toBe('goal');
    expect(chooseNext(context(), { ...base, spent: 100 }).stop).toBe('budget');
    expect(chooseNext(context({ policies: { maxTurns: 2 } }), { ...base, turn: 2 }).stop).toBe('turns');
    expect(chooseNext(finished, { ...base, stopped: true }).stop).toBe('stopped');
  });
});
