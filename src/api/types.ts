/** Fastify augmentations shared by every route module. */
import type { Permission } from '../core/roles.js';
import type { Principal } from '../security/principal.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a /v1 route requires; 'authenticated' for any signed-in caller. */
    permission?: Permission | 'authenticated';
    /** A /v1 route open to anyone (login, public sign-up forms). */
    public?: boolean;
    /** A carrier's callback (/webhooks/...): authenticated by the carrier's signature or token. */
    carrierWebhook?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export {};
