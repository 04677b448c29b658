// Configuration of the abuse defences: pumping limits and the outbound allowance, read once and
// refused with one line that names the key; carriers refuse API URLs the SSRF rules refuse.
import { describe, expect, it } from 'vitest';
import { createTwilioCarrier } from '../../src/carriers/twilio.js';
import { createTencentCarrier } from '../../src/carriers/tencent.js';
import { createAliyunCarrier } from '../../src/carriers/aliyun.js';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_PUMPING_LIMITS } from '../../src/core/pumping.js';
import { createOutboundHttp } from '../../src/security/guarded-http.js';

const base = { HERALD_DATA_DIR: '/nonexistent-herald-test-dir' };

describe('pumping and outbound configuration', () => {
  it('defaults: the documented limits, the older sign-up keys, nobody allowed', () => {
    const config = loadConfig({ ...base, HERALD_SUBSCRIBE_MAX_PER_IP_HOUR: '7' });
    expect(config.pumping).toEqual({
      ...DEFAULT_PUMPING_LIMITS,
      perIp: { max: 7, windowSeconds: 3600 },
    });
    expect(config.outboundAllowHosts).toEqual([]);
  });

  it('reads HERALD_PUMPING as JSON, merging what it names over the defaults', () => {
    const config = loadConfig({
      ...base,
      HERALD_PUMPING: JSON.stringify({
        burst: { consecutiveRun: 4 },
        dailySpendCap: null,
        prices: { countries: { CN: 0.03 } },
      }),
      HERALD_OUTBOUND_ALLOW_HOSTS: ' hooks.internal.example , 127.0.0.1 ',
    });
    expect(config.pumping.burst).toEqual({ ...DEFAULT_PUMPING_LIMITS.burst, consecutiveRun: 4 });
    expect(config.pumping.dailySpendCap).toBeNull();
    expect(config.pumping.prices).toEqual({ default: 0.05, countries: { CN: 0.03 } });
    expect(config.outboundAllowHosts).toEqual(['hooks.internal.example', '127.0.0.1']);
  });

  it.each([
    ['{not json', /HERALD_PUMPING is not valid JSON/],
    [JSON.stringify({ perIp: { max: 0, windowSeconds: 60 } }), /HERALD_PUMPING/],
    [JSON.stringify({ perHour: 5 }), /HERALD_PUMPING/],
    [JSON.stringify({ prices: { countries: { china: 1 } } }), /HERALD_PUMPING/],
  ])('refuses HERALD_PUMPING=%s naming the key', (value, message) => {
    expect(() => loadConfig({ ...base, HERALD_PUMPING: value })).toThrow(message);
  });
});

describe('carrier API URLs', () => {
  const none = createOutboundHttp({ allowedHosts: [] });
  const twilio = { accountSid: 'AC1', authToken: 't', from: '+14155550100', http: none };
  const tencent = {
    secretId: 'id',
    secretKey: 'key',
    region: 'ap-guangzhou',
    sdkAppId: '1400000000',
    signName: 'Herald',
    templateMap: {},
    http: none,
  };
  const aliyun = {
    accessKeyId: 'id',
    accessKeySecret: 'secret',
    signName: 'Herald',
    templateMap: {},
    http: none,
  };

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://127.0.0.1:8080',
    'http://localhost:8080',
    'http://[::1]/',
    'http://10.1.2.3/',
    'ftp://api.example.com/',
  ])('do not start with %s', (url) => {
    expect(() => createTwilioCarrier({ ...twilio, baseUrl: url })).toThrow(/refused/);
    expect(() => createTencentCarrier({ ...tencent, endpoint: url })).toThrow(/refused/);
    expect(() => createAliyunCarrier({ ...aliyun, endpoint: url })).toThrow(/refused/);
  });

  it('start with their public defaults, and with a host an admin allowed', () => {
    expect(() => createTwilioCarrier(twilio)).not.toThrow();
    expect(() => createTencentCarrier(tencent)).not.toThrow();
    expect(() => createAliyunCarrier(aliyun)).not.toThrow();
    const allowed = createOutboundHttp({ allowedHosts: ['127.0.0.1'] });
    expect(() =>
      createTwilioCarrier({ ...twilio, http: allowed, baseUrl: 'http://127.0.0.1:9' }),
    ).not.toThrow();
    allowed.close();
  });
});
