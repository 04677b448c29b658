/**
 * The console's areas: where each lives, the permission that opens it (any one of the list),
 * and its module, loaded when first opened. An area the caller's role may not use is neither
 * offered in the navigation nor routed. Each area owns its sub-routes (folder pages/<area>/).
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface Area {
  readonly key: string;
  readonly path: string;
  readonly anyOf: readonly string[];
  readonly component: LazyExoticComponent<ComponentType>;
}

export const AREAS: readonly Area[] = [
  {
    key: 'dashboard',
    path: 'dashboard',
    anyOf: ['reports:read', 'messages:read'],
    component: lazy(() => import('./pages/dashboard')),
  },
  {
    key: 'contacts',
    path: 'contacts',
    anyOf: ['contacts:read', 'contacts:lookup'],
    component: lazy(() => import('./pages/contacts')),
  },
  {
    key: 'imports',
    path: 'imports',
    anyOf: ['imports:write'],
    component: lazy(() => import('./pages/imports')),
  },
  {
    key: 'segments',
    path: 'segments',
    anyOf: ['segments:write', 'campaigns:read'],
    component: lazy(() => import('./pages/segments')),
  },
  {
    key: 'campaigns',
    path: 'campaigns',
    anyOf: ['campaigns:read'],
    component: lazy(() => import('./pages/campaigns')),
  },
  {
    key: 'messages',
    path: 'messages',
    anyOf: ['messages:read'],
    component: lazy(() => import('./pages/messages')),
  },
  {
    key: 'inbox',
    path: 'inbox',
    anyOf: ['messages:read'],
    component: lazy(() => import('./pages/inbox')),
  },
  {
    key: 'compliance',
    path: 'compliance',
    anyOf: ['suppressions:manage', 'audit:read', 'contacts:erase'],
    component: lazy(() => import('./pages/compliance')),
  },
  {
    key: 'settings',
    path: 'settings',
    anyOf: [
      'settings:manage',
      'carriers:manage',
      'users:manage',
      'apikeys:manage',
      'policies:manage',
    ],
    component: lazy(() => import('./pages/settings')),
  },
];

export function areasFor(can: (permission: string) => boolean): readonly Area[] {
  return AREAS.filter((area) => area.anyOf.some(can));
}
