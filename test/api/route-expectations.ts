/**
 * What every route of Herald expects of its caller: the authorisation matrix
 * (authz-matrix.test.ts) walks the application's own route table and fails on a route that has
 * no line here, and on a line here that names no route. Adding a route is one line:
 *
 *   'POST /v1/segments': 'segments:write',
 *
 * A value is the permission the caller needs, a list of permissions needed together,
 * 'authenticated' (any signed-in caller), or a probe object when the request needs a concrete
 * URL or body to reach the interesting path ({contact} and {message} are replaced by the ids of
 * the seeded contact and message). Public routes are listed apart, each with the reason it is
 * open, so that opening a route is a reviewed decision.
 */
import type { Permission } from '../../src/core/roles.js';

export type Need =
  | 'authenticated'
  | Permission
  | readonly Permission[]
  /** Any one of these permissions is enough. */
  | { readonly anyOf: readonly Permission[] };
export interface Probe {
  readonly need: Need;
  /** The URL to call, with {contact} / {message} placeholders; default: the route's own. */
  readonly url?: string;
  /** JSON body for writes; default {}. */
  readonly body?: unknown;
}
export type Expectation = Need | Probe | readonly Probe[];

/** Open to anyone, and why. */
export const PUBLIC_ROUTES: Record<string, string> = {
  'GET /health': 'liveness probe',
  'GET /ready': 'readiness probe for the load balancer',
  'GET /metrics': 'Prometheus scrape (no personal data: counters only)',
  'GET /docs': 'redirect to the Swagger UI',
  'GET /docs/json': 'the OpenAPI document',
  'GET /docs/yaml': 'the OpenAPI document',
  'GET /docs/static/index.html': 'Swagger UI',
  'GET /docs/static/swagger-initializer.js': 'Swagger UI',
  'GET /docs/static/*': 'Swagger UI assets',
  'GET /s/:code': 'short-link redirect followed by recipients',
  'GET /': "the console's page (it signs in over /v1; no data in it)",
  'GET /*': "the console's page for its own paths (reloads of /campaigns/7 and the like)",
  'GET /assets/*': "the console's scripts and styles (built, no data in them)",
  'GET /c/:token': 'double opt-in confirmation page opened by recipients',
  'POST /c/:token': 'double opt-in confirmation submitted by recipients',
  'POST /v1/auth/login': 'sign-in (throttled, locks out)',
  'GET /v1/auth/session':
    'whether the caller is signed in (the console asks on load); no data without a session',
  'POST /v1/subscribe': 'public sign-up forms (rate-limited, no enumeration)',
  'POST /webhooks/:carrier/receipts': "carriers' delivery receipts, verified by their signature",
  'POST /webhooks/:carrier/inbound': "carriers' inbound messages, verified by their signature",
};

