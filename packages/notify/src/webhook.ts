import { createHmac, randomBytes } from 'node:crypto';
import { Agent } from 'undici';
import { parseRetryAfter } from './backoff.ts';
import { checkWebhookUrlForm, guardedLookup, type WebhookTargetPolicy, WebhookTargetRefusedError } from './ssrf.ts';

/** A fresh endpoint secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

const SECRET_PREFIX = 'whsec_';

/**
 * The `webhook-signature` header: one `v1,<sig>` per secret in force, space-separated. During a rotation's grace
 * period both the new and the previous secret sign, so a receiver verifying with either accepts the message.
 *
 * Exactly the Standard Webhooks scheme (and the `standardwebhooks` library's bytes): base64 of the HMAC-SHA256,
 * keyed with the secret's base64-decoded bytes, of `${msgId}.${unix seconds}.${body}`. Computed with node:crypto:
 * the library hashes in JavaScript, which cost ~15 µs a webhook, a tenth of a delivery's CPU in the benchmark.
 * The receivers in the tests verify with the library itself.
 */
export function signWebhook(secrets: readonly string[], msgId: string, at: Date, body: string): string {
  const signed = `${msgId}.${Math.floor(at.getTime() / 1000)}.${body}`;
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
      if (key.length === 0) throw new Error("Secret can't be empty.");
      return `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
    })
    .join(' ');
}

export type WebhookResult =
  | { kind: 'sent'; status: number }
  /** Worth retrying (5xx, 408, network error, timeout); `retryAfterMs` when the receiver said when. */
  | { kind: 'retry'; status: number | null; error: string; retryAfterMs?: number | undefined; throttled: boolean }
  /** 410 Gone: the receiver asks us to stop; the endpoint is disabled. */
  | { kind: 'gone'; status: 410 }
  /** Never retried: the target is refused by the SSRF guard. */
  | { kind: 'refused'; error: string };

export interface WebhookSenderOptions {
  policy: WebhookTargetPolicy;
  /** Per request, connection included. Default 10 s. */
  timeoutMs?: number;
  /** Sockets per receiver origin (keep-alive). Default 64. */
  connections?: number;
}

export interface WebhookSender {
  send(target: { url: string; secrets: readonly string[] }, msgId: string, body: string): Promise<WebhookResult>;
  close(): Promise<void>;
}

/**
 * Sends signed webhooks over keep-alive connections whose address lookup is guarded (see ssrf.ts). Redirects are
 * not followed: a 3xx could point anywhere, including inside our network, so it counts as a failed try.
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const agent = new Agent({
    connections: options.connections ?? 64,
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: timeoutMs, lookup: guardedLookup(options.policy) as never },
  });
  return {
    async send(target, msgId, body) {
      let url: URL;
      try {
        url = new URL(target.url);
      } catch {
        return { kind: 'refused', error: 'the endpoint URL is not valid' };
      }
      const formProblem = checkWebhookUrlForm(url, options.policy);
      if (formProblem) return { kind: 'refused', error: `the endpoint URL ${formProblem}` };
      const at = new Date();
      try {
        const res = await agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Corridor-Webhooks/1',
            'webhook-id': msgId,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': signWebhook(target.secrets, msgId, at, body),
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        // The body is not needed, but it must be consumed for the connection to be reused.
        await res.body.dump({ limit: 64 * 1024 });
        const status = res.statusCode;
        if (status >= 200 && status < 300) return { kind: 'sent', status };
        if (status === 410) return { kind: 'gone', status: 410 };
        const retryAfterHeader = res.headers['retry-after'];
        const retryAfterMs = parseRetryAfter(
          Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader,
          Date.now(),
        );
        return {
          kind: 'retry',
          status,
          error: `the receiver answered ${status}`,
          retryAfterMs,
          throttled: status === 429 || (status === 503 && retryAfterMs !== undefined),
        };
      } catch (err) {
        if (
          err instanceof WebhookTargetRefusedError ||
          (err as { cause?: unknown }).cause instanceof WebhookTargetRefusedError
        )
          return { kind: 'refused', error: (err as Error).message };
        const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        return { kind: 'retry', status: null, error: message, throttled: false };
      }
    },
    close: () => agent.close(),
  };
}
