/**
 * The HTTP application. Infrastructure registers first (security headers, cookies, rate limits,
 * OpenAPI), then the public endpoints (/health, /ready, /metrics, /docs), then /v1 behind
 * authentication, each resource its own route module.
 */
import { Ajv } from 'ajv';
import { refuseNulCharacters } from './input.js';
import ajvFormats from 'ajv-formats';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from 'typebox';
import type { AppContext } from '../app-context.js';
import { ping } from '../store/database.js';
import { registerAuth } from './auth-plugin.js';
import { recordRoutes } from './route-table.js';
import { ErrorBody, installErrorHandling, sendError } from './errors.js';
import { consoleRoutes } from './console.js';
import { createMetrics } from './metrics.js';
import { abuseRoutes } from './routes/abuse.js';
import { attributeRoutes } from './routes/attributes.js';
import { carrierWebhookRoutes } from './routes/carrier-webhooks.js';
import { carrierRoutes } from './routes/carriers.js';
import { campaignRoutes } from './routes/campaigns.js';
import { conversionRoutes } from './routes/conversions.js';
import { analyticsRoutes } from './routes/analytics.js';
import { reportRoutes } from './routes/reports.js';
import { auditRoutes } from './routes/audit.js';
import { consentTextRoutes } from './routes/consent-texts.js';
import { contentRoutes } from './routes/content.js';
import { contactRoutes } from './routes/contacts.js';
import { eventRoutes } from './routes/events.js';
import { formRoutes } from './routes/forms.js';
import { importRoutes } from './routes/imports.js';
import { inboundRoutes } from './routes/inbound.js';
import { linkRoutes, shortLinkRedirect } from './routes/short-links.js';
import { messageRoutes } from './routes/messages.js';
import { policyRoutes } from './routes/policies.js';
import { privacyRoutes } from './routes/privacy.js';
import { segmentRoutes } from './routes/segments.js';
import { simulatorRoutes } from './routes/simulator.js';
import { confirmPageRoutes, subscribeRoutes } from './routes/subscribe.js';
import { suppressionRoutes } from './routes/suppressions.js';
import { authRoutes } from './routes/auth.js';
import { userRoutes } from './routes/users.js';
import { webhookRoutes } from './routes/webhooks.js';
import './types.js';

/** A /v1 route module: registered inside the authenticated scope. */
export type RouteModule = (app: FastifyInstance, ctx: AppContext) => Promise<void>;

export const V1_ROUTE_MODULES: readonly RouteModule[] = [
  authRoutes,
  userRoutes,
  auditRoutes,
  contactRoutes,
  consentTextRoutes,
  suppressionRoutes,
  attributeRoutes,
  linkRoutes,
  contentRoutes,
  policyRoutes,
  eventRoutes,
  privacyRoutes,
  formRoutes,
  subscribeRoutes,
  simulatorRoutes,
  messageRoutes,
  inboundRoutes,
  webhookRoutes,
  importRoutes,
  abuseRoutes,
  carrierRoutes,
  segmentRoutes,
  campaignRoutes,
  conversionRoutes,
  analyticsRoutes,
  reportRoutes,
];

export async function buildApi(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
  });
  recordRoutes(app);
  // Bodies are JSON and must carry the declared types ({"text": 42} is not a text); query strings
  // and path parameters are always strings and are coerced to their declared types.
  const bodyAjv = new Ajv({
    coerceTypes: false,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
  });
  const urlAjv = new Ajv({
    coerceTypes: 'array',
    useDefaults: true,
    removeAdditional: false,
    strict: false,
  });
  // ajv-formats is CommonJS: its default import is the plugin function itself.
  const addFormats = ajvFormats as unknown as (ajv: Ajv) => Ajv;
  addFormats(bodyAjv);
  addFormats(urlAjv);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : urlAjv).compile(schema),
  );
  installErrorHandling(app);
  refuseNulCharacters(app);
  app.addSchema(ErrorBody);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        // The console is never framed (clickjacking) and its forms post only to Herald.
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, context) => ({
      statusCode: 429,
      error: { code: 'RATE_LIMITED', message: `Too many requests; retry in ${context.after}` },
    }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald API',
        version: '1',
        description: 'Consent-first phone-number database and SMS delivery.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'hk_<id>_<secret>' },
          session: { type: 'apiKey', in: 'cookie', name: 'herald_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  const metrics = createMetrics(ctx.store.db);
  metrics.install(app);

  app.get(
    '/health',
    { schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get('/ready', { schema: { hide: true } }, async (_request, reply) => {
    if (await ping(ctx.store.db)) return { status: 'ready', database: ctx.store.dialect };
    return sendError(reply, 'UNAVAILABLE', 'The database is not reachable');
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  await shortLinkRedirect(app, ctx);
  await carrierWebhookRoutes(app, ctx);

  await app.register(
    async (v1) => {
      registerAuth(v1, ctx);
      for (const module of V1_ROUTE_MODULES) await module(v1, ctx);
    },
    { prefix: '/v1' },
  );
  await confirmPageRoutes(app, ctx);
  await consoleRoutes(app);
  return app;
}
