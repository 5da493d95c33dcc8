/**
 * Token counts with gpt-tokenizer (OpenAI's o200k encoding). For other providers' tokenizers
 * this is an approximation, close for English text; it estimates a call before it is made, and
 * counts a call whose provider reports no usage.
 *
 * Loaded on first use with a synchronous require: estimates run inside `advance()`, which is
 * synchronous, and the encoding takes a noticeable part of a second to load — a process without
 * ai steps should not pay for it at start-up.
 */
import { createRequire } from 'node:module';

type Encode = (text: string) => number[];
let encode: Encode | undefined;

export function tokenCount(text: string): number {
  encode ??= (createRequire(import.meta.url)('gpt-tokenizer') as { encode: Encode }).encode;
  return encode(text).length;
}

/** A prompt's tokens: a few tokens of framing per message, as chat formats add. */
export function countTokens(system: string | undefined, messages: readonly { readonly content: unknown }[]): number {
  let count = system ? tokenCount(system) : 0;
  for (const message of messages) {
    count += 4 + tokenCount(typeof message.content === 'string' ? message.content : JSON.stringify(message.content));
  }
  return count;
}
