/**
 * One SMPP 3.4 transceiver bind kept alive: connect, bind_transceiver, enquire_link keep-alive,
 * answers to the SMSC's own enquire_link and unbind, and a reconnect with exponential back-off and
 * jitter whenever the link drops or a bind fails. It knows nothing of messages: every other PDU
 * goes to `onPdu`, and the carrier decides.
 *
 * The smpp package gives the framing and the PDU codec; it does no keep-alive worth the name (its
 * auto_enquire_link_period never looks at the answers), no reconnect, and answers nothing by
 * itself, so all of that lives here.
 */
import smpp from 'smpp';
import type { Logger } from '../logger.js';

export interface SmppLinkOptions {
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  /** Interval between enquire_link when bound. */
  readonly enquireLinkMs: number;
  /** How long to wait for a bind or enquire_link answer before dropping the link. */
  readonly responseTimeoutMs: number;
  readonly reconnectMs: number;
  readonly maxReconnectMs: number;
  readonly random: () => number;
  readonly logger?: Logger;
}

export interface SmppLinkHandlers {
  onBound(session: smpp.Session): void;
  /** The bound session is gone (dropped, unbound by the SMSC, timed out). */
  onLost(): void;
  onPdu(pdu: smpp.PDU, session: smpp.Session): void;
}

/** SMPP 3.4 in bind_transceiver's interface_version (the package defaults to 5.0). */
const INTERFACE_VERSION_34 = 0x34;

export class SmppLink {
  private session: smpp.Session | null = null;
  private bound = false;
  private closed = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private bindTimer: NodeJS.Timeout | null = null;
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private enquirePendingSince: number | null = null;
  /** Successful binds since start, for status and tests. */
  binds = 0;

  constructor(
    private readonly options: SmppLinkOptions,
    private readonly handlers: SmppLinkHandlers,
  ) {}

  start(): void {
    this.connect();
  }

  /** The session to submit on, when bound. */
  current(): smpp.Session | null {
    return this.bound ? this.session : null;
  }

  isBound(): boolean {
    return this.bound;
  }

  /** Unbinds (waiting a bounded time for unbind_resp), closes, and stops reconnecting. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimers();
    const session = this.session;
    if (!session) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => session.destroy(), this.options.responseTimeoutMs);
      session.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (session.socket.destroyed) {
        clearTimeout(timer);
        resolve();
        return;
      }
      const sent =
        this.bound && session.send(new smpp.PDU('unbind', {}), () => session.close(), undefined);
      if (!sent) session.destroy();
    });
  }

  private connect(): void {
    if (this.closed) return;
    const { host, port, systemId, password, systemType, responseTimeoutMs } = this.options;
    const session = smpp.connect({ host, port });
    // The package leaves Nagle's algorithm on: with a window of small submit_sm, the second and
    // later ones would wait for the SMSC's delayed ACK (tens of milliseconds) on every round.
    session.socket.setNoDelay(true);
    this.session = session;
    this.bound = false;
    session.on('error', (error: Error) => {
      this.options.logger?.warn({ carrier: 'smpp', err: error }, 'SMPP link error');
      // Socket errors close the socket anyway; a PDU the package cannot parse leaves its reader
      // stuck for good (it never clears its busy flag), so the link is rebuilt either way.
      session.destroy();
    });
    session.on('close', () => this.dropped(session));
    session.on('pdu', (pdu: smpp.PDU) => this.received(pdu, session));
    // One timer covers the TCP connect and the bind: a silent peer costs one timeout, not two.
    this.bindTimer = setTimeout(() => {
      this.options.logger?.warn({ carrier: 'smpp', host, port }, 'SMPP bind timed out');
      session.destroy();
    }, responseTimeoutMs);
    session.once('connect', () => {
      const bind = new smpp.PDU('bind_transceiver', {
        system_id: systemId,
        password,
        system_type: systemType,
        interface_version: INTERFACE_VERSION_34,
      });
      session.send(bind, (answer) => this.bindAnswered(answer, session));
    });
  }

  private bindAnswered(answer: smpp.PDU, session: smpp.Session): void {
    if (this.bindTimer) clearTimeout(this.bindTimer);
    this.bindTimer = null;
    if (session !== this.session || this.closed) return;
    if (answer.command_status !== 0) {
      // Wrong credentials do not fix themselves, but a re-provisioned account does: keep
      // trying, the back-off growing to its ceiling, rather than give up on the carrier.
      this.options.logger?.error(
        { carrier: 'smpp', status: answer.command_status },
        'SMPP bind refused',
      );
      session.destroy();
      return;
    }
    this.bound = true;
    this.binds += 1;
    this.attempts = 0;
    this.enquirePendingSince = null;
    this.keepAliveTimer = setInterval(() => this.keepAlive(session), this.options.enquireLinkMs);
    this.handlers.onBound(session);
  }

  private keepAlive(session: smpp.Session): void {
    const now = Date.now();
    if (this.enquirePendingSince !== null) {
      if (now - this.enquirePendingSince >= this.options.responseTimeoutMs) {
        this.options.logger?.warn({ carrier: 'smpp' }, 'SMPP enquire_link unanswered: relinking');
        session.destroy();
      }
      return;
    }
    this.enquirePendingSince = now;
    session.send(new smpp.PDU('enquire_link', {}), () => {
      this.enquirePendingSince = null;
    });
  }

  private received(pdu: smpp.PDU, session: smpp.Session): void {
    if (session !== this.session) return;
    // Any traffic shows the link is alive.
    if (pdu.isResponse()) this.enquirePendingSince = null;
    if (pdu.command === 'enquire_link') {
      session.send(pdu.response());
      return;
    }
    if (pdu.command === 'unbind') {
      this.options.logger?.warn({ carrier: 'smpp' }, 'SMPP unbound by the SMSC: relinking');
      session.send(pdu.response(), () => session.close());
      this.lose();
      return;
    }
    if (pdu.command.startsWith('bind_') || pdu.command === 'enquire_link_resp') return;
    if (pdu.command === 'unknown') {
      session.send(pdu.response());
      return;
    }
    this.handlers.onPdu(pdu, session);
  }

  private dropped(session: smpp.Session): void {
    if (session !== this.session) return;
    this.session = null;
    this.lose();
    this.scheduleReconnect();
  }

  private lose(): void {
    if (this.bindTimer) clearTimeout(this.bindTimer);
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.bindTimer = null;
    this.keepAliveTimer = null;
    if (!this.bound) return;
    this.bound = false;
    this.handlers.onLost();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const { reconnectMs, maxReconnectMs, random, logger } = this.options;
    const ceiling = Math.min(maxReconnectMs, reconnectMs * 2 ** Math.min(this.attempts, 30));
    // Equal jitter: never sooner than half the back-off, so a flapping SMSC is not hammered,
    // and never in step with the other binds that dropped at the same moment.
    const delay = ceiling / 2 + (random() * ceiling) / 2;
    this.attempts += 1;
    logger?.info(
      { carrier: 'smpp', attempt: this.attempts, delayMs: Math.round(delay) },
      'SMPP relink',
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private clearTimers(): void {
    for (const timer of [this.reconnectTimer, this.bindTimer]) if (timer) clearTimeout(timer);
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.reconnectTimer = null;
    this.bindTimer = null;
    this.keepAliveTimer = null;
  }
}
