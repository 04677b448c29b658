// docs/compliance.md is generated from the packs where it states rules; this keeps it honest.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getPolicyPack } from '../../../src/core/policy/packs.js';
import { POLICY_PACK_IDS } from '../../../src/core/policy/policy-pack.js';
import { DECISION_REASONS } from '../../../src/core/policy/reasons.js';
import { renderPolicyTable } from '../../../src/core/policy/sources.js';

const doc = readFileSync(new URL('../../../docs/compliance.md', import.meta.url), 'utf8');

describe('docs/compliance.md', () => {
  it.each(POLICY_PACK_IDS.map((id) => [id]))('carries the current table of the %s pack', (id) => {
    expect(doc).toContain(renderPolicyTable(getPolicyPack(id)));
  });

  it.each(DECISION_REASONS.map((reason) => [reason]))('documents the reason %s', (reason) => {
    expect(doc).toContain(`| \`${reason}\` |`);
  });
});
