// A local SMTP server that prints what it receives (the outreach example's "outbox").
//   node examples/outreach/mail-sink.mjs [port]   (default 2525)
import { SMTPServer } from 'smtp-server';

const port = Number(process.argv[2] ?? 2525);
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  onData(stream, session, callback) {
    let text = '';
    stream.on('data', (chunk) => {
      text += chunk;
    });
    stream.on('end', () => {
      const subject = /^Subject: (.*)$/m.exec(text)?.[1] ?? '';
      console.log(`mail to ${session.envelope.rcptTo.map((r) => r.address).join(', ')}: ${subject}`);
      callback();
    });
  },
});
server.listen(port, '127.0.0.1', () => console.log(`mail sink on 127.0.0.1:${port}`));
