/** A GET of the API as React state: data, error, and `reload`; `every` polls (ms). */
import { useCallback, useEffect, useState } from 'react';
import { api } from './client';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  reload(): void;
}

export function useApi<T>(path: string | null, every?: number): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick asks for the same path again
  useEffect(() => {
    if (path === null) return;
    let stale = false;
    api<T>(path).then(
      (value) => {
        if (!stale) {
          setData(value);
          setError(undefined);
        }
      },
      (failure: Error) => {
        if (!stale) setError(failure);
      },
    );
    const timer = every ? setTimeout(() => setTick((n) => n + 1), every) : undefined;
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [path, tick, every]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, reload };
}
