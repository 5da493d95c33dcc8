/**
 * JSON columns travel as text and are cast to `jsonb` in SQL: `undefined` is sent as SQL NULL so
 * it reads back absent, while a JSON `null` is the text `null` and reads back `null`.
 * Reads need no `fromJson`: the driver parses `jsonb` itself, and SQL NULL arrives as `null`.
 */
export { toJson } from '../rows.js';
