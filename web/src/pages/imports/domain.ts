/**
 * What the imports area shares with Herald's importer, from its own source (one truth): the
 * outcomes of a line, the contact fields a column can fill, the header mapping and the CSV reader
 * that detects the delimiter, so the mapping step shows exactly what the server will read.
 */
export { IMPORT_OUTCOMES } from '../../../../src/contacts/import/outcomes.js';
export { IMPORT_FIELDS, resolveMapping } from '../../../../src/contacts/import/header-map.js';
export {
  detectDelimiter,
  findRecordBoundary,
  parseCsvRecords,
} from '../../../../src/contacts/import/csv-records.js';
export { CONSENT_METHODS } from '../../../../src/core/policy/consent.js';
export { PURPOSES } from '../../../../src/core/policy/purposes.js';
