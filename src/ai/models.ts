/**
 * The models a process can use: named entries with their price, from the config file and/or
 * given to `createRunloom({ models })` directly (tests pass the AI SDK's mock models). Nothing
 * else in the code builds a provider (F4.1). Provider objects are made on first use, so a
 * missing API key fails the step that needs it, with the variable named, not the start-up.
 */
import { dirname, resolve } from 'node:path';
import type { LanguageModel } from 'ai';
import { RunloomError } from '../errors.js';
import { CASSETTE_MODES, Cassette, type CassetteMode } from './cassette.js';
import type { ProviderModelConfig, ReplayModelConfig, RunloomConfig } from './config.js';
import { DEFAULT_CREDITS_PER_USD, KNOWN_PRICES, type Price, type Pricing, pricing } from './pricing.js';

/** A language model object (the AI SDK's provider interface; a model id string is not one). */
export type Model = Exclude<LanguageModel, string>;

export interface ModelEntry {
  readonly name: string;
  readonly provider: string;
  readonly modelId: string;
  readonly pricing: Pricing;
  /** Where the price came from: the config, the built-in table, or free (a local server). */
  readonly priceSource: 'config' | 'table' | 'free';
  /** The env variable of the API key, if the provider takes one (its value is never kept here). */
  readonly apiKeyEnv?: string;
  /**
   * The language model; rejects with MODEL_KEY_MISSING when its key is not in the environment.
   * A promise because the provider's module is loaded on first use, not at start-up.
   */
  model(): Promise<Model>;
}

export interface Models {
  /** `default` or a name from the config; throws UNKNOWN_MODEL naming the known ones. */
  get(name: string): ModelEntry;
  list(): readonly ModelEntry[];
  readonly defaultName: string | undefined;
  readonly creditsPerUsd: number;
}

/** A model given in code: the model itself and its price (free when absent). */
export interface ModelDefinition {
  readonly model: Model;
  readonly price?: Price;
}

export interface ModelsOptions {
  readonly config?: RunloomConfig;
  /** Models given in code; a name here wins over the config's. */
  readonly models?: Readonly<Record<string, Model | ModelDefinition>>;
  readonly default?: string;
  readonly env?: NodeJS.ProcessEnv;
}

const DEFAULT_KEY_ENV: Readonly<Record<string, string | undefined>> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
};

export function createModels(options: ModelsOptions = {}): Models {
  const config = options.config ?? {};
  const creditsPerUsd = config.creditsPerUsd ?? DEFAULT_CREDITS_PER_USD;
  const env = options.env ?? process.env;
  const byName = new Map<string, ModelEntry>();
  const configured = Object.entries(config.models ?? {});
  for (const [name, model] of configured) {
    if (model.provider !== 'replay') byName.set(name, configuredEntry(name, model, creditsPerUsd, env));
  }
  // After the others: a replay model records from one of them.
  const replays = configured.filter((entry): entry is [string, ReplayModelConfig] => entry[1].provider === 'replay');
  if (replays.length > 0) {
    const mode = cassetteMode(env);
    const folder = config.file ? dirname(config.file) : process.cwd();
    for (const [name, model] of replays) {
      byName.set(name, replayEntry(name, model, { mode, folder, creditsPerUsd, targetOf: (n) => byName.get(n) }));
    }
  }
  for (const [name, given] of Object.entries(options.models ?? {})) {
    const definition: ModelDefinition = 'doGenerate' in given ? { model: given } : given;
    const model = definition.model;
    byName.set(name, {
      name,
      provider: model.provider,
      modelId: model.modelId,
      pricing: pricing(definition.price ?? { input: 0, output: 0 }, creditsPerUsd, `models.${name}.price`),
      priceSource: definition.price ? 'config' : 'free',
      model: async () => model,
    });
  }
  const defaultName = options.default ?? config.default ?? (byName.size === 1 ? [...byName.keys()][0] : undefined);
  if (defaultName !== undefined && !byName.has(defaultName)) {
    throw new RunloomError('CONFIG_INVALID', `the default model '${defaultName}' is not configured`);
  }
  return {
    defaultName,
    creditsPerUsd,
    list: () => [...byName.values()],
    get(name) {
      const wanted = name === 'default' ? defaultName : name;
      const entry = wanted === undefined ? undefined : byName.get(wanted);
      if (entry) return entry;
      const known = [...byName.keys()].join(', ') || 'none';
      throw new RunloomError(
        'UNKNOWN_MODEL',
        name === 'default'
          ? `no default model is configured (set \`default:\` in runloom.config.yaml; models: ${known})`
          : `model '${name}' is not configured (models: ${known})`,
      );
    },
  };
}

