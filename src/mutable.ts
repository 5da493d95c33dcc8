/**
 * The writable form of a readonly record type, for code that builds a record field by field
 * (optional fields set only when present, so that a record equals itself after a JSON round trip).
 */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Every key of a record type, optional ones included (their value may be undefined): a record
 * written out field by field fails to compile when its type gains a field it would drop.
 */
export type EveryField<T> = { [K in keyof Required<T>]: T[K] };
