/**
 * Roles and permissions (DESIGN.md, "Roles"). A permission is `resource:action`; a role is a
 * fixed set of permissions; an API key carries a subset of permissions as its scopes.
 *
 * @example
 *   can('marketer', 'campaigns:approve') // false: a second person approves
 */
export const PERMISSIONS = [
  'users:manage',
  'apikeys:manage',
  'keys:rotate',
  'settings:manage',
  'carriers:manage',
  'policies:manage',
  'audit:read',
  'contacts:read',
  'contacts:write',
  'contacts:lookup',
  'contacts:reveal',
  'contacts:export',
  'contacts:erase',
  'consent:read',
  'consent:write',
  'optout:record',
  'suppressions:manage',
  'imports:write',
  'events:write',
  'forms:manage',
  'segments:write',
  'templates:write',
  'content:inspect',
  'decisions:explain',
  'campaigns:read',
  'campaigns:write',
  'campaigns:approve',
  'messages:read',
  'messages:send',
  'reports:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['admin', 'compliance', 'marketer', 'analyst', 'support'] as const;
export type Role = (typeof ROLES)[number];

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  compliance: [
    'audit:read',
    'contacts:read',
    'contacts:lookup',
    'contacts:reveal',
    'contacts:export',
    'contacts:erase',
    'consent:read',
    'optout:record',
    'suppressions:manage',
    'content:inspect',
    'decisions:explain',
    'campaigns:read',
    'campaigns:approve',
    'messages:read',
    'reports:read',
  ],
  marketer: [
    'contacts:read',
    'contacts:write',
    'contacts:lookup',
    'consent:read',
    'consent:write',
    'imports:write',
    'events:write',
    'forms:manage',
    'segments:write',
    'templates:write',
    'content:inspect',
    'decisions:explain',
    'campaigns:read',
    'campaigns:write',
    'messages:read',
    'reports:read',
  ],
  analyst: ['campaigns:read', 'reports:read', 'content:inspect'],
  support: ['contacts:lookup', 'consent:read', 'messages:read', 'optout:record'],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/** The permissions of a role. @example permissionsOf('analyst') // ['campaigns:read', ...] */
export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

/** @example can('support', 'optout:record') // true */
export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
