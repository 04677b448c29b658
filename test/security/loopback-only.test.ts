// The test-wide guard (test/helpers/loopback-only.ts, vitest setupFiles): no test process opens a
// connection outside 127.0.0.0/8. Every refusal here happens before a socket is opened.
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackAddress, LoopbackOnlyError } from '../helpers/loopback-only.js';

/** A resolver that answers every name with the given address, as a rebinding DNS server would. */
function resolvesTo(address: string, family: 4 | 6): net.LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

describe('tests connect only to loopback', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  it('classifies loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['10.0.0.1', '169.254.169.254', '0.0.0.0', '::', '::ffff:10.0.0.1', '8.8.8.8'])
      expect(isLoopbackAddress(a), a).toBe(false);
  });

  it('refuses an address literal outside loopback before any socket opens', () => {
    expect(() => net.connect({ host: '169.254.169.254', port: 80 })).toThrow(LoopbackOnlyError);
    expect(() => net.connect(80, '10.0.0.1')).toThrow(LoopbackOnlyError);
  });

  it('fails a name that resolves outside loopback instead of connecting', async () => {
    const socket = net.connect({
      host: 'receiver.example',
      port: 80,
      lookup: resolvesTo('10.0.0.1', 4),
    });
    const [error] = (await once(socket, 'error')) as [Error];
    expect(error).toBeInstanceOf(LoopbackOnlyError);
    expect(error.message).toContain('10.0.0.1');
    expect(socket.remoteAddress).toBeUndefined();
  });

  it('refuses fetch and node:http to such addresses', async () => {
    const fetched = await fetch('http://10.0.0.1:8080/').then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: unknown },
    );
    expect(fetched?.cause).toBeInstanceOf(LoopbackOnlyError);
    expect(() => http.get('http://192.168.1.1:8080/')).toThrow(LoopbackOnlyError);
  });

  it('lets loopback connections through, by address and by a name resolving to loopback', async () => {
    const direct = await fetch(`http://127.0.0.1:${port}/`);
    expect(await direct.text()).toBe('ok');
    const socket = net.connect({ host: 'fake.test', port, lookup: resolvesTo('127.0.0.1', 4) });
    await once(socket, 'connect');
    expect(socket.remoteAddress).toBe('127.0.0.1');
    socket.destroy();
  });
});
