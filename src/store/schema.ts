/**
 * Table types for Kysely. Timestamps are ISO-8601 UTC strings (they sort and compare the same
 * way on SQLite and PostgreSQL); booleans are 0/1 integers; JSON is text.
 */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  role: string;
  disabled: number;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface SessionsTable {
  id: string; // sha256 of the session token; the token itself lives only in the cookie
  user_id: number;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiKeysTable {
  id: string; // public key id, the part of the key before the secret
  name: string;
  secret_hash: string;
  scopes: string; // JSON array of permissions
  created_by: number | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: string; // JSON
  ip: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface EncryptionKeysTable {
  id: string;
  wrapped_key: string;
  status: string; // 'active' | 'retired'
  created_at: string;
  retired_at: string | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  encryption_keys: EncryptionKeysTable;
}
