/**
 * The closed sets the contacts area shows, taken from Herald's own core (one source of truth):
 * purposes, consent methods, suppression scopes and reasons.
 */
export { PURPOSES } from '../../../../src/core/policy/purposes.js';
export { CONSENT_METHODS } from '../../../../src/core/policy/consent.js';
export { SUPPRESSION_SCOPES, SUPPRESSION_REASONS } from '../../../../src/contacts/suppression.js';
