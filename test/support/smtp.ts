/** A real SMTP server (npm smtp-server) on 127.0.0.1 for e-mail tests; mailparser reads what arrives. */
import net from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface Received {
  envelope: { from: string; to: string[] };
  mail: ParsedMail;
}

export interface Smtp {
  url: (auth?: string) => string;
  received: Received[];
  close(): Promise<void>;
}

/** `port`: 0 for any free one, or a given one (a server that comes back where it was). */
export async function startSmtp(extra: Partial<SMTPServerOptions> = {}, port = 0): Promise<Smtp> {
  const received: Received[] = [];
  const server = new SMTPServer({
    // No STARTTLS: the test server has no certificate a client would trust.
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        simpleParser(Buffer.concat(chunks), { keepCidLinks: true })
          .then((mail) => {
            received.push({
              envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
              mail,
            });
            callback(null, 'queued');
          })
          .catch(callback);
      });
    },
    ...extra,
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.server.address() as net.AddressInfo).port;
  return {
    url: (auth) => `smtp://${auth ? `${auth}@` : ''}127.0.0.1:${bound}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
