/** The `prev_hash` of the first audit row. */
export const AUDIT_GENESIS = '0'.repeat(64);
