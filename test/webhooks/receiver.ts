/**
 * A webhook receiver on 127.0.0.1, written the way docs/webhooks.md tells integrators to: it
 * checks `Herald-Signature` against the secrets it was given (its own HMAC code, not Herald's),
 * records every request, and answers as the test scripts it (a status, a stall, a huge body, a
 * redirect).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply =
  | number
  | 'stall'
  | { status: number; body?: string; headers?: Record<string, string>; bytes?: number };

export interface Received {
  readonly deliveryId: string;
  readonly event: string;
  readonly signature: string;
  readonly signatureValid: boolean;
  readonly raw: string;
  readonly body: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** The secrets a valid signature may be made with. */
  secrets: string[];
  /** Answers for the next requests, in order; afterwards `fallback`. */
  script(...replies: Reply[]): void;
  fallback: Reply;
  close(): Promise<void>;
}

/** What an integrator's check looks like: any v1 of the header made with a known secret. */
export function verifySignature(
  header: string,
  raw: string,
  secrets: readonly string[],
  nowSeconds = Date.now() / 1000,
  toleranceSeconds = 300,
): boolean {
  const parts = header.split(',').map((p) => p.split('=', 2) as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const given = parts.filter(([k]) => k === 'v1').map(([, v]) => Buffer.from(v, 'hex'));
  return secrets.some((secret) => {
    const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
    return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
  });
}

export async function startReceiver(secrets: string[] = []): Promise<Receiver> {
  const queue: Reply[] = [];
  const state = { secrets, fallback: 200 as Reply };
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const signature = String(req.headers['herald-signature'] ?? '');
      received.push({
        deliveryId: String(req.headers['herald-delivery'] ?? ''),
        event: String(req.headers['herald-event'] ?? ''),
        signature,
        signatureValid: verifySignature(signature, raw, state.secrets),
        raw,
        body: JSON.parse(raw) as Received['body'],
      });
      const reply = queue.shift() ?? state.fallback;
      if (reply === 'stall') return; // never answers: the sender's deadline must cut it off
      const r = typeof reply === 'number' ? { status: reply } : reply;
      res.writeHead(r.status, { 'content-type': 'text/plain', ...r.headers });
      if (r.bytes) {
        // A receiver that sends far more than anyone should read.
        const block = Buffer.alloc(16 * 1024, 'x');
        let sent = 0;
        const pump = () => {
          while (sent < r.bytes! && res.write(block)) sent += block.length;
          if (sent >= r.bytes!) res.end();
          else res.once('drain', pump);
        };
        res.on('error', () => undefined);
        pump();
        return;
      }
      res.end(r.body ?? 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/herald`,
    received,
    get secrets() {
      return state.secrets;
    },
    set secrets(s: string[]) {
      state.secrets = s;
    },
    get fallback() {
      return state.fallback;
    },
    set fallback(r: Reply) {
      state.fallback = r;
    },
    script: (...replies) => void queue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
