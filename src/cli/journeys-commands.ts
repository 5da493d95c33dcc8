/**
 * `runloom journeys show|map|board|hook` and `runloom entities add|list|show|move|retry`: in the
 * local store, or with `--server` (env RUNLOOM_SERVER) through the HTTP API with RUNLOOM_API_KEY.
 * Locally these commands never move entities themselves: `serve` and workers do (progression).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RequestError } from '../errors.js';
import type { EntityInput, EntityList, EntityView } from '../journey/entities.js';
import type { HookView } from '../journey/hook-config.js';
import type { Board, JourneyView } from '../journey/journeys-api.js';
import type { JourneyEventRow, JourneyMapping } from '../store/journey-records.js';
import { type GlobalOptions, openRunloom } from './context.js';
import { createApiClient, type ServerOptions, serverUrl } from './server-client.js';

interface JourneysClient {
  show(journeyId: string): Promise<JourneyView>;
  map(journeyId: string, mappings: JourneyMapping[]): Promise<readonly JourneyMapping[]>;
  board(journeyId: string): Promise<Board>;
  hook(slug: string, config: Record<string, unknown>): Promise<HookView>;
  add(journeyId: string, input: EntityInput): Promise<EntityView>;
  list(journeyId: string, filter: { nodeId?: string; status?: string; after?: string; limit?: number }): Promise<EntityList>;
  show1(entityId: string): Promise<{ entity: EntityView; timeline: Omit<JourneyEventRow, 'entityId'>[] }>;
  move(entityId: string, nodeId: string, by: string): Promise<EntityView>;
  retry(entityId: string, by: string): Promise<EntityView>;
}

const enc = encodeURIComponent;

async function withJourneys(command: Command, action: (client: JourneysClient, json: boolean) => Promise<number>): Promise<void> {
  const options = command.optsWithGlobals() as GlobalOptions & ServerOptions & { json?: boolean };
  const url = serverUrl(options);
  if (url) {
    const api = createApiClient(url);
    const client: JourneysClient = {
      show: (id) => api.call('GET', `/v1/journeys/${enc(id)}`),
      map: async (id, mappings) =>
        (await api.call<{ mappings: JourneyMapping[] }>('PUT', `/v1/journeys/${enc(id)}/mappings`, { mappings })).mappings,
      board: (id) => api.call('GET', `/v1/journeys/${enc(id)}/board`),
      hook: (slug, config) => api.call('PUT', `/v1/hooks/${enc(slug)}`, config),
      add: (id, input) => api.call('POST', `/v1/journeys/${enc(id)}/entities`, input),
      list: (id, filter) => {
        const query = new URLSearchParams();
        for (const [k, v] of Object.entries(filter)) if (v !== undefined) query.set(k, String(v));
        return api.call('GET', `/v1/journeys/${enc(id)}/entities?${query}`);
      },
      show1: async (id) => ({
        entity: await api.call('GET', `/v1/entities/${enc(id)}`),
        timeline: (await api.call<{ events: Omit<JourneyEventRow, 'entityId'>[] }>('GET', `/v1/entities/${enc(id)}/timeline`))
          .events,
      }),
      move: (id, nodeId, by) => api.call('POST', `/v1/entities/${enc(id)}/move`, { nodeId, by }),
      retry: (id, by) => api.call('POST', `/v1/entities/${enc(id)}/retry`, { by }),
    };
    process.exitCode = await action(client, Boolean(options.json));
    return;
  }
  const runloom = await openRunloom(options, false, { journeys: false });
  try {
    const { journeys, entities } = runloom;
    const client: JourneysClient = {
      show: journeys.get,
      map: journeys.setMappings,
      board: journeys.board,
      hook: (slug, config) => journeys.putHook(slug, config as never),
      add: async (id, input) => {
        const { created: _, ...entity } = await entities.upsert(id, input, 'cli');
        return entity;
      },
      list: (id, filter) => entities.list(id, filter as never),
      show1: async (id) => ({
        entity: await entities.get(id),
        timeline: (await entities.timeline(id)).map(({ entityId: _, ...e }) => e),
      }),
      move: (id, nodeId, by) => entities.move(id, nodeId, by),
      retry: (id, by) => entities.retry(id, by),
    };
    process.exitCode = await action(client, Boolean(options.json));
  } finally {
    await runloom.close();
  }
}

/** `lead=enrich`, `lead=enrich@2`: a ux node and the flow (and version) that runs there. */
function parseMapping(text: string): JourneyMapping {
  const match = /^([^=]+)=([^@]+)(?:@(\d+))?$/.exec(text);
  if (!match) throw new RequestError('BAD_REQUEST', `mapping '${text}': write <uxNode>=<flowId>[@version]`);
  return { nodeId: match[1], flowId: match[2], ...(match[3] ? { version: Number(match[3]) } : {}) };
}

/** `--attr k=v` (v parsed as JSON when it is JSON: numbers, true, objects). */
function parseAttributes(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new RequestError('BAD_REQUEST', `--attr '${pair}': write key=value`);
    const raw = pair.slice(eq + 1);
    try {
      out[pair.slice(0, eq)] = JSON.parse(raw);
    } catch {
      out[pair.slice(0, eq)] = raw;
    }
  }
  return out;
}

const line = (e: EntityView) =>
  `${e.id}  ${(e.email ?? '').padEnd(28)} ${(e.nodeId ?? '—').padEnd(16)} ${e.status}${e.name ? `  ${e.name}` : ''}\n`;
const collect = (value: string, previous: string[] = []) => [...previous, value];
const print = (json: boolean, value: unknown, text: () => string) =>
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : text());

