/**
 * `bpmn.script`: the action an imported BPMN script task calls (importBpmn with
 * `scriptAction: SCRIPT_ACTION`, or a Runloom made with `bpmnScripts`). It runs the task's
 * JavaScript in the ScriptSandbox with the scope bpmn-engine gives a script:
 * `environment.variables` (also `environment.output`) holds the process variables, `content`
 * the activity, `next(error, result)` ends the task, `new BpmnError(message, { errorCode })`
 * fails it with a code an error boundary catches, `logger` writes to the step's log. It returns
 * the variables the script changed, which the task merges into the run's vars (`mergeOutput`).
 * A script gets no services, timers, network or files.
 */
import { z } from 'zod';
import { defineAction } from '../../actions/action.js';
import { RunloomError } from '../../errors.js';
import { type ScriptLimits, ScriptSandbox } from './sandbox.js';

export const SCRIPT_ACTION = 'bpmn.script';

const scriptInput = z.object({
  /** The script's text. */
  script: z.string(),
  /** The element it comes from, shown to the script as `content`. */
  element: z.object({ id: z.string(), type: z.string() }),
  /** The process variables: the run's input merged with its vars. */
  variables: z.record(z.string(), z.unknown()).default({}),
  /** Where `next(null, result)` goes among the variables (camunda:resultVariable). */
  resultVariable: z.string().optional(),
});

const failure = (code: string, message: string, details: Record<string, unknown>) =>
  new RunloomError(code, message, { retryable: false, details });

export function scriptAction(sandbox: ScriptSandbox) {
  return defineAction({
    name: SCRIPT_ACTION,
    description: 'Runs a BPMN script task (JavaScript) in a sandbox with time and memory limits',
    input: scriptInput,
    cost: 0,
    async run({ script, element, variables, resultVariable }, ctx) {
      const outcome = await sandbox.run(script, { variables, content: { ...element } });
      const where = { element: element.id };
      if (outcome.kind !== 'done') {
        const code = outcome.kind === 'timeout' ? 'SCRIPT_TIMEOUT' : outcome.kind === 'memory' ? 'SCRIPT_MEMORY' : 'SCRIPT_ERROR';
        throw failure(code, `script '${element.id}'${outcome.kind === 'thrown' ? ' threw' : ''}: ${outcome.message}`, where);
      }
      for (const line of outcome.logs) ctx.log(line, undefined, 'info');
      if (outcome.error) {
        const { code, name, message } = outcome.error;
        // A BpmnError's code is what an error boundary matches on.
        throw failure(
          code ?? (name === 'BpmnError' ? 'BPMN_ERROR' : 'SCRIPT_ERROR'),
          `script '${element.id}': ${message}`,
          where,
        );
      }
      if (!outcome.called)
        throw failure(
          'SCRIPT_NO_NEXT',
          `script '${element.id}' ended without calling next(); a script ends its task with next()`,
          where,
        );
      return resultVariable ? { ...outcome.changed, [resultVariable]: outcome.result ?? null } : outcome.changed;
    },
  });
}

export { type ScriptLimits, ScriptSandbox };
