/**
 * A step's model text as it is written, published as live events (bus.ts LiveEvent) on the
 * run's follow stream: the CLI, the API's SSE and the UI show it while the step runs. Not
 * stored: the step's result keeps the final text.
 */
import type { StepRequest } from '../runtime/executors.js';
import type { AiExecutorOptions } from './executor.js';

/** The reasoning loop's `onText`, when there is a bus to publish on. */
export function withLiveText(request: StepRequest, options: AiExecutorOptions): { onText?: (text: string) => void } {
  const publish = options.publishLive;
  if (!publish) return {};
  const now = options.now ?? Date.now;
  const { runId, nodeId, attempt, item } = request;
  return {
    onText: (text) =>
      publish(runId, {
        type: 'step.text',
        live: true,
        at: now(),
        nodeId,
        attempt,
        ...(item === undefined ? {} : { item }),
        text,
      }),
  };
}
