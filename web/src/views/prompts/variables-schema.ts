/** A prompt's typed variables as the JSON Schema the shared form draws: one field each, with its default. */
import type { PromptVersion } from '../../api/prompt-types';
import type { JsonSchema } from '../../api/types';

/** `values` (a run's own) stand in for the template's defaults, so the form starts from what the run uses. */
export function variablesSchema(version: PromptVersion, values: Readonly<Record<string, unknown>> = {}): JsonSchema {
  const variables = Object.entries(version.definition.variables ?? {});
  return {
    type: 'object',
    properties: Object.fromEntries(
      variables.map(([name, variable]) => [name, name in values ? { ...variable, default: values[name] } : { ...variable }]),
    ),
  };
}
