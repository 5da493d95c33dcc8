/** Every route of the API, in one table (see route-table.ts). A feature adds its list here. */
import type { ApiRoute } from '../route-table.js';
import { chatRoutes } from './chats.js';
import { entityRoutes } from './entities.js';
import { eventRoutes } from './events.js';
import { flowRoutes } from './flows.js';
import { hookRoutes } from './hooks.js';
import { journeyRoutes } from './journeys.js';
import { keyRoutes } from './keys.js';
import { promptRoutes } from './prompts.js';
import { retentionRoutes } from './retention.js';
import { runRoutes } from './runs.js';
import { swarmRoutes } from './swarms.js';
import { systemRoutes } from './system.js';
import { timeTravelRoutes } from './time-travel.js';
import { webhookRoutes } from './webhooks.js';

export const apiRoutes: readonly ApiRoute[] = [
  ...systemRoutes,
  ...flowRoutes,
  // Before the run routes: `GET /v1/runs/export` would otherwise be read as a run named `export`.
  ...retentionRoutes,
  ...runRoutes,
  ...eventRoutes,
  ...keyRoutes,
  ...timeTravelRoutes,
  ...swarmRoutes,
  ...promptRoutes,
  ...chatRoutes,
  ...journeyRoutes,
  ...entityRoutes,
  ...hookRoutes,
  ...webhookRoutes,
];
