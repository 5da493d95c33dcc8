/**
 * The model and its tools, round after round: the model answers; when it asks for tools, they
 * run one after another in the order asked, each with its own idempotency key
 * `runId:nodeId:attempt:branch:round:call`, and their results go back to it. Every answer and
 * every outcome passes through the step's journal, so a round done before a crash is folded,
 * not done again. Shared by the reasoning and conversational strategies.
 */
import type { ModelMessage, ToolSet } from 'ai';
import type { ActionRegistry } from '../actions/registry.js';
import { RunloomError } from '../errors.js';
import type { StepRequest } from '../runtime/executors.js';
import type { StepJournal } from './journal.js';
import type { ToolCallRecord } from './meter.js';
import { callModel, type ModelAnswer } from './model-call.js';
import type { ModelEntry } from './models.js';
import { type ActionTools, runTool } from './tools.js';

export interface ToolLoopSettings {
  readonly request: StepRequest;
  readonly entry: ModelEntry;
  readonly actions: ActionRegistry;
  readonly journal: StepJournal;
  readonly now: () => number;
  readonly system?: string;
  /** The actions offered as tools, if any. */
  readonly tools?: ActionTools;
  /** Tools the strategy answers itself (end_conversation): offered, never run as actions. */
  readonly ownTools?: ToolSet;
  readonly maxToolRounds: number;
  readonly maxOutputTokens?: number;
  readonly onText?: (delta: string) => void;
}

export class ToolLoop {
  /** Rounds (answers that asked for tools) so far in the step: the `round` of the keys. */
  private round = 0;
  /** Where the current turn's rounds started (maxToolRounds bounds a turn; reasoning has one). */
  private turnStart = 0;
  private readonly toolSet: ToolSet | undefined;

  constructor(private readonly settings: ToolLoopSettings) {
    const tools = { ...settings.tools?.set, ...settings.ownTools };
    this.toolSet = Object.keys(tools).length > 0 ? tools : undefined;
  }

  /** A conversation's next turn gets maxToolRounds of its own. */
  newTurn(): void {
    this.turnStart = this.round;
  }

  /**
   * Answers until one asks for no tool — or asks for one of `ownTools`, which ends the loop
   * with it unrun. `messages` grows with the answers and tool results on the way.
   */
  async answer(messages: ModelMessage[]): Promise<ModelAnswer> {
    const s = this.settings;
    for (;;) {
      const answer = await s.journal.answer(() =>
        callModel({
          entry: s.entry,
          ...(s.system ? { system: s.system } : {}),
          messages,
          ...(this.toolSet ? { tools: this.toolSet } : {}),
          ...(s.maxOutputTokens ? { maxOutputTokens: s.maxOutputTokens } : {}),
          signal: s.request.signal,
          now: s.now,
          ...(s.onText ? { onText: s.onText } : {}),
        }),
      );
      if (answer.toolCalls.length === 0 || answer.toolCalls.some((c) => s.ownTools?.[c.tool])) return answer;
      if (this.round - this.turnStart >= s.maxToolRounds) {
        throw new RunloomError(
          'AI_MAX_TOOL_ROUNDS',
          `ai step '${s.request.nodeId}' still asked for tools after ${s.maxToolRounds} rounds (maxToolRounds)`,
        );
      }
      this.round++;
      messages.push(assistantMessage(answer));
      const results: Extract<ModelMessage, { role: 'tool' }>['content'] = [];
      for (const [k, call] of answer.toolCalls.entries()) {
        const record = await s.journal.tool(() => this.runCall(this.round, k + 1, call.tool, call.input));
        results.push({
          type: 'tool-result',
          toolCallId: call.id,
          toolName: call.tool,
          output: record.ok
            ? { type: 'json', value: (record.output ?? null) as never }
            : { type: 'error-text', value: record.error ?? 'failed' },
        });
      }
      messages.push({ role: 'tool', content: results });
    }
  }

  private async runCall(round: number, call: number, toolName: string, input: unknown): Promise<ToolCallRecord> {
    const s = this.settings;
    const key = `${s.request.idempotencyKey}:${round}:${call}`;
    const action = s.tools?.actionOf(toolName);
    const outcome = await runTool(s.actions, s.request, action, toolName, input, key);
    return {
      round,
      call,
      tool: action ?? toolName,
      idempotencyKey: key,
      input,
      ok: outcome.ok,
      ...(outcome.ok ? { output: outcome.output } : { error: outcome.error }),
      credits: outcome.cost,
    };
  }
}

/** The model's answer as the assistant's message: its text and the tool calls it asked for. */
export function assistantMessage(answer: ModelAnswer): ModelMessage {
  return {
    role: 'assistant',
    content: [
      ...(answer.text ? [{ type: 'text' as const, text: answer.text }] : []),
      ...answer.toolCalls.map((c) => ({ type: 'tool-call' as const, toolCallId: c.id, toolName: c.tool, input: c.input })),
    ],
  };
}
