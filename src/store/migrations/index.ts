/**
 * Every migration, in order. Add a new file as `NNNN-name.ts` and list it here; the key is its
 * permanent name in the migration table.
 */
import type { Migration } from 'kysely';
import * as foundation from './0001-foundation.js';
import * as contacts from './0002-contacts.js';
import * as delivery from './0004-delivery.js';
import * as privacy from './0005-privacy.js';
import * as links from './0006-links.js';
import * as settings from './0007-settings.js';
import * as deliveryReceipts from './0008-delivery-receipts.js';
import * as webhooks from './0009-webhooks.js';
import * as segments from './0010-segments.js';
import * as campaigns from './0011-campaigns.js';
import * as pumping from './0012-pumping.js';
import * as authHardening from './0013-auth-hardening.js';
import * as carrierAccounts from './0014-carrier-accounts.js';
import * as conversions from './0015-conversions.js';
import * as inboxOverview from './0016-inbox-overview.js';
import * as heldReceipts from './0017-held-receipts.js';
import * as contactSendMarker from './0018-contact-send-marker.js';
import * as partialMessageIndexes from './0019-partial-message-indexes.js';
import * as messagesPhoneWithoutContacts from './0020-messages-phone-without-contacts.js';
import * as dueIndexId from './0022-due-index-id.js';

export const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-contacts': contacts,
  '0004-delivery': delivery,
  '0005-privacy': privacy,
  '0006-links': links,
  '0007-settings': settings,
  '0008-delivery-receipts': deliveryReceipts,
  '0009-webhooks': webhooks,
  '0010-segments': segments,
  '0011-campaigns': campaigns,
  '0012-pumping': pumping,
  '0013-auth-hardening': authHardening,
  '0014-carrier-accounts': carrierAccounts,
  '0015-conversions': conversions,
  '0016-inbox-overview': inboxOverview,
  '0017-held-receipts': heldReceipts,
  '0018-contact-send-marker': contactSendMarker,
  '0019-partial-message-indexes': partialMessageIndexes,
  '0020-messages-phone-without-contacts': messagesPhoneWithoutContacts,
  '0022-due-index-id': dueIndexId,
};
