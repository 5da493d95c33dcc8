/**
 * Records the golden histories of test/histories/ from the scenarios in golden-scenarios.ts.
 *
 * Regenerate (only when a behaviour change is intended, and review the diff):
 *   npx tsx test/engine/golden-record.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { playScenario, SCENARIOS } from './golden-scenarios.js';
import { summaryOf } from './golden-summary.js';

const dir = fileURLToPath(new URL('../histories/', import.meta.url));
for (const scenario of SCENARIOS) {
  const run = playScenario(scenario);
  const file = {
    regenerate: 'npx tsx test/engine/golden-record.ts',
    name: scenario.name,
    description: scenario.description,
    meta: run.meta,
    flow: scenario.flow,
    events: run.events,
    expected: summaryOf(run.state),
  };
  writeFileSync(`${dir}${scenario.name}.json`, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`${scenario.name}: ${run.events.length} events, ${run.state.status}`);
}
