/**
 * Public double opt-in: `POST /v1/subscribe` for sign-up pages, and the confirmation page
 * `/c/<token>` that the confirmation SMS links to. The page confirms only on POST (its button):
 * link-preview bots and mail scanners fetch links with GET, and must not give consent for anyone.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { confirmByToken, peekToken, subscribe } from '../../contacts/double-opt-in.js';
import type { ReplyLanguage } from '../../delivery/replies.js';
import { ErrorBody } from '../errors.js';
import { AttributesInput, CountrySchema } from './contact-schemas.js';

const Accepted = Type.Object({
  status: Type.Literal('accepted'),
  message: Type.String(),
});
const ACCEPTED = {
  status: 'accepted' as const,
  message: 'If this number can receive our messages, a confirmation SMS is on its way.',
};

export async function subscribeRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    '/subscribe',
    {
      // Limits per IP, number, prefix and country are the pumping guard's, kept in the store so
      // they hold across processes (src/abuse/pumping-guard.ts).
      config: { public: true },
      schema: {
        tags: ['forms'],
        summary:
          'Sign a number up through a form: a confirmation SMS asks the person to confirm. Always 202, whatever the number’s state',
        security: [],
        body: Type.Object(
          {
            formKey: Type.String({ minLength: 1, maxLength: 64 }),
            phone: Type.String({ minLength: 1, maxLength: 64 }),
            country: Type.Optional(CountrySchema),
            locale: Type.Optional(Type.String({ minLength: 2, maxLength: 35 })),
            attributes: Type.Optional(AttributesInput),
            pageUrl: Type.Optional(Type.String({ maxLength: 2048 })),
          },
          { additionalProperties: false },
        ),
        response: { 202: Accepted, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const b = request.body;
      await subscribe(ctx, {
        formKey: b.formKey,
        phone: b.phone,
        country: b.country,
        locale: b.locale,
        attributes: b.attributes,
        pageUrl: b.pageUrl,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      });
      return reply.status(202).send(ACCEPTED);
    },
  );
}

// ---- the confirmation page -------------------------------------------------------------------

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

const WORDS = {
  en: {
    title: 'Confirm your subscription',
    ask: (brand: string) => `Confirm that you want to receive text messages from ${brand}.`,
    button: 'Confirm subscription',
    done: (brand: string) => `Thank you: your subscription to ${brand} is confirmed.`,
    already: 'Your subscription is already confirmed.',
    invalid: 'This link has expired or is no longer valid.',
  },
  zh: {
    title: '确认订阅',
    ask: (brand: string) => `请确认您愿意接收【${brand}】的短信。`,
    button: '确认订阅',
    done: (brand: string) => `感谢！您已成功订阅【${brand}】的短信。`,
    already: '您已确认订阅。',
    invalid: '此链接已失效。',
  },
} as const;

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function page(
  reply: FastifyReply,
  status: number,
  language: ReplyLanguage,
  text: string,
  form?: { action: string; button: string },
): FastifyReply {
  const w = WORDS[language];
  const button = form
    ? `<form method="post" action="${escapeHtml(form.action)}"><button type="submit">${escapeHtml(form.button)}</button></form>`
    : '';
  const html = `<!doctype html>
<html lang="${language === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(w.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
button{font-size:1.1rem;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#1d4ed8;color:#fff}</style>
</head><body><h1>${escapeHtml(w.title)}</h1><p>${escapeHtml(text)}</p>${button}</body></html>`;
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex')
    .type('text/html; charset=utf-8')
    .send(html);
}

/** `/c/<token>`: outside /v1, public, rate-limited; GET shows a button, POST confirms. */
export async function confirmPageRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (scope) => {
    // The page's own form posts url-encoded; nothing in the body is needed, only the token.
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_request, _body, done) => done(null, {}),
    );
    const options = {
      schema: { hide: true },
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
    };

    scope.get('/c/:token', options, async (request, reply) => {
      const { token } = request.params as { token: string };
      const peek = TOKEN.test(token)
        ? await peekToken(ctx, token, new Date())
        : ({ state: 'not_found', language: 'en' } as const);
      const w = WORDS[peek.language];
      const brand = peek.brand ?? '';
      switch (peek.state) {
        case 'open':
          return page(reply, 200, peek.language, w.ask(brand), {
            action: `/c/${token}`,
            button: w.button,
          });
        case 'confirmed':
          return page(reply, 200, peek.language, w.already);
        case 'closed':
          return page(reply, 410, peek.language, w.invalid);
        default:
          return page(reply, 404, peek.language, w.invalid);
      }
    });

    scope.post('/c/:token', options, async (request, reply) => {
      const { token } = request.params as { token: string };
      if (!TOKEN.test(token)) return page(reply, 404, 'en', WORDS.en.invalid);
      const now = new Date();
      const peek = await peekToken(ctx, token, now);
      const w = WORDS[peek.language];
      const outcome = await confirmByToken(ctx, token, {
        at: now,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      });
      switch (outcome.status) {
        case 'confirmed':
          return page(reply, 200, peek.language, w.done(peek.brand ?? ''));
        case 'already_confirmed':
          return page(reply, 200, peek.language, w.already);
        case 'not_found':
          return page(reply, 404, peek.language, w.invalid);
        default:
          return page(reply, 410, peek.language, w.invalid);
      }
    });
  });
}
