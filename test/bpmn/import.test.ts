/**
 * BPMN import: every mapped element becomes the runloom/v1 node it stands for, every refusal
 * names the element, its type and its line, and all of them come at once.
 */
import { describe, expect, it } from 'vitest';
import { type BpmnImportOptions, importBpmn } from '../../src/bpmn/import.js';
import { FlowInvalidError, type FlowProblem } from '../../src/errors.js';
import { validateFlow } from '../../src/flow/index.js';
import { bpmn } from './support.js';

type Node = { id: string; type: string; [key: string]: unknown };
const byId = (nodes: unknown) => new Map((nodes as Node[]).map((n) => [n.id, n]));

async function refusals(xml: string, options: BpmnImportOptions = {}): Promise<readonly FlowProblem[]> {
  try {
    await importBpmn(xml, { ...options, sourceName: 'x.bpmn' });
  } catch (error) {
    expect(error).toBeInstanceOf(FlowInvalidError);
    return (error as FlowInvalidError).problems;
  }
  throw new Error('expected the import to refuse the file');
}

const lineOf = (xml: string, id: string) => xml.slice(0, xml.indexOf(`id="${id}"`)).split('\n').length;

const ALL_MAPPED = bpmn(
  `
    <bpmn:laneSet><bpmn:lane id="sales" name="Sales"><bpmn:flowNodeRef>review</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:task id="plain" name="Plain" />
    <bpmn:serviceTask id="charge" runloom:action="log" camunda:resultVariable="receipt" />
    <bpmn:sendTask id="notify" implementation="\${environment.services.log}" />
    <bpmn:businessRuleTask id="score" camunda:expression="\${services.log}" />
    <bpmn:userTask id="review" />
    <bpmn:manualTask id="sign" />
    <bpmn:receiveTask id="reply" messageRef="m1" />
    <bpmn:exclusiveGateway id="route" default="toLow" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:inclusiveGateway id="either" />
    <bpmn:eventBasedGateway id="race" />
    <bpmn:intermediateCatchEvent id="nap"><bpmn:timerEventDefinition><bpmn:timeDuration>PT0.05S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="msg"><bpmn:messageEventDefinition messageRef="m1" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="sig"><bpmn:signalEventDefinition signalRef="s1" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateThrowEvent id="mark" />
    <bpmn:callActivity id="call" calledElement="billing" />
    <bpmn:serviceTask id="each" runloom:action="log">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="\${variables.items}" />
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="slow" attachedToRef="review" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="declined" attachedToRef="charge"><bpmn:errorEventDefinition errorRef="e1" /></bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="stop" attachedToRef="sign"><bpmn:signalEventDefinition signalRef="s1" /></bpmn:boundaryEvent>
    <bpmn:subProcess id="scope">
      <bpmn:startEvent id="scopeStart" />
      <bpmn:task id="inner" />
      <bpmn:endEvent id="scopeEnd" />
      <bpmn:sequenceFlow id="s1f" sourceRef="scopeStart" targetRef="inner" />
      <bpmn:sequenceFlow id="s2f" sourceRef="inner" targetRef="scopeEnd" />
    </bpmn:subProcess>
    <bpmn:endEvent id="done" />
    <bpmn:endEvent id="kill"><bpmn:terminateEventDefinition /></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="plain" />
    <bpmn:sequenceFlow id="f2" sourceRef="plain" targetRef="route" />
    <bpmn:sequenceFlow id="toHigh" sourceRef="route" targetRef="charge"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${environment.variables.amount > 100}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="toLow" sourceRef="route" targetRef="notify" />
    <bpmn:sequenceFlow id="f3" sourceRef="charge" targetRef="fork" />
    <bpmn:sequenceFlow id="f4" sourceRef="notify" targetRef="charge" />
    <bpmn:sequenceFlow id="f5" sourceRef="fork" targetRef="score" />
    <bpmn:sequenceFlow id="f6" sourceRef="fork" targetRef="review" />
    <bpmn:sequenceFlow id="f7" sourceRef="score" targetRef="either" />
    <bpmn:sequenceFlow id="f8" sourceRef="review" targetRef="either" />
    <bpmn:sequenceFlow id="f9" sourceRef="either" targetRef="race" />
    <bpmn:sequenceFlow id="f10" sourceRef="race" targetRef="nap" />
    <bpmn:sequenceFlow id="f11" sourceRef="race" targetRef="msg" />
    <bpmn:sequenceFlow id="f12" sourceRef="nap" targetRef="sign" />
    <bpmn:sequenceFlow id="f13" sourceRef="msg" targetRef="sign" />
    <bpmn:sequenceFlow id="f14" sourceRef="sign" targetRef="reply" />
    <bpmn:sequenceFlow id="f15" sourceRef="reply" targetRef="sig" />
    <bpmn:sequenceFlow id="f16" sourceRef="sig" targetRef="mark" />
    <bpmn:sequenceFlow id="f17" sourceRef="mark" targetRef="call" />
    <bpmn:sequenceFlow id="f18" sourceRef="call" targetRef="each" />
    <bpmn:sequenceFlow id="f19" sourceRef="each" targetRef="scope" />
    <bpmn:sequenceFlow id="f20" sourceRef="scope" targetRef="done" />
    <bpmn:sequenceFlow id="f21" sourceRef="slow" targetRef="done" />
    <bpmn:sequenceFlow id="f22" sourceRef="declined" targetRef="kill" />
    <bpmn:sequenceFlow id="f23" sourceRef="stop" targetRef="kill" />
`,
  `<bpmn:message id="m1" name="reply" /><bpmn:signal id="s1" name="stop-now" /><bpmn:error id="e1" errorCode="DECLINED" />
  <bpmn:process id="billing" isExecutable="false"><bpmn:task id="bill" /></bpmn:process>`,
);

