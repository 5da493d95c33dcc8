/**
 * What a public hook does with what it receives (F6.3): the journey, an optional HMAC secret,
 * JSON paths from the payload to entity fields, where to place the entity, and for email which
 * addresses it accepts and whether an unknown sender becomes an entity.
 */
import { z } from 'zod';
import { RequestError } from '../errors.js';
import { parseJsonPath } from './json-path.js';

const jsonPath = z.string().refine(
  (p) => {
    try {
      parseJsonPath(p, '');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a JSON path (write it like $.contact.email)' },
);

export const hookSlug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'a slug is 2–63 lower-case letters, digits and -');

export const hookInput = z.strictObject({
  journeyId: z.string().min(1),
  /** HMAC-SHA256 key; requests must then be signed. Stored, never returned. */
  secret: z.string().min(16).max(256).optional(),
  /** Accepted clock difference of a signed request's timestamp, seconds (replay window). */
  toleranceSeconds: z.int().min(1).max(3600).default(300),
  fields: z
    .strictObject({
      email: jsonPath.optional(),
      name: jsonPath.optional(),
      attributes: z.record(z.string(), jsonPath).optional(),
      metadata: z.record(z.string(), jsonPath).optional(),
    })
    .default({}),
  /** The ux node to place the entity at: fixed, or named by the payload (`nodeFrom`). */
  node: z.string().min(1).optional(),
  nodeFrom: jsonPath.optional(),
  email: z
    .strictObject({
      /** Recipient addresses the SMTP listener accepts for this hook. */
      addresses: z.array(z.email()).default([]),
      /** An unknown sender becomes a new entity (else the message is refused). */
      create: z.boolean().default(false),
    })
    .optional(),
});

export type HookInput = z.input<typeof hookInput>;
export type HookConfig = z.output<typeof hookInput>;

/** The hook as the API shows it: everything but the secret, and whether it has one. */
export interface HookView extends Omit<HookConfig, 'secret'> {
  readonly slug: string;
  readonly signed: boolean;
  readonly createdAt: number;
}

export function parseHookInput(value: unknown, slug: string): HookConfig {
  const slugOk = hookSlug.safeParse(slug);
  if (!slugOk.success) throw new RequestError('INPUT_INVALID', `hook slug '${slug}': ${slugOk.error.issues[0].message}`);
  const parsed = hookInput.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(hook)'}: ${i.message}`);
    throw new RequestError('INPUT_INVALID', `hook '${slug}' is invalid: ${problems.join('; ')}`, { details: { problems } });
  }
  return parsed.data;
}
