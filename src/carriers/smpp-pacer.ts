/**
 * How fast submit_sm may go. An SMSC that answers ESME_RTHROTTLED or ESME_RMSGQFUL is saying the
 * bind sends faster than its contract allows; pressing on only earns more refusals (and on some
 * networks a suspended account). So on a throttle answer the pacer pauses for a back-off that
 * doubles while the refusals continue (with jitter, so many binds do not resume in step), and
 * halves the rate it allows; each quiet interval after that raises the rate by half again, until
 * it is back at the configured ceiling.
 *
 * The rate is a token bucket holding a tenth of a second's worth, so high rates need no timer per
 * message. Time is passed in (milliseconds), which keeps it testable.
 */

export interface SubmitPacerOptions {
  /** The configured ceiling in submit_sm per second; Infinity for none. */
  readonly maxPerSecond: number;
  /** The rate is never halved below this. */
  readonly minPerSecond: number;
  /** First pause after a throttle answer; doubles while they continue. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** How long without a throttle answer before each step back up. */
  readonly recoveryMs: number;
  /** In [0, 1). */
  readonly random: () => number;
}

export class SubmitPacer {
  private limit: number;
  private tokens = 1;
  private refilledAt = 0;
  private pausedUntil = 0;
  private consecutive = 0;
  private lastThrottleAt = -Infinity;
  private lastStepAt = -Infinity;
  /** Submissions in the current and the previous one-second window, to know the rate sent. */
  private windowStart = 0;
  private windowCount = 0;
  private previousCount = 0;

  constructor(private readonly options: SubmitPacerOptions) {
    this.limit = options.maxPerSecond;
  }

  /** Milliseconds to wait before the next submit_sm; 0 when it may go now. */
  delay(now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    this.recover(now);
    if (!Number.isFinite(this.limit)) return 0;
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.limit) * 1000);
  }

  /** Counts a submit_sm that went out. */
  onSubmit(now: number): void {
    this.roll(now);
    this.windowCount += 1;
    if (Number.isFinite(this.limit)) {
      this.refill(now);
      this.tokens -= 1;
    }
  }

  /** An SMSC throttle answer: pause, and halve the rate. Returns the pause in milliseconds. */
  onThrottled(now: number): number {
    const { backoffMs, maxBackoffMs, minPerSecond, random } = this.options;
    // Answers to submissions already in flight belong to the same episode: one halving each.
    if (now >= this.pausedUntil) {
      // Unlimited until now: the rate that drew the refusal is the one being sent.
      const base = Number.isFinite(this.limit) ? this.limit : this.sentPerSecond(now);
      this.limit = Math.max(minPerSecond, base / 2);
      this.consecutive = Math.min(this.consecutive + 1, 30);
      const ceiling = Math.min(maxBackoffMs, backoffMs * 2 ** (this.consecutive - 1));
      this.pausedUntil = now + ceiling / 2 + (random() * ceiling) / 2;
      this.tokens = Math.min(this.tokens, 1);
    }
    this.lastThrottleAt = now;
    this.lastStepAt = now;
    return this.pausedUntil - now;
  }

  /** The rate now allowed (Infinity when not limited) and any pause, for status and logs. */
  state(now: number): { perSecond: number; pausedForMs: number; throttled: boolean } {
    this.recover(now);
    return {
      perSecond: this.limit,
      pausedForMs: Math.max(0, this.pausedUntil - now),
      throttled: this.limit < this.options.maxPerSecond || now < this.pausedUntil,
    };
  }

  private recover(now: number): void {
    const { recoveryMs, maxPerSecond } = this.options;
    if (this.limit >= maxPerSecond || now - this.lastThrottleAt < recoveryMs) return;
    // One step per quiet interval, however long since the last look.
    while (now - this.lastStepAt >= recoveryMs && this.limit < maxPerSecond) {
      this.lastStepAt += recoveryMs;
      this.limit *= 1.5;
      this.consecutive = 0;
      // Without a ceiling, the rate that drew the refusals is unknown after a while: lift the
      // limit once it is twice what is being sent, and let the SMSC say again if it is too much.
      if (!Number.isFinite(maxPerSecond) && this.limit > 2 * this.sentPerSecond(now) + 10) {
        this.limit = Infinity;
      }
    }
    if (this.limit > maxPerSecond) this.limit = maxPerSecond;
  }

  private refill(now: number): void {
    const capacity = Math.max(1, this.limit / 10);
    this.tokens = Math.min(capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.limit);
    this.refilledAt = now;
  }

  private roll(now: number): void {
    if (now - this.windowStart < 1000) return;
    this.previousCount = now - this.windowStart < 2000 ? this.windowCount : 0;
    this.windowStart = now;
    this.windowCount = 0;
  }

  private sentPerSecond(now: number): number {
    this.roll(now);
    const elapsed = Math.min(1, (now - this.windowStart) / 1000);
    // Blend the previous full second with the current partial one.
    return this.previousCount * (1 - elapsed) + this.windowCount;
  }
}
