/** What the journey module works with: the store, the workspace's flows, a clock and ids. */
import { randomUUID } from 'node:crypto';
import { type FlowsApi, flowKey } from '../api/flows.js';
import { RequestError } from '../errors.js';
import type { FlowDefinition } from '../flow/schema.js';
import type { JourneyMapping } from '../store/journey-records.js';
import type { Store } from '../store/store.js';
import { compileSpine, type Spine } from './spine.js';

export interface JourneyContext {
  readonly store: Store;
  readonly flows: FlowsApi;
  readonly now: () => number;
  /** The journey flow's spine (its latest version), compiled once per version. */
  spine(workspace: string, journeyId: string): Promise<Spine>;
  mappings(workspace: string, journeyId: string): Promise<readonly JourneyMapping[]>;
  newId(prefix: string): string;
  /** Called after a write that made an arrival (progression acts on it). */
  arrived(): void;
}

export function createJourneyContext(
  store: Store,
  flows: FlowsApi,
  now: () => number = Date.now,
  arrived: () => void = () => {},
): JourneyContext {
  const spines = new Map<string, Spine>();
  return {
    store,
    flows,
    now,
    async spine(workspace, journeyId) {
      const record = await flows
        .in(workspace)
        .get(journeyId)
        .catch((error) => {
          if (error instanceof RequestError && error.code === 'NOT_FOUND') {
            throw new RequestError(
              'NOT_FOUND',
              `journey '${journeyId}' not found: publish a flow with ux nodes under that id first`,
            );
          }
          throw error;
        });
      const key = `${flowKey(workspace, journeyId)}@${record.version}`;
      let spine = spines.get(key);
      if (!spine) {
        spine = compileSpine(journeyId, record.version, record.definition as unknown as FlowDefinition);
        spines.set(key, spine);
      }
      return spine;
    },
    async mappings(workspace, journeyId) {
      return (await store.journeys.getJourney(workspace, journeyId))?.mappings ?? [];
    },
    arrived,
    newId: (prefix) => `${prefix}_${randomUUID().replaceAll('-', '')}`,
  };
}
