/**
 * From checked carrier accounts to the carriers of a process. HTTP carriers are built at once
 * (no connection until they send); an SMPP carrier binds on its first use (a send or a
 * subscription), so that `herald serve` and one-off CLI commands never open an SMSC session.
 * Per-purpose senders fill in a message's sender where its route named none.
 */
import type { Logger } from '../logger.js';
import type { OutboundHttp } from '../security/guarded-http.js';
import type { CarrierAccountSpec } from './account-spec.js';
import { createAliyunCarrier, type AliyunTemplateMap } from './aliyun.js';
import type { Carrier, OutgoingSms } from './carrier.js';
import { createSimulator } from './simulator.js';
import { createSmppCarrier } from './smpp.js';
import type { SmppCarrier } from './smpp.js';
import { createTencentCarrier, type TencentTemplateMap } from './tencent.js';
import { createTwilioCarrier } from './twilio.js';

export interface BuildDeps {
  /** Herald's public base URL: the webhook URLs carriers are told to call. */
  readonly publicUrl: string;
  readonly logger?: Logger;
  /** The guarded client HTTP carriers call out through (SSRF rules, timeouts, size limits). */
  readonly http?: OutboundHttp;
}

/** The URLs a carrier posts to: `/webhooks/<name>/receipts` and `/webhooks/<name>/inbound`. */
export function webhookUrls(publicUrl: string, name: string) {
  const base = `${publicUrl.replace(/\/+$/, '')}/webhooks/${encodeURIComponent(name)}`;
  return { receipts: `${base}/receipts`, inbound: `${base}/inbound` };
}

type Settings = Readonly<Record<string, unknown>>;
const str = (s: Settings, key: string) => s[key] as string;
const opt = <T>(s: Settings, key: string) => s[key] as T | undefined;

/** An SMPP carrier that connects when first used; close() before that is a no-op. */
function lazySmpp(create: () => SmppCarrier, name: string): Carrier {
  let real: SmppCarrier | null = null;
  let closed = false;
  const carrier = () => {
    if (closed) throw new Error(`${name} is closed`);
    return (real ??= create());
  };
  return {
    name,
    send: (message) =>
      closed
        ? Promise.resolve({ status: 'failed', errorCode: 'SMPP_CLOSED', permanent: false })
        : carrier().send(message),
    subscribe: (listener) => carrier().subscribe(listener),
    close: async () => {
      closed = true;
      await real?.close();
    },
  };
}

/** The carrier with `sender` filled in per purpose where the message has none. */
function withPurposeSenders(
  carrier: Carrier,
  senders: Readonly<Record<string, string>> | undefined,
): Carrier {
  if (!senders || Object.keys(senders).length === 0) return carrier;
  const fill = (m: OutgoingSms): OutgoingSms =>
    m.sender || !senders[m.purpose] ? m : { ...m, sender: senders[m.purpose] };
  return new Proxy(carrier, {
    get(target, prop) {
      if (prop === 'send') return (m: OutgoingSms) => target.send(fill(m));
      if (prop === 'sendBatch' && target.sendBatch) {
        return (ms: readonly OutgoingSms[]) => target.sendBatch!(ms.map(fill));
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

/**
 * @example
 *   buildCarrier(checkCarrierAccount({ name: 'tw', type: 'twilio', settings, secrets }),
 *     { publicUrl: 'https://herald.example.com' }).name; // 'tw'
 */
export function buildCarrier(spec: CarrierAccountSpec, deps: BuildDeps): Carrier {
  const { name, settings: s, secrets } = spec;
  const timeoutMs = opt<number>(s, 'timeoutMs');
  const http = deps.http ? { http: deps.http } : {};
  const carrier = ((): Carrier => {
    switch (spec.type) {
      case 'simulator':
        return createSimulator({
          name,
          ...(s.deliveryRate === undefined ? {} : { deliveryRate: s.deliveryRate as number }),
          ...(s.submitFailureRate === undefined
            ? {}
            : { submitFailureRate: s.submitFailureRate as number }),
          ...(s.receipts === undefined ? {} : { receipts: s.receipts as boolean }),
        });
      case 'smpp':
        return lazySmpp(
          () =>
            createSmppCarrier({
              name,
              host: str(s, 'host'),
              port: s.port as number,
              systemId: str(s, 'systemId'),
              password: secrets.password!,
              systemType: opt(s, 'systemType'),
              serviceType: opt(s, 'serviceType'),
              defaultSender: opt(s, 'defaultSender'),
              window: opt(s, 'window'),
              maxPerSecond: opt(s, 'maxPerSecond'),
              enquireLinkMs: opt(s, 'enquireLinkMs'),
              responseTimeoutMs: opt(s, 'responseTimeoutMs'),
              ...(deps.logger ? { logger: deps.logger } : {}),
            }),
          name,
        );
      case 'twilio':
        return createTwilioCarrier({
          name,
          accountSid: str(s, 'accountSid'),
          authToken: secrets.authToken!,
          from: opt(s, 'from'),
          messagingServiceSid: opt(s, 'messagingServiceSid'),
          baseUrl: opt(s, 'baseUrl'),
          statusCallbackUrl:
            s.statusCallback === false ? undefined : webhookUrls(deps.publicUrl, name).receipts,
          timeoutMs,
          ...http,
        });
      case 'tencent':
        return createTencentCarrier({
          name,
          secretId: str(s, 'secretId'),
          secretKey: secrets.secretKey!,
          region: str(s, 'region'),
          sdkAppId: str(s, 'sdkAppId'),
          signName: str(s, 'signName'),
          templateMap: s.templateMap as TencentTemplateMap,
          endpoint: opt(s, 'endpoint'),
          callbackToken: secrets.callbackToken,
          timeoutMs,
          ...http,
        });
      case 'aliyun':
        return createAliyunCarrier({
          name,
          accessKeyId: str(s, 'accessKeyId'),
          accessKeySecret: secrets.accessKeySecret!,
          signName: str(s, 'signName'),
          templateMap: s.templateMap as AliyunTemplateMap,
          endpoint: opt(s, 'endpoint'),
          regionId: opt(s, 'regionId'),
          callbackToken: secrets.callbackToken,
          timeoutMs,
          ...http,
        });
    }
  })();
  return withPurposeSenders(carrier, opt<Record<string, string>>(s, 'senders'));
}
