/**
 * What an AI step spent, call by call: the detail recorded on the step (model, strategy and
 * why, tokens in/out, credits, time to first token, duration, tool calls). Credits are whole
 * numbers per call and per tool, so the step's cost is their exact sum.
 */
import type { StepDetail } from '../engine/types.js';
import type { ModelAnswer } from './model-call.js';
import type { ModelEntry } from './models.js';
import type { StrategyChoice } from './strategy.js';

export interface ToolCallRecord {
  readonly round: number;
  readonly call: number;
  readonly tool: string;
  readonly idempotencyKey: string;
  readonly input: unknown;
  readonly ok: boolean;
  readonly output?: unknown;
  readonly error?: string;
  readonly credits: number;
}

export class StepMeter {
  calls = 0;
  tokensIn = 0;
  tokensOut = 0;
  modelCredits = 0;
  toolCredits = 0;
  ttftMs: number | undefined = undefined;
  usageEstimated = false;
  readonly toolCalls: ToolCallRecord[] = [];
  private readonly startedAt: number;

  constructor(
    readonly strategy: StrategyChoice,
    readonly entry: ModelEntry | undefined,
    private readonly now: () => number,
  ) {
    this.startedAt = now();
  }

  addAnswer(answer: ModelAnswer): void {
    this.calls++;
    this.tokensIn += answer.inputTokens;
    this.tokensOut += answer.outputTokens;
    this.modelCredits += answer.credits;
    this.usageEstimated ||= answer.usageEstimated;
    // Time to the first token of the step: the first call's.
    this.ttftMs ??= answer.ttftMs;
  }

  addTool(record: ToolCallRecord): void {
    this.toolCalls.push(record);
    this.toolCredits += record.credits;
  }

  get credits(): number {
    return this.modelCredits + this.toolCredits;
  }

  detail(extra: Record<string, unknown> = {}): StepDetail {
    const detail: Record<string, unknown> = { strategy: this.strategy.name, strategyReason: this.strategy.reason };
    if (this.entry) {
      detail.model = this.entry.name;
      detail.provider = this.entry.provider;
      detail.modelId = this.entry.modelId;
      detail.modelCalls = this.calls;
      detail.tokensIn = this.tokensIn;
      detail.tokensOut = this.tokensOut;
      if (this.usageEstimated) detail.usageEstimated = true;
      detail.ttftMs = this.ttftMs ?? 0;
    }
    detail.credits = this.credits;
    detail.durationMs = this.now() - this.startedAt;
    if (this.toolCalls.length > 0) detail.toolCalls = this.toolCalls;
    return { ...detail, ...extra };
  }
}
