/**
 * `run_events.steps`: the step rows a commit finished ride on its last event row (a JSON array),
 * instead of going to the `steps` table. A step's commit then appends to one B-tree — the run's
 * log — and dirties one page instead of two: measured on a store-only loop, about a third of a
 * step's commit. `steps` keeps the rows written before this migration, and those of a commit
 * with no event; `listSteps` reads both, the later row of a seq winning.
 */
export const sql = `
ALTER TABLE run_events ADD COLUMN steps TEXT;
`;
