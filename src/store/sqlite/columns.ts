/** JSON columns: `undefined` is stored as SQL NULL so it reads back absent (a JSON `null` stays `null`). */
export { toJson } from '../rows.js';

export const fromJson = (text: string | null): unknown => (text === null ? undefined : JSON.parse(text));
