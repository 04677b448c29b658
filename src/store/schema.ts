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
  last_seen_at: string | null; // idle expiry; null until first touched
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
  expires_at: string | null;
  // After a rotation the old secret still opens the key until previous_secret_until.
  previous_secret_hash: string | null;
  previous_secret_until: string | null;
}

export interface LoginFailuresTable {
  id: Generated<number>;
  name_hash: string; // keyed hash of the name as typed
  ip: string | null;
  at: string;
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

export interface ContactsTable {
  id: Generated<number>;
  phone_enc: string;
  phone_index: string;
  country: string | null;
  number_type: string;
  zones: string;
  own_zone: string | null;
  carrier: string | null;
  place: string | null;
  external_id: string | null;
  status: string;
  invalid_reason: string | null;
  birth_year: number | null;
  age_band: string | null;
  city: string | null;
  region: string | null;
  gender: string | null;
  locale: string | null;
  tags: string;
  custom: string;
  source: string;
  import_id: number | null;
  hard_bounces: Generated<number>;
  last_engaged_at: string | null;
  repermission_at: string | null;
  created_at: string;
  updated_at: string;
  /** The latest purchase, kept by triggers on events (0010); a segment aggregate. */
  last_purchase_at: string | null;
  /**
   * No message written while the number was this contact's lies after this instant plus a day
   * (null: none); kept by triggers on messages (0018), so the planner can skip the cap look-up.
   */
  last_message_at: Generated<string | null>;
}

/** The same marker as contacts.last_message_at, for messages to a number that was no contact's. */
export interface NumberMarksTable {
  phone_index: string;
  last_message_at: string;
}

/**
 * Contacts that may hold messages to a number they do not hold now (migration 0020, kept by
 * triggers): a look-up of a number's messages reads theirs too (see messages-of-number.ts).
 */
export interface NumberHoldersTable {
  phone_index: string;
  contact_id: number;
}

export interface AttributeDefinitionsTable {
  name: string;
  definition: string;
  created_at: string;
}

export interface ConsentTextsTable {
  id: Generated<number>;
  key: string;
  version: number;
  purpose: string;
  locale: string;
  body: string;
  hash: string;
  created_by: string;
  created_at: string;
}

export interface ConsentEventsTable {
  id: Generated<number>;
  contact_id: number;
  purpose: string;
  action: string;
  method: string;
  source: string;
  ip: string | null;
  user_agent: string | null;
  form_url: string | null;
  consent_text_id: number | null;
  consent_text_hash: string | null;
  evidence: string;
  recorded_by: string;
  at: string;
}

export interface ContactConsentsTable {
  contact_id: number;
  purpose: string;
  granted: number;
  method: string;
  source: string;
  event_id: number;
  at: string;
}

export interface SuppressionsTable {
  phone_index: string;
  scope: string;
  reason: string;
  note: string | null;
  created_by: string;
  created_at: string;
}

export interface FormsTable {
  id: Generated<number>;
  public_key: string;
  name: string;
  consent_text_id: number;
  default_country: string | null;
  brand: string;
  created_by: string;
  created_at: string;
  disabled: Generated<number>;
}

export interface PendingSubscriptionsTable {
  id: Generated<number>;
  phone_index: string;
  /** Null once the request is closed without consent, or when nothing was sent (0004). */
  phone_enc: string | null;
  form_id: number;
  token_hash: string;
  ip: string | null;
  user_agent: string | null;
  form_url: string | null;
  locale: string | null;
  attributes: string;
  status: string;
  created_at: string;
  expires_at: string;
  confirmed_at: string | null;
  confirm_method: string | null;
  /** The confirmation SMS (0004). */
  message_id: number | null;
}

export interface EventsTable {
  id: Generated<number>;
  contact_id: number;
  type: string;
  occurred_at: string;
  amount: number | null;
  currency: string | null;
  category: string | null;
  sku: string | null;
  properties: string;
  idempotency_key: string | null;
  received_at: string;
}

export interface ImportsTable {
  id: Generated<number>;
  file_name: string;
  file_hash: string;
  options: string;
  status: string;
  processed_rows: Generated<number>;
  counts: string;
  error: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface ImportRowsTable {
  import_id: number;
  line: number;
  outcome: string;
  reason: string | null;
  contact_id: number | null;
  masked_phone: string | null;
}

export interface MessagesTable {
  id: Generated<number>;
  contact_id: number | null;
  phone_index: string;
  phone_enc: string | null;
  purpose: string;
  kind: string;
  body: string | null;
  segments: number;
  status: string;
  carrier: string | null;
  carrier_message_id: string | null;
  error_code: string | null;
  attempts: Generated<number>;
  not_before: string;
  lease_until: string | null;
  campaign_id: number | null;
  created_at: string;
  sent_at: string | null;
  delivered_at: string | null;
  country: string | null;
  sender: string | null;
  brand: string | null;
  pinned_carrier: string | null;
  template: string | null; // JSON { key, variables }
  decision: string | null; // JSON { action, reason?, until? }
  idempotency_key: string | null;
  request_hash: string | null;
  /** The campaign variant the message carries (0011). */
  variant?: string | null;
}

/** One status change of a message: its delivery history. */
export interface MessageEventsTable {
  id: Generated<number>;
  message_id: number;
  at: string;
  status: string;
  detail: string | null;
  carrier: string | null;
}

export interface InboundMessagesTable {
  id: Generated<number>;
  contact_id: number | null;
  phone_index: string;
  body: string | null;
  intent: string;
  carrier: string;
  received_at: string;
  /** The carrier's message id, or a keyed hash of sender, time and text: repeats land once. */
  dedupe_key: Generated<string | null>;
  /** The sender's number, encrypted (0016); null for rows from before, and once erased. */
  phone_enc?: string | null;
  /** What Herald did with it: an INBOUND_ACTIONS value (0016); null while it is handled. */
  action?: string | null;
}

/** A carrier account an admin configured; secrets live encrypted in `secrets_enc`. */
export interface CarrierAccountsTable {
  id: Generated<number>;
  name: string;
  type: string;
  enabled: number;
  settings: string; // JSON
  secrets_enc: string;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
}

export interface ShortLinksTable {
  code: string;
  target: string;
  message_id: number | null;
  contact_id: number | null;
  campaign_id: number | null;
  variant: string | null;
  created_at: string;
  expires_at: string | null;
}

export interface LinkClicksTable {
  id: Generated<number>;
  code: string;
  at: string;
  is_bot: number;
  visitor: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_by: string;
  updated_at: string;
}

export interface PumpingAttemptsTable {
  id: Generated<number>;
  at: string;
  kind: string;
  outcome: string; // 'allowed' | 'blocked'
  reason: string | null;
  ip: string | null;
  phone_index: string;
  prefix_index: string;
  block_index: string;
  tail: number;
  country: string;
  masked_phone: string;
  cost: number;
}

export interface PumpingGuardTable {
  id: number;
  checks: number;
}

/** A saved segment (0010): its filter is a JSON SegmentFilter in normal form. */
export interface SegmentsTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  filter: string;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
}

/** A campaign (0011); JSON columns as text. Statuses: src/core/campaigns/lifecycle.ts. */
export interface CampaignsTable {
  id: Generated<number>;
  name: string;
  purpose: string;
  audience: string;
  variants: string;
  experiment: string | null;
  schedule: string;
  guardrails: string;
  sender: string | null;
  brand: string | null;
  status: string;
  paused_from: string | null;
  pause_reason: string | null;
  pause_detail: string | null;
  author: string;
  approver: string | null;
  approved_at: string | null;
  rejection: string | null;
  plan_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  /** all | test | await_winner | rest | done */
  plan_phase: string;
  plan_after_id: Generated<number>;
  winner: string | null;
  winner_reason: string | null;
  cost: Generated<number>;
  created_at: string;
  updated_at: string;
}

/** An order reported back, attributed to the campaign message last clicked (0015). */
export interface ConversionsTable {
  id: Generated<number>;
  order_id: string;
  contact_id: number | null;
  value: number;
  currency: string;
  occurred_at: string;
  received_at: string;
  campaign_id: number | null;
  message_id: number | null;
  variant: string | null;
  click_id: number | null;
  request_hash: string;
}

/** A delivery receipt that matched no message yet, kept until it does or expires (0016). */
export interface HeldReceiptsTable {
  id: Generated<number>;
  carrier: string;
  carrier_message_id: string;
  status: string;
  error_code: string | null;
  done_at: string;
  detail: string; // JSON: the rest of the receipt
  received_at: string;
}

/** Receipts dropped unmatched after the hold, per carrier (0016). */
export interface ReceiptDropsTable {
  carrier: string;
  dropped: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  login_failures: LoginFailuresTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  encryption_keys: EncryptionKeysTable;
  contacts: ContactsTable;
  number_marks: NumberMarksTable;
  number_holders: NumberHoldersTable;
  attribute_definitions: AttributeDefinitionsTable;
  consent_texts: ConsentTextsTable;
  consent_events: ConsentEventsTable;
  contact_consents: ContactConsentsTable;
  suppressions: SuppressionsTable;
  forms: FormsTable;
  pumping_attempts: PumpingAttemptsTable;
  pumping_guard: PumpingGuardTable;
  pending_subscriptions: PendingSubscriptionsTable;
  events: EventsTable;
  imports: ImportsTable;
  import_rows: ImportRowsTable;
  messages: MessagesTable;
  message_events: MessageEventsTable;
  inbound_messages: InboundMessagesTable;
  carrier_accounts: CarrierAccountsTable;
  short_links: ShortLinksTable;
  link_clicks: LinkClicksTable;
  settings: SettingsTable;
  campaigns: CampaignsTable;
  segments: SegmentsTable;
  conversions: ConversionsTable;
  held_receipts: HeldReceiptsTable;
  receipt_drops: ReceiptDropsTable;
}
