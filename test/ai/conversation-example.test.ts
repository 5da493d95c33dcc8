/**
 * examples/ai-conversation.yaml runs as its header says, with the AI SDK's mock model as the
 * desk: it opens, waits for the patient, and ends with the slot agreed (or the patient ends it).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import { type ScriptedAnswer, scriptedModel } from './scripted-model.js';

const SOURCE = readFileSync(new URL('../../examples/ai-conversation.yaml', import.meta.url), 'utf8');
let runloom: Runloom | undefined;
afterEach(async () => runloom?.close());

async function desk(script: readonly ScriptedAnswer[]) {
  const model = scriptedModel(script);
  runloom = await createRunloom({ store: 'memory:', models: { 'booking-desk': model } });
  await runloom.flows.publishAll([{ source: SOURCE, sourceName: 'ai-conversation.yaml' }]);
  const { id } = await runloom.runs.start('ai-conversation', { name: 'Grace' });
  const opened = await runloom.runs.wait(id, (s) => s.reason === 'waiting_for_message');
  return { runloom, model, id, opened };
}

describe('examples/ai-conversation.yaml', () => {
  it('the desk opens, the patient answers, the desk ends it with the slot agreed', async () => {
    const { runloom, model, id, opened } = await desk([
      { text: 'Hello Grace! We have Mon 9:00, Tue 14:00 or Thu 11:30.' },
      { text: 'Tue 14:00 it is.', tools: [{ name: 'end_conversation', input: { slot: 'Tue 14:00' } }] },
    ]);
    expect(opened.waitingOn[0]).toMatchObject({ nodeId: 'desk', said: 'Hello Grace! We have Mon 9:00, Tue 14:00 or Thu 11:30.' });
    const prompt = JSON.stringify(model.doStreamCalls[0].prompt);
    expect(prompt).toContain('Grace would like an appointment');
    expect(prompt).toContain('Lindenhof');
    await runloom.runs.say(id, 'desk', 'Tuesday afternoon would suit me');
    const done = await runloom.runs.wait(id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ slot: 'Tue 14:00', ended: 'model', turns: 2 });
  });

  it('the patient may end it: the run completes with no slot', async () => {
    const { runloom, id } = await desk([{ text: 'Hello Grace, when would suit you?' }]);
    await runloom.runs.say(id, 'desk', 'Actually, never mind', { end: true });
    const done = await runloom.runs.wait(id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ ended: 'person', turns: 1 });
  });
});
