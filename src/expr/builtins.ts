/** JSONata's own built-ins, for the sandbox functions that wrap or replace them. */
import jsonata from 'jsonata';

/** `(this: Focus, ...args: any[]) => any`, as jsonata.d.ts types a registered function. */
export type Implementation = Parameters<jsonata.Expression['registerFunction']>[1];

/** The original implementation of a JSONata built-in, taken once at module load. */
export function builtin(name: string): Implementation {
  const fn = jsonata(`$${name}`).evaluate({}) as { implementation: Implementation };
  return fn.implementation;
}
