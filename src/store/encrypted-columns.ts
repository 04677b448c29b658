/**
 * Every column that holds field-encrypted personal data. Key rotation re-encrypts exactly these;
 * a new encrypted column must be listed here.
 */
import type { EncryptedColumn } from './encryption-keys.js';

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: 'contacts', idColumn: 'id', column: 'phone_enc' },
  { table: 'pending_subscriptions', idColumn: 'id', column: 'phone_enc' },
  { table: 'messages', idColumn: 'id', column: 'phone_enc' },
  { table: 'inbound_messages', idColumn: 'id', column: 'phone_enc' },
  { table: 'webhook_endpoints', idColumn: 'id', column: 'secret_enc' },
  { table: 'webhook_endpoints', idColumn: 'id', column: 'previous_secret_enc' },
  { table: 'carrier_accounts', idColumn: 'id', column: 'secrets_enc' },
];
