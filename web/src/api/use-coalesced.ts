/**
 * Reads again each time `key` changes, but never more than one request at a time: changes that
 * come while one is in flight are folded into one more read after it. A live run changing
 * hundreds of times a second costs a few reads a second, and the last read is always current.
 */
import { useEffect, useRef, useState } from 'react';

export function useCoalesced<T>(read: () => Promise<T>, key: string): { data: T | undefined; error: Error | undefined } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const flight = useRef<{ busy: boolean; again: boolean; read: () => Promise<T>; alive: boolean }>({
    busy: false,
    again: false,
    read,
    alive: true,
  });
  flight.current.read = read;
  useEffect(() => {
    flight.current.alive = true;
    return () => {
      flight.current.alive = false;
    };
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is what asks for a new read
  useEffect(() => {
    const state = flight.current;
    if (state.busy) {
      state.again = true;
      return;
    }
    const go = async () => {
      state.busy = true;
      do {
        state.again = false;
        try {
          const value = await state.read();
          if (state.alive) {
            setData(value);
            setError(undefined);
          }
        } catch (failure) {
          if (state.alive) setError(failure as Error);
        }
      } while (state.again && state.alive);
      state.busy = false;
    };
    void go();
  }, [key]);
  return { data, error };
}
