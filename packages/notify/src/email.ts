import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per delivery: every try of one delivery carries it, so a receiving system can drop a repeat. */
  messageId: string;
  /** RFC 8058 one-click unsubscribe URL (List-Unsubscribe + List-Unsubscribe-Post). */
  unsubscribeUrl?: string | undefined;
  locale: string;
}

export type EmailResult =
  | { kind: 'sent'; response: string }
  | { kind: 'retry'; error: string; code: number | null }
  /** A permanent refusal (5xx for this message or address). */
  | { kind: 'failed'; error: string; code: number | null };

export interface EmailSender {
  send(email: OutgoingEmail): Promise<EmailResult>;
  close(): void;
}

/**
 * Email over SMTP (nodemailer), from `SMTP_URL`. A pooled transport keeps a few connections open, so a burst of
 * notifications does not pay a TCP and TLS handshake each. 4xx replies and connection failures are temporary
 * (retried); 5xx replies are permanent.
 */
export function createEmailSender(smtpUrl: string, from: string, options: { pool?: number } = {}): EmailSender {
  const url = new URL(smtpUrl);
  url.searchParams.set('pool', 'true');
  url.searchParams.set('maxConnections', String(options.pool ?? 5));
  const transport = nodemailer.createTransport(url.toString(), { from });
  return {
    async send(email) {
      try {
        const info = await transport.sendMail({
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: email.messageId,
          headers: {
            'Content-Language': email.locale,
            'Auto-Submitted': 'auto-generated',
            ...(email.unsubscribeUrl
              ? {
                  'List-Unsubscribe': `<${email.unsubscribeUrl}>`,
                  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
                }
              : {}),
          },
        });
        return { kind: 'sent', response: String(info.response ?? '') };
      } catch (err) {
        const e = err as { responseCode?: number; message?: string; code?: string };
        const code = typeof e.responseCode === 'number' ? e.responseCode : null;
        const error = `${e.code ?? 'SMTP'}: ${e.message ?? String(err)}`;
        if (code !== null && code >= 500) return { kind: 'failed', error, code };
        return { kind: 'retry', error, code };
      }
    },
    close: () => transport.close(),
  };
}