export const ROUTE_EXPECTATIONS: Record<string, Expectation> = {
  'POST /v1/auth/logout': 'authenticated',
  'GET /v1/auth/me': 'authenticated',
  'POST /v1/auth/logout-all': 'authenticated',
  'POST /v1/auth/password': 'authenticated',

  'GET /v1/users': 'users:manage',
  'GET /v1/roles': { anyOf: ['users:manage', 'apikeys:manage'] },
  'POST /v1/users': 'users:manage',
  'PATCH /v1/users/:id': { need: 'users:manage', url: '/v1/users/999999' },
  'DELETE /v1/users/:id/sessions': { need: 'users:manage', url: '/v1/users/999999/sessions' },
  'GET /v1/api-keys': 'apikeys:manage',
  'POST /v1/api-keys': 'apikeys:manage',
  'DELETE /v1/api-keys/:id': { need: 'apikeys:manage', url: '/v1/api-keys/AAAAAAAAAAAA' },
  'POST /v1/api-keys/:id/rotate': {
    need: 'apikeys:manage',
    url: '/v1/api-keys/AAAAAAAAAAAA/rotate',
  },
  'GET /v1/audit': 'audit:read',
  'GET /v1/audit/verify': 'audit:read',

  'POST /v1/contacts': 'contacts:write',
  'GET /v1/contacts': [
    { need: 'contacts:lookup', url: '/v1/contacts?phone=%2B8613912345678' },
    { need: ['contacts:lookup', 'contacts:read'] },
  ],
  'GET /v1/contacts/:id': { need: 'contacts:read', url: '/v1/contacts/{contact}' },
  'PATCH /v1/contacts/:id': { need: 'contacts:write', url: '/v1/contacts/{contact}' },
  'DELETE /v1/contacts/:id': { need: 'contacts:erase', url: '/v1/contacts/999999' },
  'POST /v1/contacts/:id/reveal': {
    need: 'contacts:reveal',
    url: '/v1/contacts/{contact}/reveal',
    body: { reason: 'authorisation matrix' },
  },
  'GET /v1/contacts/:id/consents': { need: 'consent:read', url: '/v1/contacts/{contact}/consents' },
  'POST /v1/contacts/:id/consents': {
    need: 'consent:write',
    url: '/v1/contacts/{contact}/consents',
  },
  'POST /v1/contacts/:id/opt-out': { need: 'optout:record', url: '/v1/contacts/999999/opt-out' },
  'GET /v1/contacts/:id/events': { need: 'contacts:read', url: '/v1/contacts/{contact}/events' },
  'GET /v1/contacts/:id/clicks': { need: 'contacts:read', url: '/v1/contacts/{contact}/clicks' },
  'POST /v1/consent-texts': 'consent:write',
  'GET /v1/consent-texts': 'consent:read',
  'GET /v1/consent-texts/:id': { need: 'consent:read', url: '/v1/consent-texts/1' },
  'GET /v1/suppressions': 'suppressions:manage',
  'POST /v1/suppressions': 'suppressions:manage',
  'POST /v1/suppressions/unblock': 'suppressions:manage',
  'GET /v1/attributes': 'contacts:read',
  'PUT /v1/attributes/:name': { need: 'settings:manage', url: '/v1/attributes/loyalty' },
  'DELETE /v1/attributes/:name': { need: 'settings:manage', url: '/v1/attributes/loyalty' },
  'POST /v1/events': 'events:write',
  // The export answers with the clear number: it is a reveal as well.
  'POST /v1/privacy/export': [
    { need: ['contacts:export', 'contacts:reveal'], body: { phone: '+8613912345678' } },
    { need: ['contacts:export', 'contacts:reveal'], body: { contactId: '{contact}' } },
  ],
  'POST /v1/privacy/erase': 'contacts:erase',
  'POST /v1/imports': 'imports:write',
  'POST /v1/imports/:id/resume': { need: 'imports:write', url: '/v1/imports/999999/resume' },
  'GET /v1/imports': 'contacts:read',
  'GET /v1/imports/:id': { need: 'contacts:read', url: '/v1/imports/999999' },
  'GET /v1/imports/:id/report': { need: 'contacts:read', url: '/v1/imports/999999/report' },

  'POST /v1/links': 'templates:write',
  'GET /v1/links/:code': { need: 'reports:read', url: '/v1/links/nope' },
  'POST /v1/content/inspect': 'content:inspect',
  'POST /v1/content/lint': 'content:inspect',
  'POST /v1/templates/preview': 'content:inspect',
  'POST /v1/templates/worst-case': 'content:inspect',
  'GET /v1/policies': 'decisions:explain',
  'PUT /v1/policies/:id/overrides': { need: 'policies:manage', url: '/v1/policies/nope/overrides' },
  'POST /v1/decisions/explain': 'decisions:explain',

  'POST /v1/forms': 'forms:manage',
  'GET /v1/forms': 'forms:manage',
  'POST /v1/simulator/inbound': 'carriers:manage',
  'GET /v1/simulator/messages': 'carriers:manage',
  'POST /v1/messages': 'messages:send',
  'GET /v1/messages': 'messages:read',
  'GET /v1/messages/:id': { need: 'messages:read', url: '/v1/messages/{message}' },
  'GET /v1/inbound': 'messages:read',

  'POST /v1/webhooks': 'settings:manage',
  'GET /v1/webhooks': 'settings:manage',
  'GET /v1/webhooks/:id': { need: 'settings:manage', url: '/v1/webhooks/999999' },
  'PATCH /v1/webhooks/:id': { need: 'settings:manage', url: '/v1/webhooks/999999' },
  'DELETE /v1/webhooks/:id': { need: 'settings:manage', url: '/v1/webhooks/999999' },
  'POST /v1/webhooks/:id/rotate-secret': {
    need: 'settings:manage',
    url: '/v1/webhooks/999999/rotate-secret',
  },
  'GET /v1/webhooks/:id/deliveries': {
    need: 'settings:manage',
    url: '/v1/webhooks/999999/deliveries',
  },

  'GET /v1/abuse/geo-permissions': 'settings:manage',
  'PUT /v1/abuse/geo-permissions/:kind': 'settings:manage',
  'DELETE /v1/abuse/geo-permissions/:kind': 'settings:manage',
  'GET /v1/abuse/blocked': 'settings:manage',

  'GET /v1/carriers': 'carriers:manage',
  'GET /v1/carrier-types': 'carriers:manage',
  'POST /v1/carriers': 'carriers:manage',
  'GET /v1/carriers/:name': 'carriers:manage',
  'PATCH /v1/carriers/:name': 'carriers:manage',
  'DELETE /v1/carriers/:name': 'carriers:manage',
  'GET /v1/carriers/routing': 'carriers:manage',
  'PUT /v1/carriers/routing': 'carriers:manage',
  'DELETE /v1/carriers/routing': 'carriers:manage',

  'POST /v1/segments/preview': { anyOf: ['contacts:read', 'campaigns:read'] },
  'GET /v1/segments': { anyOf: ['contacts:read', 'campaigns:read'] },
  'GET /v1/segments/:id': { anyOf: ['contacts:read', 'campaigns:read'] },
  'GET /v1/segments/:id/count': { anyOf: ['contacts:read', 'campaigns:read'] },
  'POST /v1/segments': 'segments:write',
  'PATCH /v1/segments/:id': 'segments:write',
  'DELETE /v1/segments/:id': 'segments:write',

  'GET /v1/campaigns': 'campaigns:read',
  'GET /v1/campaigns/:id': 'campaigns:read',
  'GET /v1/campaigns/:id/policy-check': 'campaigns:read',
  'POST /v1/campaigns': 'campaigns:write',
  'PATCH /v1/campaigns/:id': 'campaigns:write',
  'POST /v1/campaigns/:id/submit': 'campaigns:write',
  'POST /v1/campaigns/:id/schedule': 'campaigns:write',
  'POST /v1/campaigns/:id/pause': 'campaigns:write',
  'POST /v1/campaigns/:id/resume': 'campaigns:write',
  'POST /v1/campaigns/:id/cancel': 'campaigns:write',
  'POST /v1/campaigns/:id/approve': 'campaigns:approve',
  'POST /v1/campaigns/:id/reject': 'campaigns:approve',

  'POST /v1/conversions': 'events:write',
  'GET /v1/analytics/campaigns/:id': {
    need: 'reports:read',
    url: '/v1/analytics/campaigns/999999',
  },
  'GET /v1/analytics/campaigns/:id/hourly': {
    need: 'reports:read',
    url: '/v1/analytics/campaigns/999999/hourly',
  },
  'GET /v1/analytics/dashboard': 'reports:read',
  'GET /v1/analytics/overview': 'reports:read',
  'GET /v1/reports/compliance': 'reports:read',
};
