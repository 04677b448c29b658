/**
 * The compliance area's pages and what each needs (the same permissions as their routes in
 * test/api/route-expectations.ts): a page the caller may not use is neither offered nor routed.
 */
export type Can = (permission: string) => boolean;

export interface Section {
  readonly key: 'suppressions' | 'consentTexts' | 'requests' | 'audit' | 'report';
  readonly path: string;
  readonly allowed: (can: Can) => boolean;
}

/** The export answers with the clear number, so it needs contacts:reveal as well. */
export const canExport: (can: Can) => boolean = (can) =>
  can('contacts:export') && can('contacts:reveal');

export const SECTIONS: readonly Section[] = [
  { key: 'suppressions', path: 'suppressions', allowed: (can) => can('suppressions:manage') },
  { key: 'consentTexts', path: 'consent-texts', allowed: (can) => can('consent:read') },
  {
    key: 'requests',
    path: 'requests',
    allowed: (can) => canExport(can) || can('contacts:erase'),
  },
  { key: 'audit', path: 'audit', allowed: (can) => can('audit:read') },
  { key: 'report', path: 'report', allowed: (can) => can('reports:read') },
];

export function sectionsFor(can: Can): readonly Section[] {
  return SECTIONS.filter((s) => s.allowed(can));
}
