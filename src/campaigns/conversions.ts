/**
 * Conversions: an order a shop reports (`POST /v1/conversions`), attributed to the campaign
 * message whose tracked link the contact clicked last, at most the attribution window
 * (HERALD_ATTRIBUTION_WINDOW_HOURS, default 7 days) before the order. Last click wins; bot
 * clicks (link previews) never count. Idempotent by order id: the same report again answers the
 * stored conversion, a different report under a used order id is refused. Each conversion is
 * also a `purchase` event of the contact (idempotency key `order:<orderId>`), so segments see it.
 */
import { createHash } from 'node:crypto';
import { Type, type Static } from 'typebox';
import type { AppContext } from '../app-context.js';
import { HeraldError } from '../core/errors.js';
import { findContactByExternalId, findContactById } from '../store/contacts.js';
import {
  findConversionByOrder,
  insertConversion,
  lastCampaignClick,
  type ConversionRow,
} from '../store/conversions.js';
import { findContactByPhone } from '../contacts/contacts.js';
import { recordEvents } from '../contacts/events.js';
import { RowId } from '../core/row-id.js';

export const ConversionInput = Type.Object(
  {
    contact: Type.Union([
      Type.Object({ id: RowId() }, { additionalProperties: false }),
      Type.Object(
        { externalId: Type.String({ minLength: 1, maxLength: 128 }) },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          phone: Type.String({ minLength: 1, maxLength: 64 }),
          country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
        },
        { additionalProperties: false },
      ),
    ]),
    orderId: Type.String({ minLength: 1, maxLength: 128, description: 'the shop’s order id' }),
    value: Type.Number({ minimum: 0, maximum: 1e12 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217, e.g. CNY, USD' }),
    occurredAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'when the order was placed; default now' }),
    ),
  },
  { additionalProperties: false },
);
export type ConversionInput = Static<typeof ConversionInput>;

export interface ConversionView {
  readonly id: number;
  readonly orderId: string;
  readonly contactId: number | null;
  readonly value: number;
  readonly currency: string;
  readonly occurredAt: string;
  readonly attribution: {
    readonly campaignId: number;
    readonly messageId: number | null;
    readonly variant: string | null;
  } | null;
}

export function conversionView(row: ConversionRow): ConversionView {
  return {
    id: row.id,
    orderId: row.order_id,
    contactId: row.contact_id,
    value: row.value,
    currency: row.currency,
    occurredAt: row.occurred_at,
    attribution:
      row.campaign_id === null
        ? null
        : { campaignId: row.campaign_id, messageId: row.message_id, variant: row.variant },
  };
}

const FUTURE_TOLERANCE_MS = 10 * 60_000;

async function contactIdOf(ctx: AppContext, ref: ConversionInput['contact']): Promise<number> {
  const row =
    'id' in ref
      ? await findContactById(ctx.store.db, ref.id)
      : 'externalId' in ref
        ? await findContactByExternalId(ctx.store.db, ref.externalId)
        : await findContactByPhone(ctx, ref.phone, ref.country ?? ctx.config.defaultCountry);
  if (!row) throw new HeraldError('NOT_FOUND', 'No contact matches this reference');
  return row.id;
}

function requestHash(input: ConversionInput, contactId: number, occurredAt: string): string {
  return createHash('sha256')
    .update(JSON.stringify([contactId, input.value, input.currency, occurredAt]))
    .digest('base64url');
}

/** Records one conversion; `created` is false when the order was already recorded. */
export async function recordConversion(
  ctx: AppContext,
  input: ConversionInput,
  opts: { now?: Date } = {},
): Promise<{ created: boolean; conversion: ConversionView }> {
  const now = opts.now ?? new Date();
  const contactId = await contactIdOf(ctx, input.contact);
  const occurredAt = new Date(input.occurredAt ?? now).toISOString();
  // Clocks of shops drift a little; an order from further in the future is a mistake.
  if (Date.parse(occurredAt) > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw new HeraldError('VALIDATION_FAILED', 'occurredAt is in the future', {
      occurredAt: input.occurredAt,
    });
  }
  const hash = requestHash(input, contactId, occurredAt);
  const replay = async (): Promise<{ created: boolean; conversion: ConversionView }> => {
    const existing = (await findConversionByOrder(ctx.store.db, input.orderId))!;
    if (existing.request_hash !== hash) {
      throw new HeraldError(
        'CONVERSION_CONFLICT',
        'This order id was reported before with another contact, value, currency or time',
        { orderId: input.orderId },
      );
    }
    return { created: false, conversion: conversionView(existing) };
  };
  if (await findConversionByOrder(ctx.store.db, input.orderId)) return replay();
  const windowMs = ctx.config.attributionWindowHours * 3_600_000;
  const click = await lastCampaignClick(ctx.store.db, {
    contactId,
    since: new Date(Date.parse(occurredAt) - windowMs).toISOString(),
    until: occurredAt,
  });
  const row = await insertConversion(ctx.store.db, {
    order_id: input.orderId,
    contact_id: contactId,
    value: input.value,
    currency: input.currency,
    occurred_at: occurredAt,
    received_at: now.toISOString(),
    campaign_id: click?.campaignId ?? null,
    message_id: click?.messageId ?? null,
    variant: click?.variant ?? null,
    click_id: click?.clickId ?? null,
    request_hash: hash,
  });
  if (!row) return replay(); // another request with this order id won the race
  await recordEvents(
    ctx,
    [
      {
        type: 'purchase',
        contact: { id: contactId },
        occurredAt,
        properties: { amount: input.value, currency: input.currency },
        idempotencyKey: `order:${input.orderId}`,
      },
    ],
    { now },
  );
  return { created: true, conversion: conversionView(row) };
}
