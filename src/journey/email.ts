/**
 * Inbound email replies (F6.3): a raw MIME message, parsed with mailparser, is matched to an
 * entity of the hook's journey by its sender; the reply's text and headers go to the entity's
 * metadata and timeline, and it is placed where the hook says. The same Message-ID twice (an
 * SMTP retry, a resent POST) is taken once.
 */
import { simpleParser } from 'mailparser';
import { RequestError } from '../errors.js';
import type { HookRow } from '../store/journey-records.js';
import type { JourneyContext } from './context.js';
import type { EntityView, WorkspaceEntities } from './entities.js';
import type { HookConfig } from './hook-config.js';

/** How much of a reply's text the timeline keeps (the metadata keeps it whole, up to the body limit). */
const EXCERPT = 500;

export interface ReceivedEmail {
  readonly entity: EntityView & { readonly created: boolean };
  readonly messageId?: string;
}

export async function receiveEmail(
  ctx: JourneyContext,
  hook: HookRow,
  entities: WorkspaceEntities,
  raw: Buffer,
): Promise<ReceivedEmail> {
  const config = hook.config as HookConfig;
  const mail = await simpleParser(raw).catch((error: Error) => {
    throw new RequestError('INPUT_INVALID', `hook '${hook.slug}': the message is not MIME: ${error.message}`);
  });
  const from = mail.from?.value[0];
  if (!from?.address) throw new RequestError('INPUT_INVALID', `hook '${hook.slug}': the message has no From address`);
  const sender = from.address.toLowerCase();
  const existing = await ctx.store.journeys.entityByEmail(hook.workspace, hook.journeyId, sender);
  if (!existing && !config.email?.create) {
    throw new RequestError(
      'NOT_FOUND',
      `hook '${hook.slug}': no entity of journey '${hook.journeyId}' has the email ${sender}, and the hook does not create one`,
    );
  }
  const messageId = mail.messageId;
  if (messageId && !(await ctx.store.journeys.remember(hook.slug, `mid:${messageId}`, ctx.now() + 30 * 86_400_000, ctx.now()))) {
    throw new RequestError('REPLAYED', `hook '${hook.slug}': message ${messageId} was received already`);
  }
  const text = (mail.text ?? '').trim();
  const reply = {
    from: sender,
    subject: mail.subject ?? '',
    text,
    ...(messageId ? { messageId } : {}),
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    ...(mail.date ? { date: mail.date.toISOString() } : {}),
    receivedAt: ctx.now(),
  };
  const entity = await entities.upsert(
    hook.journeyId,
    {
      email: sender,
      ...(from.name && !existing ? { name: from.name } : {}),
      metadata: { lastReply: reply },
      ...(config.node === undefined ? {} : { nodeId: config.node }),
    },
    'email',
    { type: 'email.received', data: { ...reply, text: text.slice(0, EXCERPT) } },
  );
  return { entity, ...(messageId ? { messageId } : {}) };
}
