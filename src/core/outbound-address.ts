/**
 * Where Herald may connect when it calls out (webhook receivers, carrier APIs): the SSRF rules of
 * issue 8, as pure functions. An address is refused when it is not a public unicast address:
 * loopback, private, carrier-grade NAT, link-local (and the cloud metadata services that live
 * there), unique-local, multicast, broadcast, documentation, benchmarking, reserved, and IPv6
 * forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo), which could point
 * anywhere. Names of metadata services and `localhost` are refused before any resolution.
 *
 * An admin may allow named hosts (`HERALD_OUTBOUND_ALLOW_HOSTS`): a call to such a host skips the
 * address rules (how tests reach their receivers on 127.0.0.1, and how a company reaches its own
 * internal systems on purpose). The shell (src/security/guarded-http.ts) resolves names, checks
 * every resolved address with `classifyAddress` and connects to the address it checked.
 *
 * `checkOutboundUrl` is the one check for a configured URL (webhook endpoints, carrier base URLs).
 */
import ipaddr from 'ipaddr.js';

export const REFUSED_RANGES = [
  'not_an_address',
  'unspecified',
  'loopback',
  'private',
  'carrier_grade_nat',
  'link_local',
  'metadata',
  'unique_local',
  'multicast',
  'broadcast',
  'documentation',
  'benchmarking',
  'reserved',
  'ipv4_embedded',
] as const;
export type RefusedRange = (typeof REFUSED_RANGES)[number];

export type AddressClass =
  { readonly allowed: true } | { readonly allowed: false; readonly range: RefusedRange };

const PUBLIC: AddressClass = { allowed: true };
const refused = (range: RefusedRange): AddressClass => ({ allowed: false, range });

/** Cloud metadata services reached by address (AWS, GCP, Azure, OpenStack; Alibaba; AWS IPv6). */
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200']);
const METADATA_IPV6 = ipaddr.IPv6.parse('fd00:ec2::254');

/** Names that lead to a metadata service or to this machine, refused before any look-up. */
export const REFUSED_HOST_NAMES: readonly string[] = [
  'localhost',
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.com',
  'metadata.tencentyun.com',
  'instance-data',
  'instance-data.ec2.internal',
];

const V4_RANGES: Readonly<Record<string, RefusedRange | 'public'>> = {
  unicast: 'public',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link_local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier_grade_nat',
  private: 'private',
  benchmarking: 'benchmarking',
};

const DOCUMENTATION_V4 = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'].map((c) =>
  ipaddr.IPv4.parseCIDR(c),
);
const DOCUMENTATION_V6 = ipaddr.IPv6.parseCIDR('2001:db8::/32');

function classifyV4(address: ipaddr.IPv4): AddressClass {
  if (METADATA_ADDRESSES.has(address.toString())) return refused('metadata');
  if (DOCUMENTATION_V4.some((cidr) => address.match(cidr))) return refused('documentation');
  const range = V4_RANGES[address.range()] ?? 'reserved';
  return range === 'public' ? PUBLIC : refused(range);
}

function classifyV6(address: ipaddr.IPv6): AddressClass {
  const parts = address.parts;
  // ::a.b.c.d (IPv4-compatible, deprecated) looks like unicast to most libraries.
  const compatible = parts.slice(0, 6).every((p) => p === 0) && (parts[6] !== 0 || parts[7]! > 1);
  if (compatible) return refused('ipv4_embedded');
  if (address.isIPv4MappedAddress()) {
    // ::ffff:a.b.c.d reaches a.b.c.d: judged as that address, or refused as embedded if public.
    const inner = classifyV4(address.toIPv4Address());
    return inner.allowed ? refused('ipv4_embedded') : inner;
  }
  if (address.match(METADATA_IPV6, 128)) return refused('metadata');
  if (address.match(DOCUMENTATION_V6)) return refused('documentation');
  switch (address.range()) {
    case 'unicast':
      return PUBLIC;
    case 'unspecified':
      return refused('unspecified');
    case 'loopback':
      return refused('loopback');
    case 'linkLocal':
      return refused('link_local');
    case 'uniqueLocal':
      return refused('unique_local');
    case 'multicast':
      return refused('multicast');
    case 'benchmarking':
      return refused('benchmarking');
    case 'rfc6145':
    case 'rfc6052':
    case '6to4':
    case 'teredo':
      return refused('ipv4_embedded');
    default:
      return refused('reserved');
  }
}

/**
 * Whether Herald may connect to an IP address (v4 or v6, a zone id ignored).
 *
 * @example
 *   classifyAddress('93.184.215.14')      // { allowed: true }
 *   classifyAddress('169.254.169.254')    // { allowed: false, range: 'metadata' }
 *   classifyAddress('::ffff:10.0.0.1')    // { allowed: false, range: 'private' }
 *   classifyAddress('example.com')        // { allowed: false, range: 'not_an_address' }
 */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) return refused('not_an_address');
  const parsed = ipaddr.parse(bare);
  return parsed.kind() === 'ipv4'
    ? classifyV4(parsed as ipaddr.IPv4)
    : classifyV6(parsed as ipaddr.IPv6);
}

