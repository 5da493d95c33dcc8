/** Test helpers for flow tests: a tiny Map-backed action catalog and flow catalog. */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { z } from 'zod';
import type { ActionCatalog, ActionDefinition } from '../../src/actions/action.js';
import { FlowInvalidError } from '../../src/errors.js';
import type { FlowCatalog } from '../../src/flow/index.js';

type Extra = Partial<Omit<ActionDefinition<unknown, unknown>, 'name'>>;

/** A catalog of actions that do nothing; `extras` add cost, retry, timeout or an input schema. */
export function createCatalog(names: readonly string[], extras: Record<string, Extra> = {}): ActionCatalog {
  const actions = new Map<string, ActionDefinition<unknown, unknown>>();
  for (const name of names) actions.set(name, { name, input: z.any(), run: () => null, ...extras[name] });
  return { has: (name) => actions.has(name), get: (name) => actions.get(name) };
}

/** Flows known to a workspace: `['billing-setup@1', 'billing-setup@2']`. */
export function createFlowCatalog(refs: readonly string[]): FlowCatalog {
  const known = new Set(refs);
  return {
    has: (id, version) => (version === undefined ? refs.some((ref) => ref.startsWith(`${id}@`)) : known.has(`${id}@${version}`)),
  };
}

/** The actions the fixtures name. */
export const fixtureActions = createCatalog([
  'crm.lookup',
  'email.send',
  'billing.charge',
  'billing.refund',
  'notify.send',
  'log',
  'orders.ship',
]);
export const fixtureFlows = createFlowCatalog(['billing-setup@1', 'billing-setup@2']);

export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** The problems of the FlowInvalidError `fn` throws (fails the test if it throws none). */
export function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FlowInvalidError);
    return (error as FlowInvalidError).problems;
  }
  throw new Error('expected a FlowInvalidError');
}
