/** Who is acting: a person with a session, a program with an API key, or Herald itself. */
import type { Permission, Role } from '../core/roles.js';

export type Principal =
  | {
      readonly kind: 'user';
      readonly userId: number;
      readonly username: string;
      readonly role: Role;
      readonly permissions: readonly Permission[];
      readonly sessionId: string;
      readonly csrfToken: string;
    }
  | {
      readonly kind: 'apikey';
      readonly keyId: string;
      readonly name: string;
      readonly permissions: readonly Permission[];
    }
  | { readonly kind: 'system'; readonly name: string; readonly permissions: readonly Permission[] };

export function actorOf(p: Principal): string {
  switch (p.kind) {
    case 'user':
      return `user:${p.username}`;
    case 'apikey':
      return `apikey:${p.keyId}`;
    case 'system':
      return `system:${p.name}`;
  }
}

export function hasPermission(p: Principal, permission: Permission): boolean {
  return p.permissions.includes(permission);
}
