/** `runloom models list`: the configured models, their prices and whether their key is set. */
import type { Command } from 'commander';
import type { GlobalOptions } from './context.js';

export function registerModelsCommands(program: Command): void {
  const models = program.command('models').description('models from runloom.config.yaml (or --config / RUNLOOM_CONFIG)');
  models
    .command('list')
    .description('configured models with their price (USD per 1M tokens) and credits per dollar')
    .action(async (_opts: unknown, command: Command) => {
      process.exitCode = await listModels(command.optsWithGlobals() as GlobalOptions);
    });
}

async function listModels(options: GlobalOptions): Promise<number> {
  // Loaded here, not when the command starts: the providers are only needed by this command.
  const [{ loadConfig }, { createModels }] = await Promise.all([import('../ai/config.js'), import('../ai/models.js')]);
  const config = loadConfig(options.config);
  const models = createModels({ config });
  // Only whether a key is set is shown, never any part of it.
  const rows = models.list().map((entry) => ({
    name: entry.name,
    default: entry.name === models.defaultName,
    provider: entry.provider,
    model: entry.modelId,
    price: entry.pricing.price,
    priceSource: entry.priceSource,
    ...(entry.apiKeyEnv ? { apiKeyEnv: entry.apiKeyEnv, apiKeySet: Boolean(process.env[entry.apiKeyEnv]) } : {}),
  }));
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ config: config.file ?? null, creditsPerUsd: models.creditsPerUsd, models: rows })}\n`,
    );
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(`no models configured${config.file ? ` in ${config.file}` : ' (no runloom.config.yaml here)'}\n`);
    return 0;
  }
  process.stdout.write(`config: ${config.file}   credits per USD: ${models.creditsPerUsd}\n`);
  const table = rows.map((row) => [
    `${row.name}${row.default ? ' (default)' : ''}`,
    row.provider,
    row.model,
    `${row.price.input} / ${row.price.output}${row.priceSource === 'table' ? '' : ` (${row.priceSource})`}`,
    row.apiKeyEnv ? `${row.apiKeyEnv} ${row.apiKeySet ? 'set' : 'NOT SET'}` : '-',
  ]);
  const head = ['NAME', 'PROVIDER', 'MODEL', 'USD/1M IN / OUT', 'API KEY'];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  for (const line of [head, ...table]) {
    process.stdout.write(
      `${line
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
  return 0;
}
