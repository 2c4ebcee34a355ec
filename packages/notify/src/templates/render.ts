import escapeHtml from 'escape-html';
import { en } from './en.ts';
import type { Message, Messages, RenderLinks, TemplateData, TemplateId } from './types.ts';

// One catalogue per language; English is the fallback. Adding a language is adding a file that satisfies
// `Messages` (the compiler lists every template it misses) and registering it here.
const CATALOGUES: Record<string, Messages> = { en };

export const SUPPORTED_LOCALES = Object.keys(CATALOGUES);

export function messagesFor(locale: string | null | undefined): Messages {
  const base = (locale ?? 'en').toLowerCase().split('-')[0]!;
  return CATALOGUES[base] ?? en;
}

export function renderMessage<K extends TemplateId>(
  template: K,
  data: TemplateData[K],
  locale: string | null | undefined,
  links: RenderLinks,
): { message: Message; messages: Messages } {
  const messages = messagesFor(locale);
  const render = messages.render[template] as (d: TemplateData[K], l: RenderLinks) => Message;
  return { message: render(data, links), messages };
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  locale: string;
}

/** Text and HTML from the same message. Every value is escaped: nothing a user typed becomes markup. */
export function renderEmail<K extends TemplateId>(
  template: K,
  data: TemplateData[K],
  options: { locale?: string | null | undefined; links: RenderLinks; name?: string | null | undefined },
): RenderedEmail {
  const { message, messages } = renderMessage(template, data, options.locale, options.links);
  const links = options.links;
  const greeting = messages.greeting(options.name ?? null);
  const text = [
    greeting,
    '',
    ...message.paragraphs.flatMap((p) => [p, '']),
    ...(message.list?.length ? [...message.list.map((l) => `- ${l}`), ''] : []),
    ...(message.action ? [`${message.action.label}: ${message.action.url}`, ''] : []),
    '--',
    messages.footer.why,
    ...(links.preferences ? [`${messages.footer.preferences}: ${links.preferences}`] : []),
    ...(links.unsubscribe ? [`${messages.footer.unsubscribe}: ${links.unsubscribe}`] : []),
  ].join('\n');
  const e = escapeHtml;
  const html = `<!doctype html>
<html lang="${e(messages.locale)}"><head><meta charset="utf-8"><title>${e(message.subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:40rem">
<p>${e(greeting)}</p>
${message.paragraphs.map((p) => `<p>${e(p)}</p>`).join('\n')}
${message.list?.length ? `<ul>${message.list.map((l) => `<li>${e(l)}</li>`).join('')}</ul>` : ''}
${message.action ? `<p><a href="${e(message.action.url)}">${e(message.action.label)}</a></p>` : ''}
<hr><p style="font-size:0.85em;color:#555">${e(messages.footer.why)}<br>
${links.preferences ? `<a href="${e(links.preferences)}">${e(messages.footer.preferences)}</a>` : ''}
${links.unsubscribe ? ` · <a href="${e(links.unsubscribe)}">${e(messages.footer.unsubscribe)}</a>` : ''}</p>
</body></html>`;
  return { subject: message.subject, text, html, locale: messages.locale };
}

/** An inbox item: the subject as its title, the paragraphs (and list) as its body. */
export function renderInbox<K extends TemplateId>(
  template: K,
  data: TemplateData[K],
  links: RenderLinks,
  locale?: string | null,
): { title: string; body: string } {
  const { message } = renderMessage(template, data, locale, links);
  return {
    title: message.subject,
    body: [...message.paragraphs, ...(message.list ?? []).map((l) => `- ${l}`)].join('\n'),
  };
}
