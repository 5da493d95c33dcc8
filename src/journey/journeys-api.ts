/**
 * The library API of journeys (F6): `runloom.journeys` (spines, mappings, the board, hooks and
 * what hooks receive) and `runloom.entities`, each per workspace like `runloom.flows`.
 *
 * @example
 * await runloom.flows.publish(journeyYaml);                      // ux nodes + journey edges
 * await runloom.journeys.setMappings('sales', [{ nodeId: 'lead', flowId: 'enrich' }]);
 * const lead = await runloom.entities.upsert('sales', { email: 'ada@example.com' });
 * await runloom.journeys.board('sales');                          // counts per ux node
 */
import { RequestError } from '../errors.js';
import { compileValue } from '../expr/index.js';
import type { HookRow, JourneyMapping } from '../store/journey-records.js';
import type { JourneyContext } from './context.js';
import { receiveEmail } from './email.js';
import { type EntityView, type WorkspaceEntities, workspaceEntities } from './entities.js';
import { type HookInput, type HookView, parseHookInput } from './hook-config.js';
import { type Delivery, entityFromPayload, verifyDelivery } from './hooks.js';

export interface JourneyView {
  readonly id: string;
  /** The journey flow's latest version (its spine). */
  readonly version: number;
  readonly steps: readonly string[];
  readonly entry: string;
  readonly mappings: readonly JourneyMapping[];
}

export interface Board {
  readonly journeyId: string;
  /** Per ux node, in the flow's order: entities standing there (active) and whose run failed. */
  readonly nodes: readonly { readonly nodeId: string; readonly active: number; readonly failed: number }[];
  readonly completed: number;
  readonly total: number;
}

export interface WorkspaceJourneys {
  get(journeyId: string): Promise<JourneyView>;
  /** Journeys that have been given mappings (or an empty set of them). */
  list(): Promise<JourneyView[]>;
  mappings(journeyId: string): Promise<readonly JourneyMapping[]>;
  /** Replaces the mappings, all validated first: each node a ux node of the journey, each flow published here. */
  setMappings(journeyId: string, mappings: readonly JourneyMapping[]): Promise<readonly JourneyMapping[]>;
  board(journeyId: string): Promise<Board>;
  putHook(slug: string, input: HookInput): Promise<HookView>;
  hooks(): Promise<HookView[]>;
  deleteHook(slug: string): Promise<void>;
}

export interface Received {
  readonly entity: EntityView & { readonly created: boolean };
}

export interface JourneysApi extends WorkspaceJourneys {
  in(workspace: string): WorkspaceJourneys;
  /** A JSON delivery to a public hook (`POST /v1/hooks/:slug`). */
  receive(slug: string, delivery: Delivery): Promise<Received>;
  /** A raw MIME message for a hook (`POST /v1/hooks/:slug/email`, the SMTP listener). */
  receiveEmail(slug: string, delivery: Delivery): Promise<Received>;
  /**
   * A message the SMTP listener accepted for one of the hook's addresses. SMTP carries no
   * signature: the listener's binding (loopback by default) and addresses are its boundary.
   */
  receiveMail(slug: string, raw: Buffer): Promise<Received>;
}

export interface EntitiesApi extends WorkspaceEntities {
  in(workspace: string): WorkspaceEntities;
}

export const hookView = (row: HookRow): HookView => {
  const { secret: _, ...config } = row.config as HookInput & Record<string, unknown>;
  return {
    ...(config as Omit<HookView, 'slug' | 'signed' | 'createdAt'>),
    slug: row.slug,
    signed: row.secret !== undefined,
    createdAt: row.createdAt,
  };
};