/** Whether a string is an IP address (v4 or v6, brackets allowed) rather than a name. */
export function isIpAddress(host: string): boolean {
  return ipaddr.isValid(host.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
}

function normaliseHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[|\]$/g, '');
}

/** Whether an admin allowed this host by name (exact match, case-insensitive, brackets dropped). */
export function isAllowedHost(host: string, allowedHosts: readonly string[]): boolean {
  const wanted = normaliseHost(host);
  return allowedHosts.some((h) => normaliseHost(h) === wanted);
}

export type HostVerdict =
  | { readonly verdict: 'allowed'; readonly reason: 'admin_allowed' | 'public_address' }
  /** A name: allowed only once every address it resolves to passes `classifyAddress`. */
  | { readonly verdict: 'resolve' }
  | { readonly verdict: 'refused'; readonly range: RefusedRange | 'refused_name' };

/**
 * The first step for a host of a URL: an allowed name passes, an address literal is classified,
 * a metadata name or `localhost` (and its subdomains) is refused, any other name must be resolved.
 *
 * @example
 *   classifyHost('127.0.0.1', [])             // { verdict: 'refused', range: 'loopback' }
 *   classifyHost('127.0.0.1', ['127.0.0.1'])  // { verdict: 'allowed', reason: 'admin_allowed' }
 *   classifyHost('metadata.google.internal', []) // { verdict: 'refused', range: 'refused_name' }
 *   classifyHost('api.twilio.com', [])        // { verdict: 'resolve' }
 */
export function classifyHost(host: string, allowedHosts: readonly string[]): HostVerdict {
  if (isAllowedHost(host, allowedHosts)) return { verdict: 'allowed', reason: 'admin_allowed' };
  const name = normaliseHost(host);
  if (isIpAddress(name)) {
    const c = classifyAddress(name);
    return c.allowed
      ? { verdict: 'allowed', reason: 'public_address' }
      : { verdict: 'refused', range: c.range };
  }
  if (!name) return { verdict: 'refused', range: 'not_an_address' };
  if (REFUSED_HOST_NAMES.includes(name) || name.endsWith('.localhost')) {
    return { verdict: 'refused', range: 'refused_name' };
  }
  return { verdict: 'resolve' };
}

export const OUTBOUND_URL_PROBLEMS = [
  'not_a_url',
  'scheme',
  'credentials',
  'too_long',
  'refused_address',
] as const;
export type OutboundUrlProblem = (typeof OUTBOUND_URL_PROBLEMS)[number];

export const OUTBOUND_URL_MAX_LENGTH = 2048;

export type OutboundUrlCheck =
  | {
      readonly ok: true;
      /** The URL without its fragment. */
      readonly url: string;
      readonly host: string;
      /** True when the host is a name whose addresses must still be checked after resolution. */
      readonly needsResolution: boolean;
      /** True when an admin allowed the host: no address rule applies to it. */
      readonly adminAllowed: boolean;
    }
  | {
      readonly ok: false;
      readonly problem: OutboundUrlProblem;
      readonly range?: RefusedRange | 'refused_name';
    };

/**
 * The check for a URL Herald will call: absolute http(s), no user:password (a secret in a URL
 * ends up in logs), and a host that `classifyHost` does not refuse. Ingress's carrier base-URL
 * validation and the webhook endpoint API call this at configuration time; the guarded client
 * calls it again before each request, then checks the resolved addresses.
 *
 * @example
 *   checkOutboundUrl('https://hooks.example.com/x#y', [])
 *   // { ok: true, url: 'https://hooks.example.com/x', host: 'hooks.example.com', needsResolution: true, adminAllowed: false }
 *   checkOutboundUrl('http://169.254.169.254/latest/meta-data/', [])
 *   // { ok: false, problem: 'refused_address', range: 'metadata' }
 */
export function checkOutboundUrl(raw: string, allowedHosts: readonly string[]): OutboundUrlCheck {
  if (raw.length > OUTBOUND_URL_MAX_LENGTH) return { ok: false, problem: 'too_long' };
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, problem: 'not_a_url' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, problem: 'scheme' };
  }
  if (!url.hostname) return { ok: false, problem: 'not_a_url' };
  if (url.username || url.password) return { ok: false, problem: 'credentials' };
  url.hash = '';
  const host = normaliseHost(url.hostname);
  const verdict = classifyHost(host, allowedHosts);
  if (verdict.verdict === 'refused') {
    return { ok: false, problem: 'refused_address', range: verdict.range };
  }
  return {
    ok: true,
    url: url.href,
    host,
    needsResolution: verdict.verdict === 'resolve',
    adminAllowed: verdict.verdict === 'allowed' && verdict.reason === 'admin_allowed',
  };
}
