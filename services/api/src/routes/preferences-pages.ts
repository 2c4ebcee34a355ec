import { type Database, notificationPreferencesRepository } from '@corridor/db';
import { NOTIFYING_EVENTS } from '@corridor/notify';
import formbody from '@fastify/formbody';
import escapeHtml from 'escape-html';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

// The pages behind the links in every notification email: a person (a trainee, an employer's contact) clicks
// them in a mail client, so they are HTML forms, not JSON. The token in the path is the credential (a random
// secret per recipient). RFC 8058 one-click unsubscribe: the mail client POSTs `List-Unsubscribe=One-Click` to the
// same URL the link shows. The JSON API for the same preferences is /v1/notification-preferences/{token}.

const EVENT_LABELS: Record<string, string> = {
  'placement.proposed': 'New matches and candidates',
  'placement.accepted': 'Acceptances and decision requests',
  'placement.declined': 'Declined placements',
  'placement.matched': 'Confirmed matches',
  'placement.withdrawn': 'Withdrawn proposals',
  'placement.milestone': 'Steps after a match (visa, arrival, licence)',
  'eligibility.changed': 'Changes to eligibility',
  'vacancy.created': 'New vacancies',
  'vacancy.updated': 'Changed vacancies',
  'webhook_endpoint.disabled': 'Webhook endpoints switched off',
  'match_round.completed': 'Match round reports',
  'match_round.failed': 'Match rounds that failed',
  'match_round.unmatched': 'Match rounds that did not place you',
};

/** The event types a recipient can receive (vacancy webhooks concern organizations' systems, not people). */
const typesFor = (kind: 'contact' | 'trainee') =>
  NOTIFYING_EVENTS.filter((t) => kind === 'trainee' || !t.startsWith('vacancy.'));

const TokenParams = z.object({ token: z.string().min(16).max(64) });

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Corridor</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
table{border-collapse:collapse}td,th{padding:.3rem .8rem;text-align:left}button{padding:.4rem 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

const notFoundPage = (reply: FastifyReply) =>
  reply
    .code(404)
    .type('text/html; charset=utf-8')
    .send(page('Link not recognised', '<p>This link is not (or no longer) valid.</p>'));

export default async function preferencePages(app: FastifyInstance, opts: { database: Database }) {
  const db = opts.database.db;
  // Forms post application/x-www-form-urlencoded; the parser is registered for these routes only.
  await app.register(formbody);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/preferences/:token', { schema: { hide: true, params: TokenParams } }, async (req, reply) => {
    const prefs = await notificationPreferencesRepository.byToken(db, req.params.token);
    if (!prefs) return notFoundPage(reply);
    const channels = prefs.channels as Record<string, string[]>;
    const types = typesFor(prefs.recipient_kind);
    const rows = types
      .map((t) => {
        const chosen = channels[t] ?? ['email', 'inbox'];
        const box = (channel: string) =>
          `<td><input type="checkbox" name="${escapeHtml(`${t}:${channel}`)}" aria-label="${escapeHtml(`${EVENT_LABELS[t] ?? t}: ${channel}`)}"${chosen.includes(channel) ? ' checked' : ''}></td>`;
        return `<tr><td>${escapeHtml(EVENT_LABELS[t] ?? t)}</td>${box('email')}${box('inbox')}</tr>`;
      })
      .join('\n');
    const notice = prefs.email_unsubscribed
      ? '<p><strong>You are unsubscribed from all email.</strong> Tick "Receive email" to receive it again.</p>'
      : '';
    return reply.type('text/html; charset=utf-8').send(
      page(
        'Your notifications',
        `${notice}<form method="post">
<table><thead><tr><th>What</th><th>Email</th><th>In Corridor</th></tr></thead><tbody>
${rows}
</tbody></table>
<p><label><input type="checkbox" name="email"${prefs.email_unsubscribed ? '' : ' checked'}> Receive email at all</label></p>
<p><button type="submit">Save</button></p></form>`,
      ),
    );
  });

  r.post(
    '/preferences/:token',
    { schema: { hide: true, params: TokenParams, body: z.record(z.string(), z.string()).optional() } },
    async (req, reply) => {
      const prefs = await notificationPreferencesRepository.byToken(db, req.params.token);
      if (!prefs) return notFoundPage(reply);
      const form = req.body ?? {};
      const channels: Record<string, string[]> = { ...(prefs.channels as Record<string, string[]>) };
      for (const t of typesFor(prefs.recipient_kind))
        channels[t] = ['email', 'inbox'].filter((channel) => form[`${t}:${channel}`] === 'on');
      await notificationPreferencesRepository.update(db, req.params.token, {
        channels,
        emailUnsubscribed: form.email !== 'on',
      });
      return reply
        .code(303)
        .header('location', `/preferences/${encodeURIComponent(req.params.token)}`)
        .send();
    },
  );

  r.get('/preferences/:token/unsubscribe', { schema: { hide: true, params: TokenParams } }, async (req, reply) => {
    const prefs = await notificationPreferencesRepository.byToken(db, req.params.token);
    if (!prefs) return notFoundPage(reply);
    // A GET must not change anything (mail scanners follow links): the button does.
    return reply.type('text/html; charset=utf-8').send(
      page(
        'Unsubscribe from Corridor email',
        `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<p>You will receive no more email from Corridor. Messages still appear in your Corridor inbox.</p>
<p><button type="submit">Unsubscribe</button></p></form>
<p><a href="/preferences/${escapeHtml(encodeURIComponent(req.params.token))}">Choose which messages you receive instead</a></p>`,
      ),
    );
  });

  r.post(
    '/preferences/:token/unsubscribe',
    { schema: { hide: true, params: TokenParams, body: z.record(z.string(), z.string()).optional() } },
    async (req, reply) => {
      const done = await notificationPreferencesRepository.update(db, req.params.token, { emailUnsubscribed: true });
      if (!done) return notFoundPage(reply);
      return reply
        .type('text/html; charset=utf-8')
        .send(page('Unsubscribed', '<p>You will receive no more email from Corridor.</p>'));
    },
  );
}
