/**
 * Arrivals a move superseded (journeys): the progression loop looks for them on every pass to
 * cancel their runs, so they get a partial index like the open ones instead of a scan.
 */
export const sql = `
CREATE INDEX journey_arrivals_superseded ON journey_arrivals (created_at) WHERE state = 'superseded';
`;
