// The outreach example's action: `email.send` sends one email through an SMTP server
// (OUTREACH_SMTP, default smtp://127.0.0.1:2525 — mail-sink.mjs, or any server you run).
//   runloom serve --smtp-port 2526 --actions examples/outreach/actions.mjs
import nodemailer from 'nodemailer';
import { z } from 'zod';

const from = process.env.OUTREACH_FROM ?? 'Runloom outreach <replies@outreach.test>';

export const emailSend = {
  name: 'email.send',
  description: 'Sends an email (SMTP, OUTREACH_SMTP); returns its Message-ID.',
  input: z.strictObject({ to: z.email(), subject: z.string().min(1), text: z.string() }),
  async run(input) {
    const transport = nodemailer.createTransport(process.env.OUTREACH_SMTP ?? 'smtp://127.0.0.1:2525', { ignoreTLS: true });
    const info = await transport.sendMail({ from, to: input.to, subject: input.subject, text: input.text });
    return { messageId: info.messageId, to: input.to };
  },
};

export default [emailSend];
