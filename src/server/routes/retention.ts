/**
 * Retention over HTTP (F8.4), with the CLI's semantics (`runloom runs export|prune`): the same
 * cut-off (`before` as an ISO time or an age; default RUNLOOM_RETENTION, else refused), the
 * same NDJSON lines, the same batches — scoped to the key's workspace.
 */
import { createRoute } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { cutOffOf } from '../../cli/cut-off.js';
import { exportEndedRuns } from '../../store/retention.js';
import { body, json, responses } from '../responses.js';
import { type ApiRoute, defineRoute, valid } from '../route-table.js';
import { ExportQuery, PruneBody, Pruned } from '../schemas.js';

export const retentionRoutes: readonly ApiRoute[] = [
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'get',
      path: '/v1/runs/export',
      summary: 'Ended runs as NDJSON (one line per run: summary, state, events, steps)',
      description: 'The lines `runloom runs export` prints, for this workspace. `before` is checked before anything is sent.',
      tags: ['retention'],
      request: { query: ExportQuery },
      responses: responses({
        200: { description: 'one JSON line per run', content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
      }),
    }),
    handler(c) {
      const before = cutOffOf(valid(c, 'query', ExportQuery).before, Date.now(), process.env, 'query.before');
      const { runloom } = c.get('deps');
      const workspace = c.get('workspace');
      c.header('content-type', 'application/x-ndjson');
      c.header('x-runloom-before', new Date(before).toISOString());
      return stream(c, async (out) => {
        const write = async (run: unknown) => {
          // A client that went away stops the export at the next run.
          if (out.aborted) throw new Error('export stream closed by the client');
          await out.write(`${JSON.stringify(run)}\n`);
        };
        await exportEndedRuns(runloom.store, before, write, workspace).catch(() => {});
      });
    },
  }),
  defineRoute({
    scope: 'workspace',
    config: createRoute({
      method: 'post',
      path: '/v1/runs/prune',
      summary: 'Delete ended runs and everything of theirs (or count them with dryRun)',
      description:
        'As `runloom runs prune`, for this workspace: a batch per transaction; running, waiting and paused runs are never touched.',
      tags: ['retention'],
      request: { body: body(PruneBody) },
      responses: responses({ 200: json(Pruned, 'how many runs went (or would go), and the cut-off') }),
    }),
    async handler(c) {
      const { before: given, dryRun } = valid(c, 'json', PruneBody);
      const before = cutOffOf(given, Date.now(), process.env, 'body.before');
      const count = await c.get('deps').runloom.runs.prune(before, { workspace: c.get('workspace'), dryRun: dryRun ?? false });
      const at = new Date(before).toISOString();
      return c.json(dryRun ? { wouldPrune: count, before: at } : { pruned: count, before: at }, 200);
    },
  }),
];
