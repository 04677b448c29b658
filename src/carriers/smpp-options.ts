/**
 * The SMPP carrier's settings and their defaults. Only the SMSC address and credentials are
 * required; the rest are tuned per carrier contract (window, rate ceiling) or for tests (timings).
 */
import type { Logger } from '../logger.js';

export const SMPP_CARRIER_NAME = 'smpp';

export interface SmppCarrierOptions {
  readonly name?: string;
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  readonly password: string;
  readonly systemType?: string;
  readonly serviceType?: string;
  /** source_addr when a message names no sender; empty lets the SMSC choose. */
  readonly defaultSender?: string;
  /** Most submit_sm awaiting their submit_sm_resp at once. */
  readonly window?: number;
  /** Ceiling in submit_sm per second (segments, not messages); unlimited by default. */
  readonly maxPerSecond?: number;
  readonly minPerSecond?: number;
  readonly responseTimeoutMs?: number;
  /** How long a message may wait for a bind and a window slot before it fails temporarily. */
  readonly queueTimeoutMs?: number;
  /** Segments waiting at most; beyond it send() fails at once (temporarily). */
  readonly maxQueued?: number;
  readonly enquireLinkMs?: number;
  readonly reconnectMs?: number;
  readonly maxReconnectMs?: number;
  readonly throttleBackoffMs?: number;
  readonly maxThrottleBackoffMs?: number;
  readonly throttleRecoveryMs?: number;
  /** Temporary failures of one segment of a split message retried here (see settle()). */
  readonly partRetries?: number;
  /** Receipts and inbound messages kept while nobody subscribes. */
  readonly bufferLimit?: number;
  readonly clock?: () => Date;
  readonly random?: () => number;
  readonly logger?: Logger;
}

export const SMPP_DEFAULTS = Object.freeze({
  systemType: '',
  serviceType: '',
  defaultSender: '',
  window: 10,
  maxPerSecond: Infinity,
  minPerSecond: 1,
  responseTimeoutMs: 10_000,
  queueTimeoutMs: 30_000,
  maxQueued: 10_000,
  enquireLinkMs: 30_000,
  reconnectMs: 1_000,
  maxReconnectMs: 60_000,
  throttleBackoffMs: 1_000,
  maxThrottleBackoffMs: 30_000,
  throttleRecoveryMs: 2_000,
  partRetries: 3,
  bufferLimit: 1_000,
});

export type SmppSettings = Required<Omit<SmppCarrierOptions, 'name' | 'logger'>>;

/**
 * The options with every default filled in. Options spelled out as `undefined` mean "the
 * default", as a config loader may pass them.
 *
 * @example
 *   smppSettings({ host: '127.0.0.1', port: 2775, systemId: 'h', password: 'p' }).window; // 10
 */
export function smppSettings(options: SmppCarrierOptions): SmppSettings {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return {
    ...SMPP_DEFAULTS,
    clock: () => new Date(),
    random: Math.random,
    ...(given as Partial<SmppCarrierOptions>),
    host: options.host,
    port: options.port,
    systemId: options.systemId,
    password: options.password,
  };
}
