/** JSON columns: SQL NULL reads back absent (`undefined`); a JSON `null` stays `null`. */
export const fromJson = (text: string | null): unknown => (text === null ? undefined : JSON.parse(text));
