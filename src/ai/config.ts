/**
 * `runloom.config.yaml`: named models, the `default` one, prices and the credit rate (F4.1,
 * F4.4). Looked up in the working directory; `--config <file>` or RUNLOOM_CONFIG name another.
 * API keys are never in the file: a model names the environment variable that holds its key.
 *
 * @example
 * default: fast
 * creditsPerUsd: 100000          # 1 credit = 1/1000 US cent (the default)
 * models:
 *   fast: { provider: openai, model: gpt-4o-mini }
 *   local:
 *     provider: openai-compatible
 *     baseURL: http://127.0.0.1:11434/v1
 *     model: llama3.2
 *     price: { input: 0, output: 0 }
 *   replayed:                    # answers from a file: CI and offline examples
 *     provider: replay
 *     cassette: cassettes/ask.json
 *     record: local              # called when RUNLOOM_CASSETTES=record or auto
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { RunloomError } from '../errors.js';

export const CONFIG_FILE = 'runloom.config.yaml';

const price = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
});

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, like OPENAI_API_KEY');

const providerModel = z.strictObject({
  provider: z.enum(['openai', 'anthropic', 'openai-compatible']),
  /** The provider's model id (`gpt-4o-mini`, `claude-sonnet-4-5`, `llama3.2`). */
  model: z.string().min(1),
  /** openai-compatible: the server's `/v1` URL; openai/anthropic: a proxy. */
  baseURL: z.url().optional(),
  /** The environment variable holding the API key (never the key itself). */
  apiKeyEnv: envName.optional(),
  price: price.optional(),
});

/**
 * A model answered from a cassette file (see replay-model.ts): offline examples and CI. With
 * RUNLOOM_CASSETTES=record or auto, the calls it has no answer for go to the `record:` model.
 */
const replayModel = z.strictObject({
  provider: z.literal('replay'),
  /** The cassette file, relative to this config file. */
  cassette: z.string().min(1),
  /** The name of another model in this config to record from. */
  record: z.string().min(1).optional(),
  /** What a replayed call is charged (default: the record model's price, else free). */
  price: price.optional(),
});

const modelConfig = z.discriminatedUnion('provider', [providerModel, replayModel]);

export const configSchema = z.strictObject({
  default: z.string().min(1).optional(),
  creditsPerUsd: z.int().positive().optional(),
  models: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a model name is letters, digits, `_`, `.` or `-`'), modelConfig)
    .optional(),
});

export type ModelConfig = z.infer<typeof modelConfig>;
export type ProviderModelConfig = z.infer<typeof providerModel>;
export type ReplayModelConfig = z.infer<typeof replayModel>;
export type RunloomConfig = z.infer<typeof configSchema> & {
  /** Where the config came from, for messages; absent when there was no file. */
  readonly file?: string;
};

/**
 * The config file to read: `explicit` (flag), RUNLOOM_CONFIG, else `runloom.config.yaml` in
 * `cwd` if it exists. An explicit path that does not exist is an error; no file at all is an
 * empty config.
 */
export function loadConfig(explicit?: string, cwd = process.cwd(), env = process.env): RunloomConfig {
  const named = explicit ?? env.RUNLOOM_CONFIG;
  const file = named !== undefined ? resolve(cwd, named) : resolve(cwd, CONFIG_FILE);
  if (!existsSync(file)) {
    if (named !== undefined) throw new RunloomError('CONFIG_INVALID', `config file '${named}' does not exist`);
    return {};
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RunloomError('CONFIG_INVALID', `config file '${file}' cannot be read: ${(error as Error).message}`);
  }
  return parseConfig(text, file);
}

/**
 * For `runloom run <file>`: when neither a flag, RUNLOOM_CONFIG nor the working directory names
 * a config, the `runloom.config.yaml` beside the flow file (how examples/ ships its models).
 */
export function configBeside(flowFile: string, cwd = process.cwd(), env = process.env): string | undefined {
  if (env.RUNLOOM_CONFIG !== undefined || existsSync(resolve(cwd, CONFIG_FILE))) return undefined;
  const beside = resolve(cwd, dirname(flowFile), CONFIG_FILE);
  return existsSync(beside) ? beside : undefined;
}

/** Parses and checks a config text; every problem is named with its path. */
export function parseConfig(text: string, file: string): RunloomConfig {
  let data: unknown;
  try {
    data = parse(text) ?? {};
  } catch (error) {
    throw new RunloomError('CONFIG_INVALID', `${file}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    throw invalidConfig(
      file,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const config = parsed.data;
  const problems: string[] = [];
  const models = config.models ?? {};
  if (config.default !== undefined && !(config.default in models)) {
    problems.push(`default: names model '${config.default}', which is not under models`);
  }
  for (const [name, model] of Object.entries(models)) {
    if (model.provider === 'openai-compatible' && !model.baseURL) {
      problems.push(`models.${name}.baseURL: an openai-compatible model needs the server's URL`);
    }
    if (model.provider === 'replay' && model.record !== undefined) {
      const target = models[model.record];
      if (!target) problems.push(`models.${name}.record: names model '${model.record}', which is not under models`);
      else if (target.provider === 'replay') problems.push(`models.${name}.record: '${model.record}' is a replay model itself`);
    }
  }
  if (problems.length > 0) throw invalidConfig(file, problems);
  return { ...config, file };
}

/** Every problem of a config file, as lines of the message and as `details.problems` (the CLI prints those one by one). */
function invalidConfig(file: string, problems: readonly string[]): RunloomError {
  return new RunloomError('CONFIG_INVALID', `${file}: invalid config\n${problems.map((p) => `  ${p}`).join('\n')}`, {
    details: { file, problems },
  });
}
