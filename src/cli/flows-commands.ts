/**
 * `runloom flows push|list|show`: publish flow files and read published flows, in the local
 * store or, with `--server` (env RUNLOOM_SERVER), through the HTTP API with RUNLOOM_API_KEY.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RequestError } from '../errors.js';
import type { FlowSummary, FlowVersionRecord } from '../store/store.js';
import { withRunloom } from './runs-commands.js';
import { createApiClient, type ServerOptions, serverUrl } from './server-client.js';

interface FlowsClient {
  push(files: readonly { source: string; sourceName: string }[]): Promise<FlowVersionRecord[]>;
  list(): Promise<FlowSummary[]>;
  show(flowId: string, version?: number): Promise<FlowVersionRecord>;
}

/** Runs `action` against the server when one is named, else against the local store. */
function withFlows(command: Command, action: (flows: FlowsClient, json: boolean) => Promise<number>): Promise<void> {
  const options = command.optsWithGlobals() as ServerOptions & { json?: boolean };
  const url = serverUrl(options);
  if (url) {
    const api = createApiClient(url);
    const remote: FlowsClient = {
      push: async (files) =>
        (
          await api.call<{ flows: FlowVersionRecord[] }>('POST', '/v1/flows', {
            flows: files.map((f) => ({ flow: f.source, sourceName: f.sourceName })),
          })
        ).flows,
      list: async () => (await api.call<{ flows: FlowSummary[] }>('GET', '/v1/flows')).flows,
      show: (flowId, version) =>
        api.call<FlowVersionRecord>(
          'GET',
          `/v1/flows/${encodeURIComponent(flowId)}${version === undefined ? '' : `/versions/${version}`}`,
        ),
    };
    return action(remote, Boolean(options.json)).then((code) => {
      process.exitCode = code;
    });
  }
  return withRunloom(command, false, (runloom) =>
    action(
      { push: (files) => runloom.flows.publishAll(files), list: () => runloom.flows.list(), show: runloom.flows.get },
      Boolean(options.json),
    ),
  );
}

function readFiles(files: readonly string[]): { source: string; sourceName: string }[] {
  return files.map((file) => {
    try {
      return { source: readFileSync(file, 'utf8'), sourceName: file };
    } catch (error) {
      throw new RequestError('BAD_REQUEST', `${file} cannot be read: ${(error as Error).message}`);
    }
  });
}

export function registerFlowsCommands(program: Command): void {
  const flows = program.command('flows').description('publish and read flows (locally, or on --server)');
  flows
    .command('push <files...>')
    .description('publish flow files: all are validated before any is stored; the same content makes no new version')
    .action((files: string[], _opts: unknown, command: Command) => {
      const sources = readFiles(files);
      return withFlows(command, async (client, json) => {
        const records = await client.push(sources);
        for (const r of records) process.stdout.write(json ? `${JSON.stringify(r)}\n` : `${r.flowId}@${r.version}\n`);
        return 0;
      });
    });
  flows.command('list').action((_opts: unknown, command: Command) =>
    withFlows(command, async (client, json) => {
      const list = await client.list();
      if (json) process.stdout.write(`${JSON.stringify(list)}\n`);
      for (const f of json ? [] : list)
        process.stdout.write(
          `${f.flowId.padEnd(24)} ${f.latestVersion === undefined ? 'draft' : `v${f.latestVersion}`}  ${f.name ?? ''}\n`,
        );
      return 0;
    }),
  );
  flows
    .command('show <flowId>')
    .option('--version <n>', 'a published version (default: the latest)')
    .action((flowId: string, opts: { version?: string }, command: Command) => {
      const version = opts.version === undefined ? undefined : Number(opts.version);
      if (version !== undefined && (!Number.isInteger(version) || version < 1))
        throw new RequestError('BAD_REQUEST', `--version must be a whole number ≥ 1, not '${opts.version}'`);
      return withFlows(command, async (client) => {
        process.stdout.write(`${JSON.stringify(await client.show(flowId, version), null, 2)}\n`);
        return 0;
      });
    });
}
