/**
 * The writable form of a readonly record type, for code that builds a record field by field
 * (optional fields set only when present, so that a record equals itself after a JSON round trip).
 */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
