/**
 * Rows written straight into a test store's tables, for store tests that set up a state without
 * the API (no encryption: `phone_enc` is a placeholder, `phone_index` a label chosen by the test).
 */

/** A contact row holding the number labelled `phoneIndex`, created and updated at `at`. */
export const contactRow = (id: number, phoneIndex: string, at = '2030-01-01T00:00:00.000Z') => ({
  id,
  phone_enc: 'x',
  phone_index: phoneIndex,
  number_type: 'mobile',
  zones: '[]',
  status: 'active',
  tags: '[]',
  custom: '{}',
  source: 'test',
  created_at: at,
  updated_at: at,
});
