/**
 * The settings area's sections: where each lives and the permission that opens it. The sub-
 * navigation offers, and the area routes, only the sections the caller's role may use.
 */
export const SECTIONS = [
  { key: 'carriers', path: 'carriers', permission: 'carriers:manage' },
  { key: 'routes', path: 'routes', permission: 'carriers:manage' },
  { key: 'policies', path: 'policies', permission: 'policies:manage' },
  { key: 'users', path: 'users', permission: 'users:manage' },
  { key: 'apiKeys', path: 'api-keys', permission: 'apikeys:manage' },
  { key: 'webhooks', path: 'webhooks', permission: 'settings:manage' },
  { key: 'abuse', path: 'abuse', permission: 'settings:manage' },
] as const;

export type Section = (typeof SECTIONS)[number];
export type SectionKey = Section['key'];

export function sectionsFor(can: (permission: string) => boolean): readonly Section[] {
  return SECTIONS.filter((s) => can(s.permission));
}