export function registerJourneysCommands(program: Command): void {
  const journeys = program
    .command('journeys')
    .description('journeys: spines, mappings, the board, hooks (locally, or on --server)');
  journeys.command('show <journeyId>').action((id: string, _o: unknown, command: Command) =>
    withJourneys(command, async (client, json) => {
      const j = await client.show(id);
      const mapped = new Map(j.mappings.map((m) => [m.nodeId, m]));
      print(
        json,
        j,
        () =>
          [
            `${j.id} v${j.version} (starts at ${j.entry})`,
            ...j.steps.map(
              (s) =>
                `  ${s.padEnd(16)} ${mapped.has(s) ? `→ ${mapped.get(s)!.flowId}${mapped.get(s)!.version ? `@${mapped.get(s)!.version}` : ''}` : '(manual)'}`,
            ),
          ].join('\n') + '\n',
      );
      return 0;
    }),
  );
  journeys
    .command('map <journeyId> [mappings...]')
    .description('set the mappings: <uxNode>=<flowId>[@version] … (replaces them all; none: every step manual)')
    .action((id: string, mappings: string[], _o: unknown, command: Command) => {
      const parsed = mappings.map(parseMapping);
      return withJourneys(command, async (client, json) => {
        const stored = await client.map(id, parsed);
        print(json, stored, () => `${id}: ${stored.length} mapping${stored.length === 1 ? '' : 's'}\n`);
        return 0;
      });
    });
  journeys.command('board <journeyId>').action((id: string, _o: unknown, command: Command) =>
    withJourneys(command, async (client, json) => {
      const b = await client.board(id);
      print(
        json,
        b,
        () =>
          [
            ...b.nodes.map(
              (n) => `${n.nodeId.padEnd(16)} ${String(n.active).padStart(8)} active ${String(n.failed).padStart(6)} failed`,
            ),
            `${'completed'.padEnd(16)} ${String(b.completed).padStart(8)}`,
          ].join('\n') + '\n',
      );
      return 0;
    }),
  );
  journeys
    .command('hook <slug> <configFile>')
    .description('create or replace a hook from a JSON file (journeyId, secret, fields, node, email)')
    .action((slug: string, file: string, _o: unknown, command: Command) => {
      let config: Record<string, unknown>;
      try {
        config = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new RequestError('BAD_REQUEST', `${file} cannot be read as JSON: ${(error as Error).message}`);
      }
      return withJourneys(command, async (client, json) => {
        const hook = await client.hook(slug, config);
        print(
          json,
          hook,
          () => `hook ${hook.slug} → journey ${hook.journeyId}${hook.signed ? ' (signed)' : ''}: POST /v1/hooks/${hook.slug}\n`,
        );
        return 0;
      });
    });

  const entities = program.command('entities').description('entities walking a journey (locally, or on --server)');
  entities
    .command('add <journeyId>')
    .option('--email <email>')
    .option('--name <name>')
    .option('--attr <key=value>', 'an attribute (repeatable)', collect)
    .option('--node <uxNode>', 'where to place it (default: the first step)')
    .action((id: string, opts: { email?: string; name?: string; attr?: string[]; node?: string }, command: Command) => {
      const input: EntityInput = {
        ...(opts.email ? { email: opts.email } : {}),
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.attr ? { attributes: parseAttributes(opts.attr) } : {}),
        ...(opts.node ? { nodeId: opts.node } : {}),
      };
      return withJourneys(command, async (client, json) => {
        const e = await client.add(id, input);
        print(json, e, () => line(e));
        return 0;
      });
    });
  entities
    .command('list <journeyId>')
    .option('--node <uxNode>')
    .option('--status <status>', 'active, failed or completed')
    .option('--after <entityId>', 'the next page (the id printed last)')
    .option('--limit <n>', 'at most this many (default 100)')
    .action((id: string, opts: { node?: string; status?: string; after?: string; limit?: string }, command: Command) =>
      withJourneys(command, async (client, json) => {
        const limit = opts.limit === undefined ? undefined : Number(opts.limit);
        if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
          throw new RequestError('BAD_REQUEST', `--limit must be a whole number ≥ 1, not '${opts.limit}'`);
        const page = await client.list(id, { nodeId: opts.node, status: opts.status, after: opts.after, limit });
        print(json, page, () => page.entities.map(line).join('') + (page.next ? `(more: --after ${page.next})\n` : ''));
        return 0;
      }),
    );
  entities.command('show <entityId>').action((id: string, _o: unknown, command: Command) =>
    withJourneys(command, async (client, json) => {
      const shown = await client.show1(id);
      print(
        json,
        shown,
        () =>
          line(shown.entity) +
          shown.timeline
            .map(
              (e) =>
                `  ${String(e.seq).padStart(3)} ${new Date(e.at).toISOString()} ${e.type.padEnd(18)} ${JSON.stringify(e.data)}\n`,
            )
            .join(''),
      );
      return 0;
    }),
  );
  entities
    .command('move <entityId> <uxNode>')
    .option('--by <name>', 'who moved it (in its timeline)', 'cli')
    .action((id: string, node: string, opts: { by: string }, command: Command) =>
      withJourneys(command, async (client, json) => {
        const e = await client.move(id, node, opts.by);
        print(json, e, () => line(e));
        return 0;
      }),
    );
  entities
    .command('retry <entityId>')
    .option('--by <name>', 'who retried it (in its timeline)', 'cli')
    .action((id: string, opts: { by: string }, command: Command) =>
      withJourneys(command, async (client, json) => {
        const e = await client.retry(id, opts.by);
        print(json, e, () => line(e));
        return 0;
      }),
    );
}
