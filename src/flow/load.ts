/** Parse + validate + compile in one call: what the CLI, the API and tests use. */
import type { ActionCatalog } from '../actions/action.js';
import { FlowInvalidError } from '../errors.js';
import { compileFlow } from './compile.js';
import type { CompiledFlow } from './compiled.js';
import { parseFlowText } from './parse.js';
import { validateFlow } from './validate.js';
import type { FlowCatalog } from './validate-references.js';

export interface LoadFlowOptions {
  /** Names the source in errors; its extension (`.json`) picks the parser for text. */
  readonly sourceName?: string;
  readonly actions?: ActionCatalog;
  readonly flows?: FlowCatalog;
  /** Version number to stamp on the compiled flow (default 1). */
  readonly version?: number;
}

/**
 * Loads a flow from text (JSON or YAML) or an already parsed object.
 *
 * @example
 * const flow = loadFlow(await readFile('onboarding.yaml', 'utf8'), { sourceName: 'onboarding.yaml', actions });
 * @throws FlowInvalidError carrying every problem found.
 */
export function loadFlow(source: string | object, options: LoadFlowOptions = {}): CompiledFlow {
  const { sourceName, actions, flows, version = 1 } = options;
  const raw = typeof source === 'string' ? parseFlowText(source, sourceName) : source;
  const { flow, problems } = validateFlow(raw, { actions, flows });
  if (!flow) throw new FlowInvalidError(problems, sourceName);
  return compileFlow(flow, version, { actions });
}