describe('BPMN import: mapped elements', () => {
  it('maps every supported element onto its runloom/v1 node, and the flow validates', async () => {
    const { flow, called, warnings } = await importBpmn(ALL_MAPPED, { sourceName: 'all.bpmn' });
    const nodes = byId(flow.nodes);
    const type = (id: string) => nodes.get(id)?.type;
    expect(flow.id).toBe('proc');
    expect(type('start')).toBe('start');
    expect(nodes.get('plain')).toMatchObject({ type: 'task', action: 'set', name: 'Plain' });
    expect(nodes.get('charge')).toMatchObject({ type: 'task', action: 'log', output: 'receipt' });
    expect(nodes.get('notify')).toMatchObject({ type: 'task', action: 'log' });
    expect(nodes.get('score')).toMatchObject({ type: 'task', action: 'log' });
    expect(nodes.get('review')).toMatchObject({ type: 'wait', description: 'lane: Sales' });
    expect(nodes.get('sign')).toMatchObject({ type: 'wait' });
    expect(nodes.get('reply')).toMatchObject({ type: 'wait', signal: 'reply' });
    expect([type('route'), type('fork'), type('either'), type('race')]).toEqual(['decision', 'parallel', 'inclusive', 'race']);
    expect(nodes.get('nap')).toMatchObject({ type: 'timer', duration: '50ms' });
    expect(nodes.get('msg')).toMatchObject({ type: 'wait', signal: 'reply' });
    expect(nodes.get('sig')).toMatchObject({ type: 'wait', signal: 'stop-now' });
    expect(type('mark')).toBe('parallel'); // a none throw event passes the token on
    expect(nodes.get('call')).toMatchObject({ type: 'subflow', flow: 'billing' });
    expect(nodes.get('each')).toMatchObject({
      type: 'map',
      concurrency: 1,
      items: '=($exists(vars.items) ? vars.items : input.items)',
      do: { type: 'task', action: 'log', input: { item: '=item' } },
    });
    expect(nodes.get('review')?.boundary).toEqual([{ on: 'timer', after: '3600000ms', to: 'slow', interrupting: false }]);
    expect(nodes.get('charge')?.boundary).toEqual([{ on: 'error', code: 'DECLINED', to: 'declined' }]);
    expect(nodes.get('sign')?.boundary).toEqual([{ on: 'signal', signal: 'stop-now', to: 'stop' }]);
    // The sub-process is a scope: in at its start event, out through a join named after it.
    expect(type('scope')).toBe('inclusive');
    expect(type('scopeEnd')).toBe('decision');
    expect(flow.edges).toContainEqual({ from: 'each', to: 'scopeStart' });
    expect(flow.edges).toContainEqual({ from: 'scopeEnd', to: 'scope' });
    expect(nodes.get('kill')).toMatchObject({ type: 'end', terminate: true });
    expect(flow.edges).toContainEqual({ from: 'route', to: 'notify', default: true });
    expect(flow.edges).toContainEqual({
      from: 'route',
      to: 'charge',
      when: '($exists(vars.amount) ? vars.amount : input.amount) > 100',
    });
    expect(called.map((c) => c.id)).toEqual(['billing']);
    expect(warnings).toEqual([]);
    const { problems } = validateFlow(flow, { flows: { has: (id) => id === 'billing' } });
    expect(problems).toEqual([]);
  });

  it('starts every element no flow enters, and ends every token that has no way out (as BPMN engines do)', async () => {
    const { flow } = await importBpmn(bpmn('<bpmn:task id="a" /><bpmn:task id="b" />'));
    expect(flow.nodes).toEqual([
      { id: 'start', type: 'start' },
      { id: 'a', type: 'task', action: 'set', input: {} },
      { id: 'b', type: 'task', action: 'set', input: {} },
      { id: 'end', type: 'end' },
    ]);
    expect(flow.edges).toEqual([
      { from: 'start', to: 'a' },
      { from: 'start', to: 'b' },
      { from: 'a', to: 'end' },
      { from: 'b', to: 'end' },
    ]);
  });

  it('names the nodes it adds so that they never take an id of the file', async () => {
    const { flow } = await importBpmn(bpmn('<bpmn:task id="start" /><bpmn:task id="end" />'));
    expect((flow.nodes as Node[]).map((n) => n.id)).toEqual(['_start', 'start', 'end', '_end']);
  });

  it('ignores a condition on a flow out of a parallel gateway (BPMN), with a warning naming it', async () => {
    const { warnings } = await importBpmn(
      bpmn(`<bpmn:startEvent id="s" /><bpmn:parallelGateway id="g" /><bpmn:endEvent id="e" />
        <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="g" />
        <bpmn:sequenceFlow id="b" sourceRef="g" targetRef="e"><bpmn:conditionExpression>\${x}</bpmn:conditionExpression></bpmn:sequenceFlow>`),
    );
    expect(warnings.map((w) => w.message)).toEqual([
      "sequenceFlow 'b': a condition on a flow out of a parallel gateway is ignored (BPMN)",
    ]);
  });
});

