/**
 * An AI step's work as durable units (issue 14 item 3): each model answer and each tool call's
 * outcome is recorded in the run's log (`step.progressed`, through `request.record`) before the
 * step goes on, so an execution after a crash — or after a person's message — folds what is
 * recorded instead of doing it again: a recorded answer is never asked for twice, a recorded
 * tool call never runs twice. The step's code runs the same way every time: it asks the journal
 * for the next answer, outcome or message in the order it needs them, and the journal hands the
 * recorded one while there is one, then does the work and records it.
 */
import type { StepUnit } from '../engine/types.js';
import { RunloomError } from '../errors.js';
import type { StepRequest } from '../runtime/executors.js';
import type { StepMeter, ToolCallRecord } from './meter.js';
import type { ModelAnswer } from './model-call.js';

/** A person's message to a conversation, as the engine records it (`message.received`). */
export interface PersonMessage {
  readonly text: string;
  /** The person ends the conversation. */
  readonly end?: boolean;
  readonly by?: string;
  readonly at: number;
}

export class StepJournal {
  /** Units folded from earlier executions so far. */
  replayed = 0;

  constructor(
    private readonly request: StepRequest,
    private readonly meter: StepMeter,
  ) {}

  /** The model's answer: the recorded one, else `ask()`'s, recorded (durable) before it is used. */
  async answer(ask: () => Promise<ModelAnswer>): Promise<ModelAnswer> {
    const recorded = this.take('model');
    const answer = recorded ? (recorded.answer as ModelAnswer) : await ask();
    // Metered before it is recorded: a recording refused (the step was cancelled) still cost it.
    this.meter.addAnswer(answer);
    if (!recorded) await this.request.record({ kind: 'model', answer });
    return answer;
  }

  /** A tool call's outcome: the recorded one, else `run()`'s, recorded before the loop goes on. */
  async tool(run: () => Promise<ToolCallRecord>): Promise<ToolCallRecord> {
    const recorded = this.take('tool');
    const call = recorded ? (recorded.call as ToolCallRecord) : await run();
    this.meter.addTool(call);
    if (!recorded) await this.request.record({ kind: 'tool', call });
    return call;
  }

  /** The person's next message, or undefined when it has not come yet (the step then waits for it). */
  message(): PersonMessage | undefined {
    return this.take('message') as PersonMessage | undefined;
  }

  private cursor = 0;

  private take(kind: string): StepUnit | undefined {
    const unit = this.request.journal[this.cursor];
    if (unit === undefined) return undefined;
    if (unit.kind !== kind) {
      // The step's code is deterministic over its journal; this is a journal from other code.
      throw new RunloomError(
        'AI_JOURNAL_MISMATCH',
        `step '${this.request.nodeId}': unit ${this.cursor + 1} of its journal is a ${unit.kind}, where this step expects a ${kind}`,
      );
    }
    this.cursor++;
    this.replayed++;
    return unit;
  }
}

/** The text of the model's last answer in a journal (what a conversation waiting for the person said last). */
export function lastReply(journal: readonly StepUnit[] | undefined): string | undefined {
  for (let i = (journal?.length ?? 0) - 1; i >= 0; i--) {
    const unit = (journal as readonly StepUnit[])[i];
    if (unit.kind === 'model' && (unit.answer as ModelAnswer).text) return (unit.answer as ModelAnswer).text;
  }
  return undefined;
}
