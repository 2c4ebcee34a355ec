import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';

// Real receivers for the notification tests and benchmarks: an SMTP server (smtp-server) whose messages are
// parsed (mailparser), and an HTTP server that verifies Standard Webhooks signatures (the spec's own library).

export interface CapturedEmail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Map<string, unknown>;
  raw: ParsedMail;
}

export interface SmtpReceiver {
  url: string;
  emails: CapturedEmail[];
  /** While set, every message is refused with this reply code (421/451: try later; 550: permanent). */
  refuseWith: number | null;
  refused: number;
  close(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const receiver: SmtpReceiver = {
    url: '',
    emails: [],
    refuseWith: null,
    refused: 0,
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      if (receiver.refuseWith !== null) {
        stream.resume();
        receiver.refused++;
        const err = Object.assign(new Error('mailbox busy, try again later'), { responseCode: receiver.refuseWith });
        stream.on('end', () => callback(err));
        return;
      }
      simpleParser(stream)
        .then((mail) => {
          const to = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) =>
            a.value.map((v) => v.address ?? ''),
          );
          receiver.emails.push({
            to,
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            messageId: mail.messageId ?? '',
            headers: mail.headers as Map<string, unknown>,
            raw: mail,
          });
          callback();
        })
        .catch((err) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  receiver.url = `smtp://127.0.0.1:${port}`;
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
  return receiver;
}

export interface ReceivedWebhook {
  id: string;
  timestamp: number;
  body: string;
  headers: IncomingHttpHeaders;
  verified: boolean;
  at: number;
}

export interface WebhookReceiver {
  url: string;
  /** Secrets to verify with (one endpoint's, or several: any that verifies is accepted). */
  secrets: string[];
  received: ReceivedWebhook[];
  /** Distinct verified webhook-ids, and how often each arrived. */
  counts: Map<string, number>;
  /** The status to answer (default 200), optionally per call; `delayMs` before answering. */
  respond: (req: ReceivedWebhook) => { status: number; headers?: Record<string, string>; delayMs?: number };
  rejected: number;
  close(): Promise<void>;
}

/** Verifies every request with the Standard Webhooks library: a bad signature or a stale timestamp gets 400. */
export async function startWebhookReceiver(path = '/hooks'): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    secrets: [],
    received: [],
    counts: new Map(),
    respond: () => ({ status: 200 }),
    rejected: 0,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = req.headers as Record<string, string>;
      let verified = false;
      for (const secret of receiver.secrets) {
        try {
          new Webhook(secret).verify(body, headers);
          verified = true;
          break;
        } catch {}
      }
      const hook: ReceivedWebhook = {
        id: headers['webhook-id'] ?? '',
        timestamp: Number(headers['webhook-timestamp']),
        body,
        headers: req.headers,
        verified,
        at: Date.now(),
      };
      if (!verified) {
        receiver.rejected++;
        res.writeHead(400).end('signature or timestamp rejected');
        return;
      }
      const answer = receiver.respond(hook);
      const finish = () => {
        // Counted when accepted (2xx): what the receiver processed.
        receiver.received.push(hook);
        if (answer.status >= 200 && answer.status < 300)
          receiver.counts.set(hook.id, (receiver.counts.get(hook.id) ?? 0) + 1);
        res.writeHead(answer.status, answer.headers).end();
      };
      if (answer.delayMs) setTimeout(finish, answer.delayMs);
      else finish();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