describe('BPMN import: refusals', () => {
  const REFUSED = bpmn(`
    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="calc" scriptFormat="JavaScript"><bpmn:script>next()</bpmn:script></bpmn:scriptTask>
    <bpmn:complexGateway id="complex" />
    <bpmn:intermediateThrowEvent id="linkOut"><bpmn:linkEventDefinition name="nowhere" /></bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="cond"><bpmn:conditionalEventDefinition><bpmn:condition>\${x}</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:intermediateThrowEvent id="shout"><bpmn:messageEventDefinition /></bpmn:intermediateThrowEvent>
    <bpmn:intermediateThrowEvent id="escalate"><bpmn:escalationEventDefinition /></bpmn:intermediateThrowEvent>
    <bpmn:transaction id="tx" />
    <bpmn:task id="again"><bpmn:standardLoopCharacteristics /></bpmn:task>
    <bpmn:boundaryEvent id="undo" attachedToRef="again"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
    <bpmn:userTask id="many"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>
    <bpmn:serviceTask id="anon" />
    <bpmn:endEvent id="fail"><bpmn:messageEventDefinition /></bpmn:endEvent>
    <bpmn:sequenceFlow id="js" sourceRef="start" targetRef="fail"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="javascript">next(null, Math.random() &gt; 0.5)</bpmn:conditionExpression></bpmn:sequenceFlow>
  `);

  it('refuses every unsupported element at once, naming its id, its type and its line', async () => {
    const problems = await refusals(REFUSED);
    const expected: [string, string][] = [
      ['calc', "scriptTask 'calc': a script task runs JavaScript code from the file"],
      ['complex', "complexGateway 'complex': this element is not supported"],
      ['linkOut', "intermediateThrowEvent 'linkOut': no link catch event named 'nowhere' in the same process to go on at"],
      ['cond', "intermediateCatchEvent 'cond': conditional catch events are not supported"],
      ['shout', "intermediateThrowEvent 'shout': message throw events are not supported"],
      ['escalate', "intermediateThrowEvent 'escalate': escalation throw events are not supported"],
      ['tx', "transaction 'tx': this element is not supported"],
      ['again', "task 'again': a standard loop needs a loopCondition (it would loop for ever)"],
      ['undo', "boundaryEvent 'undo': compensate boundary events are not supported"],
      ['anon', "serviceTask 'anon': names no action"],
      ['fail', "endEvent 'fail': message end events are not supported"],
      ['js', "sequenceFlow 'js': a JavaScript condition runs code"],
    ];
    for (const [id, message] of expected) {
      const found = problems.find((p) => p.message.startsWith(message));
      expect(found, `${id}: ${problems.map((p) => p.message).join('\n')}`).toBeDefined();
      expect(found?.path).toBe(`line ${lineOf(REFUSED, id)}`);
      expect(found?.code).toBe('BPMN_UNSUPPORTED');
    }
    // Every problem once, none left out.
    expect(problems).toHaveLength(expected.length);
  });

  it('runs a script task only through a script action the host configures; the variables it sets are merged into vars', async () => {
    const xml = bpmn(
      '<bpmn:scriptTask id="calc" scriptFormat="JavaScript" camunda:resultVariable="sum"><bpmn:script>next()</bpmn:script></bpmn:scriptTask>',
    );
    const { flow } = await importBpmn(xml, { scriptAction: 'sandbox.js' });
    expect(byId(flow.nodes).get('calc')).toEqual({
      id: 'calc',
      type: 'task',
      action: 'sandbox.js',
      input: {
        script: 'next()',
        element: { id: 'calc', type: 'scriptTask' },
        variables: '=$merge([input, vars])',
        resultVariable: 'sum',
      },
      mergeOutput: true,
    });
    const python = bpmn('<bpmn:scriptTask id="py" scriptFormat="python"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>');
    expect((await refusals(python, { scriptAction: 'sandbox.js' })).map((p) => p.message)).toEqual([
      'scriptTask \'py\': scriptFormat "python" is not JavaScript, the one language the script runner runs',
    ]);
  });

  it('translates a JavaScript condition that only reads environment.variables; refuses one reading outside a script scope', async () => {
    const flowWith = (condition: string) =>
      bpmn(`<bpmn:startEvent id="s" /><bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="c" sourceRef="s" targetRef="e"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="JavaScript">${condition}</bpmn:conditionExpression></bpmn:sequenceFlow>`);
    const { flow } = await importBpmn(
      flowWith('next(null, !this.environment.variables.stop &amp;&amp; environment.output.n &lt; 2);'),
    );
    expect(flow.edges).toEqual([
      {
        from: 's',
        to: 'e',
        when: '(($exists(vars.stop) ? vars.stop : input.stop) ? false : true) and ($exists(vars.n) ? vars.n : input.n) < 2',
      },
    ]);
    const problems = await refusals(flowWith('this.variables.input &lt; 2'));
    expect(problems.map((p) => p.message)).toEqual([
      "sequenceFlow 'c': this JavaScript condition reads `this.variables.input`, which is not in a script's scope (bpmn-engine fails on it); read environment.variables.<name>",
    ]);
  });

  it('a standard loop is a decision after the activity (before it with testBefore) going back while the loopCondition holds', async () => {
    const looped = (attrs: string) =>
      bpmn(`<bpmn:startEvent id="s" /><bpmn:endEvent id="e" />
    <bpmn:task id="work"><bpmn:standardLoopCharacteristics${attrs}><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">\${n &lt; 3}</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:task>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work" /><bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e" />`);
    const when = '($exists(vars.n) ? vars.n : input.n) < 3';
    const after = await importBpmn(looped(''));
    expect(byId(after.flow.nodes).get('work_loop')).toEqual({ id: 'work_loop', type: 'decision' });
    expect(after.flow.edges).toEqual([
      { from: 's', to: 'work' },
      { from: 'work', to: 'work_loop' },
      { from: 'work_loop', to: 'work', when },
      { from: 'work_loop', to: 'e', default: true },
    ]);
    expect(validateFlow(after.flow).problems).toEqual([]);
    const before = await importBpmn(looped(' testBefore="true"'));
    expect(before.flow.edges).toEqual([
      { from: 's', to: 'work_loop' },
      { from: 'work', to: 'work_loop' },
      { from: 'work_loop', to: 'work', when },
      { from: 'work_loop', to: 'e', default: true },
    ]);
    expect((await refusals(looped(' loopMaximum="5"'))).map((p) => p.message)).toEqual([
      "task 'work': a standard loop with loopMaximum is not supported; bound the loop in its loopCondition",
    ]);
  });

  it('a link throw event goes on at the link catch event of the same name (a go-to drawn as two events)', async () => {
    const xml = bpmn(`
    <bpmn:startEvent id="s" /><bpmn:task id="a" />
    <bpmn:intermediateThrowEvent id="toB"><bpmn:linkEventDefinition name="B" /></bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="atB"><bpmn:linkEventDefinition name="B" /></bpmn:intermediateCatchEvent>
    <bpmn:task id="b" /><bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a" /><bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="toB" />
    <bpmn:sequenceFlow id="f3" sourceRef="atB" targetRef="b" /><bpmn:sequenceFlow id="f4" sourceRef="b" targetRef="e" />`);
    const { flow } = await importBpmn(xml);
    expect(byId(flow.nodes).get('toB')).toEqual({ id: 'toB', type: 'parallel' });
    expect(byId(flow.nodes).get('atB')).toEqual({ id: 'atB', type: 'parallel' });
    expect(flow.edges).toContainEqual({ from: 'toB', to: 'atB' });
    expect(flow.nodes[0]).toEqual({ id: 's', type: 'start' });
    expect(validateFlow(flow).problems).toEqual([]);
    const twice = xml.replace(
      '<bpmn:task id="b" />',
      '<bpmn:intermediateCatchEvent id="again"><bpmn:linkEventDefinition name="B" /></bpmn:intermediateCatchEvent><bpmn:task id="b" />',
    );
    expect((await refusals(twice)).map((p) => p.message)).toEqual([
      "intermediateCatchEvent 'again': another link catch event is named 'B' in the same process",
    ]);
  });

  it('runs every executable process, and the participants messages start, as one flow: message flows become edges', async () => {
    const file = (flows: string) => `<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:collaboration id="c">${flows}</bpmn:collaboration>
  <bpmn:process id="one" isExecutable="true">
    <bpmn:startEvent id="s1" /><bpmn:task id="a" /><bpmn:intermediateCatchEvent id="reply"><bpmn:messageEventDefinition /></bpmn:intermediateCatchEvent><bpmn:endEvent id="e1" />
    <bpmn:sequenceFlow id="f1" sourceRef="s1" targetRef="a" /><bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="reply" /><bpmn:sequenceFlow id="f3" sourceRef="reply" targetRef="e1" />
  </bpmn:process>
  <bpmn:process id="two" isExecutable="true"><bpmn:task id="b" /></bpmn:process>
  <bpmn:process id="listener" isExecutable="false">
    <bpmn:startEvent id="heard"><bpmn:messageEventDefinition /></bpmn:startEvent><bpmn:task id="answer" />
    <bpmn:sequenceFlow id="p1" sourceRef="heard" targetRef="answer" />
  </bpmn:process>
  <bpmn:process id="other" isExecutable="false"><bpmn:task id="x" /></bpmn:process>
</bpmn:definitions>`;
    const { flow } = await importBpmn(
      file(
        '<bpmn:messageFlow id="m1" sourceRef="a" targetRef="heard" /><bpmn:messageFlow id="m2" sourceRef="answer" targetRef="reply" />',
      ),
    );
    expect(flow.id).toBe('one');
    const nodes = byId(flow.nodes);
    expect(nodes.get('reply')).toEqual({ id: 'reply', type: 'parallel' });
    expect(nodes.get('heard')).toEqual({ id: 'heard', type: 'parallel' });
    expect(nodes.has('x')).toBe(false);
    expect(flow.edges).toEqual(
      expect.arrayContaining([
        { from: 'start', to: 's1' },
        { from: 'start', to: 'b' },
        { from: 'a', to: 'heard' },
        { from: 'answer', to: 'reply' },
      ]),
    );
    expect(validateFlow(flow).problems).toEqual([]);
    const refused = await refusals(
      file(
        '<bpmn:messageFlow id="toTask" sourceRef="a" targetRef="b" /><bpmn:messageFlow id="fromOutside" sourceRef="x" targetRef="reply" />',
      ),
    );
    expect(refused.map((p) => `${p.path} ${p.message}`)).toEqual([
      "line 3 messageFlow 'fromOutside': a message flow to or from a process that does not run with this one (each process is a run of its own); send the message to the run as a signal (`runloom runs signal`)",
      "line 3 messageFlow 'toTask': a message flow is run only into a message start event or a message catch event",
    ]);
    const notXml = await refusals('<bpmn:definitions><oops');
    expect(notXml[0]).toMatchObject({ code: 'BPMN_PARSE' });
    expect(notXml[0].message).toMatch(/^not BPMN 2.0 XML: /);
  });
});