function configuredEntry(name: string, config: ProviderModelConfig, creditsPerUsd: number, env: NodeJS.ProcessEnv): ModelEntry {
  const apiKeyEnv = config.apiKeyEnv ?? DEFAULT_KEY_ENV[config.provider];
  const known = KNOWN_PRICES[config.model];
  const price = config.price ?? known;
  if (!price && config.provider !== 'openai-compatible') {
    throw new RunloomError(
      'CONFIG_INVALID',
      `models.${name}.price: no price is known for ${config.provider} model '${config.model}'; give \`price: { input, output }\` in USD per 1M tokens`,
    );
  }
  let made: Promise<Model> | undefined;
  return {
    name,
    provider: config.provider,
    modelId: config.model,
    // A local OpenAI-compatible server (Ollama, vLLM, llama.cpp) costs nothing unless priced.
    pricing: pricing(price ?? { input: 0, output: 0 }, creditsPerUsd, `models.${name}.price`),
    priceSource: config.price ? 'config' : known ? 'table' : 'free',
    ...(apiKeyEnv ? { apiKeyEnv } : {}),
    model() {
      made ??= build(name, config, apiKeyEnv, env);
      return made;
    },
  };
}

async function build(
  name: string,
  config: ProviderModelConfig,
  apiKeyEnv: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Model> {
  const apiKey = apiKeyEnv ? env[apiKeyEnv] : undefined;
  if (config.provider !== 'openai-compatible' && !apiKey) {
    throw new RunloomError('MODEL_KEY_MISSING', `model '${name}' needs its API key in the environment variable ${apiKeyEnv}`);
  }
  const baseURL = config.baseURL;
  switch (config.provider) {
    case 'openai': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      return createOpenAI({ apiKey, ...(baseURL ? { baseURL } : {}) })(config.model);
    }
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      return createAnthropic({ apiKey, ...(baseURL ? { baseURL } : {}) })(config.model);
    }
    case 'openai-compatible': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      return createOpenAICompatible({
        name,
        baseURL: baseURL as string,
        includeUsage: true,
        ...(apiKey ? { apiKey } : {}),
      }).chatModel(config.model);
    }
  }
}

interface ReplaySetting {
  readonly mode: CassetteMode;
  /** Where cassette paths start: the config file's folder. */
  readonly folder: string;
  readonly creditsPerUsd: number;
  readonly targetOf: (name: string) => ModelEntry | undefined;
}

/** Charged at its own price, else the record model's (replayed runs cost what real ones would). */
function replayEntry(name: string, config: ReplayModelConfig, setting: ReplaySetting): ModelEntry {
  const target = config.record === undefined ? undefined : setting.targetOf(config.record);
  const cassette = new Cassette(resolve(setting.folder, config.cassette), config.cassette);
  let made: Promise<Model> | undefined;
  return {
    name,
    provider: 'replay',
    modelId: config.cassette,
    pricing: config.price
      ? pricing(config.price, setting.creditsPerUsd, `models.${name}.price`)
      : (target?.pricing ?? pricing({ input: 0, output: 0 }, setting.creditsPerUsd, `models.${name}.price`)),
    priceSource: config.price ? 'config' : (target?.priceSource ?? 'free'),
    model() {
      made ??= import('./replay-model.js').then(({ replayModel }) =>
        replayModel({ name, cassette, mode: setting.mode, ...(target ? { target: () => target.model() } : {}) }),
      );
      return made;
    },
  };
}

/** RUNLOOM_CASSETTES: replay (the default), record or auto. */
function cassetteMode(env: NodeJS.ProcessEnv): CassetteMode {
  const mode = env.RUNLOOM_CASSETTES?.trim() || 'replay';
  if (!(CASSETTE_MODES as readonly string[]).includes(mode)) {
    throw new RunloomError('CONFIG_INVALID', `RUNLOOM_CASSETTES is '${mode}': use ${CASSETTE_MODES.join(', ')}`);
  }
  return mode as CassetteMode;
}
