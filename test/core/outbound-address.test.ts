// The SSRF rules (src/core/outbound-address.ts) as tables: which addresses and hosts Herald may call.
import { describe, expect, it } from 'vitest';
import {
  checkOutboundUrl,
  classifyAddress,
  classifyHost,
  type RefusedRange,
} from '../../src/core/outbound-address.js';

describe('classifyAddress', () => {
  const refusedCases: [string, RefusedRange][] = [
    // IPv4
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier_grade_nat'],
    ['100.127.255.255', 'carrier_grade_nat'],
    ['169.254.0.1', 'link_local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.99', 'documentation'],
    ['198.18.0.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    // IPv6
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['[::1]', 'loopback'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456:789a::1', 'unique_local'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf:ffff::1', 'link_local'],
    ['ff02::1', 'multicast'],
    ['ff0e::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    // IPv4 inside IPv6: judged as the inner address, or refused as an embedding
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:8.8.8.8', 'ipv4_embedded'],
    ['::7f00:1', 'ipv4_embedded'],
    ['::127.0.0.1', 'loopback'],
    ['::a00:1', 'ipv4_embedded'],
    ['64:ff9b::7f00:1', 'ipv4_embedded'],
    ['2002:7f00:1::1', 'ipv4_embedded'],
    ['2001:0:4136:e378::1', 'ipv4_embedded'],
    // not an address at all
    ['example.com', 'not_an_address'],
    ['', 'not_an_address'],
    ['1.2.3.4.5', 'not_an_address'],
  ];
  it.each(refusedCases)('refuses %s (%s)', (address, range) => {
    expect(classifyAddress(address)).toEqual({ allowed: false, range });
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '172.15.255.255',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '11.0.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '[2001:4860:4860::8888]',
  ])('allows the public address %s', (address) => {
    expect(classifyAddress(address)).toEqual({ allowed: true });
  });
});

describe('classifyHost', () => {
  it.each([
    ['127.0.0.1', [], { verdict: 'refused', range: 'loopback' }],
    ['127.0.0.1', ['127.0.0.1'], { verdict: 'allowed', reason: 'admin_allowed' }],
    ['LOCALHOST', [], { verdict: 'refused', range: 'refused_name' }],
    ['localhost.', [], { verdict: 'refused', range: 'refused_name' }],
    ['app.localhost', [], { verdict: 'refused', range: 'refused_name' }],
    ['localhost', ['localhost'], { verdict: 'allowed', reason: 'admin_allowed' }],
    ['metadata.google.internal', [], { verdict: 'refused', range: 'refused_name' }],
    ['Metadata.Google.Internal.', [], { verdict: 'refused', range: 'refused_name' }],
    ['metadata', [], { verdict: 'refused', range: 'refused_name' }],
    ['metadata.tencentyun.com', [], { verdict: 'refused', range: 'refused_name' }],
    ['[::1]', [], { verdict: 'refused', range: 'loopback' }],
    ['[::1]', ['::1'], { verdict: 'allowed', reason: 'admin_allowed' }],
    ['8.8.8.8', [], { verdict: 'allowed', reason: 'public_address' }],
    ['api.twilio.com', [], { verdict: 'resolve' }],
    ['hooks.internal.example', ['other.example'], { verdict: 'resolve' }],
  ] as const)('%s with allowance %j', (host, allowed, verdict) => {
    expect(classifyHost(host, allowed)).toEqual(verdict);
  });
});

describe('checkOutboundUrl', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'refused_address', 'metadata'],
    ['http://10.0.0.1/hook', 'refused_address', 'private'],
    ['http://0x7f.0.0.1/', 'refused_address', 'loopback'],
    ['http://2130706433/', 'refused_address', 'loopback'],
    ['http://0177.0.0.1/', 'refused_address', 'loopback'],
    ['http://[::ffff:a9fe:a9fe]/', 'refused_address', 'metadata'],
    ['http://[fe80::1]:8080/', 'refused_address', 'link_local'],
    ['http://localhost:3000/x', 'refused_address', 'refused_name'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'refused_address', 'refused_name'],
    ['ftp://example.com/x', 'scheme', undefined],
    ['file:///etc/passwd', 'scheme', undefined],
    ['gopher://127.0.0.1:6379/_', 'scheme', undefined],
    ['https://user:pw@example.com/', 'credentials', undefined],
    ['not a url', 'not_a_url', undefined],
    [`https://example.com/${'a'.repeat(2100)}`, 'too_long', undefined],
  ])('refuses %s', (url, problem, range) => {
    const checked = checkOutboundUrl(url, []);
    expect(checked).toEqual({ ok: false, problem, ...(range ? { range } : {}) });
  });

  it('passes a public name on to resolution and drops the fragment', () => {
    expect(checkOutboundUrl('https://hooks.example.com/in?x=1#frag', [])).toEqual({
      ok: true,
      url: 'https://hooks.example.com/in?x=1',
      host: 'hooks.example.com',
      needsResolution: true,
      adminAllowed: false,
    });
  });

  it('lets an admin-allowed host through, and only that host', () => {
    const allowed = ['127.0.0.1'];
    expect(checkOutboundUrl('http://127.0.0.1:9999/hook', allowed)).toMatchObject({
      ok: true,
      adminAllowed: true,
      needsResolution: false,
    });
    expect(checkOutboundUrl('http://127.0.0.2:9999/hook', allowed)).toMatchObject({
      ok: false,
      range: 'loopback',
    });
    expect(checkOutboundUrl('http://localhost:9999/hook', allowed)).toMatchObject({ ok: false });
  });
});
