/**
 * Every schema migration, in order. A migration is applied once and recorded in
 * `schema_migrations`; never edit one that has shipped: add the next number instead.
 */

import type { Migration } from '../../migrations.js';
import { sql as initial } from './001-initial.js';
import { sql as active } from './002-active.js';
import { sql as stepRowsInLog } from './003-step-rows-in-log.js';
import { sql as runLog } from './004-run-log.js';
import { sql as leases } from './005-leases.js';
import { sql as workspaces } from './006-workspaces.js';
import { sql as prompts } from './007-prompts.js';
import { sql as swarms } from './008-swarms.js';
import { sql as journeys } from './009-journeys.js';
import { sql as webhookCalls } from './010-webhook-calls.js';
import { sql as supersededArrivals } from './011-superseded-arrivals.js';

export type { Migration };

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'active', sql: active },
  { version: 3, name: 'step-rows-in-log', sql: stepRowsInLog },
  { version: 4, name: 'run-log', sql: runLog },
  { version: 5, name: 'leases', sql: leases },
  { version: 6, name: 'workspaces', sql: workspaces },
  { version: 7, name: 'prompts', sql: prompts },
  { version: 8, name: 'swarms', sql: swarms },
  { version: 9, name: 'journeys', sql: journeys },
  { version: 10, name: 'webhook-calls', sql: webhookCalls },
  { version: 11, name: 'superseded-arrivals', sql: supersededArrivals },
];
