/** JSON columns: `undefined` is stored as SQL NULL so it reads back absent (a JSON `null` stays `null`). */
export const toJson = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

export const fromJson = (text: string | null): unknown => (text === null ? undefined : JSON.parse(text));
