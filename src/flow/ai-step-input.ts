/**
 * What an `ai` step receives: its evaluated `input`, its prompt and system text rendered against
 * the run, and the strategy configured for it by precedence (F4.3). Built by the engine when the
 * step starts, so it is logged with `step.started` and a retry or a replay sees the same text.
 *
 * Precedence: node > subflow call override > flow default > run option. `auto` at any level
 * means "decide for me" and lets the next level speak; the executor detects a strategy when no
 * level names one. A flow with `allowStrategyOverride: false` is refused overrides where they
 * are given (run start, subflow validation); they are ignored here too, for runs stored before.
 */
import { RequestError } from '../errors.js';
import type { CompiledTemplate, CompiledValue, ExprScope } from '../expr/types.js';
import type { CompiledFlow } from './compiled.js';
import { STRATEGIES } from './schema-common.js';

export type StrategySource = 'node' | 'subflow' | 'flow' | 'run';

export interface AiStepInput {
  readonly input: unknown;
  readonly prompt?: string;
  readonly system?: string;
  /** The strategy named by configuration and where it came from; absent = detect (auto). */
  readonly strategy?: { readonly name: string; readonly source: StrategySource };
}

export interface AiStepSettings {
  readonly input: CompiledValue;
  readonly prompt?: CompiledTemplate;
  readonly system?: CompiledTemplate;
  readonly nodeStrategy?: string;
  readonly flowStrategy?: string;
  readonly allowOverride: boolean;
}

/** A CompiledValue giving an ai step's input (see AiStepInput). Never constant: it reads the run. */
export function aiStepInput(settings: AiStepSettings): CompiledValue {
  return {
    isConstant: false,
    evaluate(scope: ExprScope): AiStepInput {
      const step: { -readonly [K in keyof AiStepInput]: AiStepInput[K] } = { input: settings.input.evaluate(scope) };
      if (settings.prompt) step.prompt = settings.prompt.render(scope);
      if (settings.system) step.system = settings.system.render(scope);
      const strategy = configuredStrategy(settings, scope.run);
      if (strategy) step.strategy = strategy;
      return step;
    },
  };
}

const named = (value: unknown): value is string => typeof value === 'string' && value !== 'auto';

export function configuredStrategy(
  settings: Pick<AiStepSettings, 'nodeStrategy' | 'flowStrategy' | 'allowOverride'>,
  run: ExprScope['run'],
): AiStepInput['strategy'] {
  if (named(settings.nodeStrategy)) return { name: settings.nodeStrategy, source: 'node' };
  const override = settings.allowOverride ? run?.strategy : undefined;
  const called = run?.parentRunId !== undefined;
  if (called && named(override)) return { name: override, source: 'subflow' };
  if (named(settings.flowStrategy)) return { name: settings.flowStrategy, source: 'flow' };
  if (!called && named(override)) return { name: override, source: 'run' };
  return undefined;
}

/**
 * A strategy given from outside the flow (a run option, a subflow call's override) must name a
 * strategy, and the flow must allow overrides. Throws RequestError naming what and where.
 */
export function checkStrategyOverride(flow: CompiledFlow, strategy: unknown, where: string): void {
  if (strategy === undefined) return;
  if (typeof strategy !== 'string' || !(STRATEGIES as readonly string[]).includes(strategy)) {
    throw new RequestError(
      'BAD_REQUEST',
      `${where}: strategy must be one of ${STRATEGIES.join(', ')}, not ${JSON.stringify(strategy)}`,
    );
  }
  if (!flow.allowStrategyOverride) {
    throw new RequestError(
      'STRATEGY_OVERRIDE_REFUSED',
      `${where}: flow '${flow.id}' sets allowStrategyOverride: false, so strategy '${strategy}' cannot be imposed on it`,
    );
  }
}
