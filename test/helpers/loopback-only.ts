/**
 * Every test file runs with this guard (vitest `setupFiles`): a socket of this process may connect
 * only to 127.0.0.0/8 or ::1 (or a Unix socket). An address literal elsewhere throws before any
 * packet leaves; a name is resolved through a checking `lookup`, so a name resolving elsewhere
 * fails the connection with `LoopbackOnlyError` instead of opening it. Node's HTTP clients, fetch
 * (undici), TLS, `pg` and the SMPP client all connect through `net.Socket.prototype.connect`.
 *
 * Issue 8: "Tests never open a connection to any address outside 127.0.0.0/8."
 */
import dns from 'node:dns';
import net from 'node:net';

export class LoopbackOnlyError extends Error {
  constructor(target: string) {
    super(`test connection to ${target} refused: tests connect only to 127.0.0.0/8 and ::1`);
    this.name = 'LoopbackOnlyError';
  }
}

export function isLoopbackAddress(address: string): boolean {
  if (net.isIPv4(address)) return address.startsWith('127.');
  const v6 = address.toLowerCase();
  if (v6.startsWith('::ffff:')) return isLoopbackAddress(v6.slice('::ffff:'.length));
  return v6 === '::1' || v6 === '0:0:0:0:0:0:0:1';
}

type Lookup = NonNullable<net.TcpSocketConnectOpts['lookup']>;
type LookupCallback = Parameters<Lookup>[2];

function checkedLookup(inner: Lookup): Lookup {
  return (hostname, options, callback) => {
    inner(hostname, options, ((err, address, family) => {
      if (err) {
        callback(err, address, family);
        return;
      }
      const found = Array.isArray(address)
        ? (address as readonly { address: string }[]).map((a) => a.address)
        : [address];
      const outside = found.find((a) => !isLoopbackAddress(a));
      if (outside !== undefined) callback(new LoopbackOnlyError(`${hostname} (${outside})`), '', 0);
      else callback(null, address, family);
    }) as LookupCallback);
  };
}

/** The options object a `connect` call works on, whichever of its signatures was used. */
function connectOptions(args: unknown[]): Record<string, unknown> | undefined {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (first !== null && typeof first === 'object') return first as Record<string, unknown>;
  return undefined;
}

const originalConnect = net.Socket.prototype.connect;

function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
  const options = connectOptions(args);
  let host: unknown;
  if (options) {
    if (typeof options['path'] === 'string') return originalConnect.apply(this, args as never);
    host = options['host'] ?? 'localhost';
    if (typeof host === 'string' && net.isIP(host) === 0) {
      options['lookup'] = checkedLookup((options['lookup'] as Lookup | undefined) ?? dns.lookup);
    }
  } else if (typeof args[0] === 'string' && !/^\d+$/.test(args[0])) {
    return originalConnect.apply(this, args as never); // a Unix socket path
  } else {
    host = typeof args[1] === 'string' ? args[1] : 'localhost';
    if (typeof host === 'string' && net.isIP(host) === 0) {
      // connect(port, name): the same call with options, so the name goes through the check.
      const callback = args.find((a) => typeof a === 'function');
      return guardedConnect.call(
        this,
        { port: Number(args[0]), host, lookup: checkedLookup(dns.lookup) },
        ...(callback ? [callback] : []),
      );
    }
  }
  if (typeof host === 'string' && net.isIP(host) !== 0 && !isLoopbackAddress(host))
    throw new LoopbackOnlyError(host);
  return originalConnect.apply(this, args as never);
}

net.Socket.prototype.connect = guardedConnect as typeof net.Socket.prototype.connect;
