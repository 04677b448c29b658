/**
 * Handing a decided message to its route: the first carrier, then the next on a temporary
 * failure (fail-over), each paced by the carrier's and the sender's token buckets. A permanent
 * failure ends the attempt (the message itself can never go); an ambiguous one (no answer in
 * time) ends a marketing message's attempt too, since another route might deliver a second copy.
 */
import type { AppContext } from '../app-context.js';
import type { Carrier, OutgoingSms, SendResult } from '../carriers/carrier.js';
import type { DecisionReason } from '../core/policy/reasons.js';
import { isAmbiguous } from './outcomes.js';
import type { Route } from './routing.js';

export interface CarrierAttempt {
  readonly carrier: string;
  readonly result: SendResult;
}

/** A hand-off that did not happen: the fence found an opt-out, or the claim was taken over. */
export interface Stopped {
  readonly stopped: DecisionReason | 'lost';
}

/** Gives one message to one carrier (fence.ts wraps it for marketing). */
export type HandOff = (carrier: Carrier, sms: OutgoingSms) => Promise<SendResult | Stopped>;

export interface SubmitOutcome {
  /** The carrier of the last attempt, null when the route had none. */
  readonly carrier: string | null;
  readonly result: SendResult;
  /** Every carrier tried, in order. */
  readonly attempts: readonly CarrierAttempt[];
  /** Set when a hand-off was stopped (already recorded by whoever stopped it). */
  readonly stopped?: Stopped['stopped'];
}

export async function sendSafely(carrier: Carrier, sms: OutgoingSms): Promise<SendResult> {
  try {
    return await carrier.send(sms);
  } catch (err) {
    // A carrier that throws has not told us it refused the message: temporary, and ambiguous.
    return {
      status: 'failed',
      errorCode: 'CARRIER_ERROR',
      permanent: false,
      detail: (err as Error).message,
    };
  }
}

const NO_CARRIER: SendResult = {
  status: 'failed',
  errorCode: 'CARRIER_UNKNOWN',
  permanent: true,
  detail: 'the message is pinned to a carrier that is not configured',
};

/**
 * @param firstPaced the first carrier's token was taken already (before the decision, so that
 *   the decision and the hand-off follow each other without a wait in between)
 * @param first the first carrier's hand-off, already started (the dispatcher hands a whole batch
 *   over at once); the next carriers of the route go through `handOff`
 */
export async function submitThroughRoute(
  ctx: AppContext,
  route: Route,
  sms: OutgoingSms,
  opts: {
    firstPaced: boolean;
    handOff?: HandOff;
    first?: Promise<SendResult | Stopped> | SendResult | Stopped;
  },
): Promise<SubmitOutcome> {
  const handOff = opts.handOff ?? sendSafely;
  const attempts: CarrierAttempt[] = [];
  for (const [i, carrier] of route.carriers.entries()) {
    if (i > 0 || !opts.firstPaced) await ctx.router.limiter.acquire(carrier.name, sms.sender);
    const result = i === 0 && opts.first ? await opts.first : await handOff(carrier, sms);
    if ('stopped' in result) {
      return {
        carrier: carrier.name,
        result: { status: 'failed', errorCode: result.stopped, permanent: true },
        attempts,
        stopped: result.stopped,
      };
    }
    attempts.push({ carrier: carrier.name, result });
    if (result.status === 'accepted' || result.permanent) break;
    if (sms.purpose === 'marketing' && isAmbiguous(result.errorCode)) break;
    const next = route.carriers[i + 1];
    if (next) {
      ctx.logger.warn(
        {
          messageId: sms.messageId,
          carrier: carrier.name,
          next: next.name,
          code: result.errorCode,
        },
        'carrier failed temporarily: failing over',
      );
    }
  }
  const last = attempts.at(-1);
  return last
    ? { carrier: last.carrier, result: last.result, attempts }
    : { carrier: null, result: NO_CARRIER, attempts };
}