export function createJourneysApi(ctx: JourneyContext, entitiesIn: (workspace: string) => WorkspaceEntities): JourneysApi {
  const journeys = ctx.store.journeys;

  function inWorkspace(workspace: string): WorkspaceJourneys {
    const view = async (journeyId: string): Promise<JourneyView> => {
      const spine = await ctx.spine(workspace, journeyId);
      return {
        id: journeyId,
        version: spine.version,
        steps: spine.steps,
        entry: spine.entry,
        mappings: await ctx.mappings(workspace, journeyId),
      };
    };
    return {
      get: view,
      async list() {
        return Promise.all((await journeys.listJourneys(workspace)).map((j) => view(j.id)));
      },
      async mappings(journeyId) {
        await ctx.spine(workspace, journeyId);
        return ctx.mappings(workspace, journeyId);
      },
      async setMappings(journeyId, mappings) {
        const spine = await ctx.spine(workspace, journeyId);
        const problems: string[] = [];
        const seen = new Set<string>();
        await Promise.all(
          mappings.map(async (m, i) => {
            const at = `mappings[${i}]`;
            if (!spine.isStep(m.nodeId))
              problems.push(`${at}.nodeId: '${m.nodeId}' is not a ux node of journey '${journeyId}' (${spine.steps.join(', ')})`);
            if (seen.has(m.nodeId)) problems.push(`${at}.nodeId: '${m.nodeId}' is mapped twice`);
            seen.add(m.nodeId);
            await ctx.flows
              .in(workspace)
              .get(m.flowId, m.version)
              .catch(() =>
                problems.push(
                  `${at}.flowId: flow '${m.flowId}'${m.version === undefined ? '' : ` version ${m.version}`} is not published in this workspace`,
                ),
              );
            if (m.input !== undefined) {
              if (typeof m.input !== 'object' || m.input === null || Array.isArray(m.input))
                problems.push(`${at}.input: must be an object (the run's input)`);
              else {
                try {
                  compileValue(m.input, `${at}.input`);
                } catch (error) {
                  problems.push((error as Error).message);
                }
              }
            }
          }),
        );
        if (problems.length > 0) {
          problems.sort();
          throw new RequestError('MAPPING_INVALID', `mappings of journey '${journeyId}' are invalid: ${problems.join('; ')}`, {
            details: { problems },
          });
        }
        const clean = mappings.map((m) => ({
          nodeId: m.nodeId,
          flowId: m.flowId,
          ...(m.version === undefined ? {} : { version: m.version }),
          ...(m.input === undefined ? {} : { input: m.input }),
        }));
        await journeys.putJourney({ workspace, id: journeyId, mappings: clean, updatedAt: ctx.now() });
        return clean;
      },
      async board(journeyId) {
        const spine = await ctx.spine(workspace, journeyId);
        const counts = await journeys.board(workspace, journeyId);
        const of = (nodeId: string, status: string) => counts.find((c) => c.nodeId === nodeId && c.status === status)?.count ?? 0;
        const nodes = spine.steps.map((nodeId) => ({ nodeId, active: of(nodeId, 'active'), failed: of(nodeId, 'failed') }));
        const completed = of('', 'completed');
        return { journeyId, nodes, completed, total: counts.reduce((sum, c) => sum + c.count, 0) };
      },
      async putHook(slug, input) {
        const config = parseHookInput(input, slug);
        const spine = await ctx.spine(workspace, config.journeyId);
        if (config.node !== undefined && !spine.isStep(config.node)) {
          throw new RequestError(
            'NOT_A_UX_NODE',
            `hook '${slug}' node: '${config.node}' is not a ux node of journey '${config.journeyId}' (${spine.steps.join(', ')})`,
          );
        }
        const { secret, ...rest } = config;
        const row: HookRow = {
          slug,
          workspace,
          journeyId: config.journeyId,
          ...(secret === undefined ? {} : { secret }),
          config: rest,
          createdAt: ctx.now(),
        };
        if (!(await journeys.putHook(row))) throw new RequestError('CONFLICT', `hook slug '${slug}' is taken: choose another`);
        return hookView(row);
      },
      async hooks() {
        return (await journeys.listHooks(workspace)).map(hookView);
      },
      async deleteHook(slug) {
        if (!(await journeys.deleteHook(workspace, slug))) throw new RequestError('NOT_FOUND', `hook '${slug}' not found`);
      },
    };
  }

  const hookOf = async (slug: string) => {
    const hook = await journeys.hook(slug);
    if (!hook) throw new RequestError('NOT_FOUND', `hook '${slug}' not found`);
    return hook;
  };

  return {
    ...inWorkspace('default'),
    in: inWorkspace,
    async receive(slug, delivery) {
      const hook = await hookOf(slug);
      const remember = verifyDelivery(ctx, hook, delivery);
      let payload: unknown;
      try {
        payload = JSON.parse(delivery.body.toString('utf8'));
      } catch (error) {
        throw new RequestError('BAD_JSON', `hook '${slug}': the body is not JSON: ${(error as Error).message}`);
      }
      // Everything is checked before the delivery is remembered and the entity written.
      const input = entityFromPayload(hook, payload);
      const spine = await ctx.spine(hook.workspace, hook.journeyId);
      if (input.nodeId !== undefined && !spine.isStep(input.nodeId)) {
        throw new RequestError(
          'NOT_A_UX_NODE',
          `hook '${slug}': the payload places the entity at '${input.nodeId}', which is not a ux node of journey '${hook.journeyId}' (${spine.steps.join(', ')})`,
        );
      }
      await remember();
      return { entity: await entitiesIn(hook.workspace).upsert(hook.journeyId, input, 'webhook') };
    },
    async receiveEmail(slug, delivery) {
      const hook = await hookOf(slug);
      await verifyDelivery(ctx, hook, delivery)();
      return receiveEmail(ctx, hook, entitiesIn(hook.workspace), delivery.body);
    },
    async receiveMail(slug, raw) {
      const hook = await hookOf(slug);
      return receiveEmail(ctx, hook, entitiesIn(hook.workspace), raw);
    },
  };
}

export function createEntitiesApi(ctx: JourneyContext): EntitiesApi {
  return { ...workspaceEntities(ctx, 'default'), in: (workspace) => workspaceEntities(ctx, workspace) };
}
