// Content lint per policy: what the carriers reject and the regulators fault.
import { describe, expect, it } from 'vitest';
import type { LintOptions } from '../../../src/core/policy/lint.js';
import { lintContent } from '../../../src/core/policy/lint.js';
import { resolvePolicy } from '../../../src/core/policy/resolve.js';

const CN = resolvePolicy('CN');
const US = resolvePolicy('US');
const FR = resolvePolicy('FR');
const DE = resolvePolicy('DE');

const errorsOf = (body: string, options: LintOptions) =>
  lintContent(body, options)
    .issues.filter((i) => i.severity === 'error')
    .map((i) => i.code);

describe('Chinese marketing: 【签名】 at the start and 退订 text', () => {
  const options: LintOptions = {
    purpose: 'marketing',
    policy: CN,
    brand: '好店',
    autoAppendOptOut: false,
  };
  it.each([
    ['signature and 退订', '【好店】春季大促，全场8折，回复TD退订', []],
    ['no signature', '春季大促，全场8折，回复TD退订', ['signature_missing']],
    ['no 退订 text', '【好店】春季大促，全场8折', ['opt_out_missing']],
    ['neither', '春季大促，全场8折', ['opt_out_missing', 'signature_missing']],
    ['signature at the end only', '春季大促，全场8折，回复TD退订【好店】', ['signature_missing']],
    ['a one-character signature', '【店】春季大促，回复TD退订', ['signature_length']],
    [
      'a 13-character signature',
      '【一二三四五六七八九十一二三】促销，回复TD退订',
      ['signature_length'],
    ],
    ['a 12-character signature', '【一二三四五六七八九十一二】促销，回复TD退订', []],
    ['a 2-character signature', '【好店】促销，回复TD退订', []],
    ['brackets used twice', '【好店】春季大促【限时】，回复TD退订', ['signature_repeated']],
    ['“退订回T”', '【好店】春季大促，退订回T', []],
    ['“回T退订”', '【好店】春季大促，回T退订', []],
    ['“拒收请回复R”', '【好店】春季大促，拒收请回复R', []],
    [
      'English “Reply STOP” does not do in China',
      '【好店】Spring sale. Reply STOP to opt out',
      ['opt_out_missing'],
    ],
    [
      'an absolute claim (Advertising Law art. 9)',
      '【好店】全网最佳价格，回复TD退订',
      ['forbidden_word'],
    ],
    ['another absolute claim', '【好店】国家级品质，回复TD退订', ['forbidden_word']],
    [
      'too long: 202 UCS-2 characters, 4 segments',
      `【好店】${'促'.repeat(191)}，回复TD退订`,
      ['too_many_segments'],
    ],
    ['201 UCS-2 characters, 3 segments', `【好店】${'促'.repeat(190)}，回复TD退订`, []],
  ])('%s', (_label, body, expected) => {
    expect(errorsOf(body, options)).toEqual(expected);
  });

  it.each([
    [
      'after a comma-less ending',
      '【好店】春季大促，全场8折',
      '【好店】春季大促，全场8折，回复TD退订',
    ],
    ['after a full stop', '【好店】春季大促，全场8折。', '【好店】春季大促，全场8折。回复TD退订'],
    ['trailing spaces trimmed', '【好店】春季大促 ', '【好店】春季大促，回复TD退订'],
  ])('auto-appends 回复TD退订 %s', (_label, body, fixed) => {
    const result = lintContent(body, { purpose: 'marketing', policy: CN, brand: '好店' });
    expect(result).toMatchObject({ ok: true, fixedText: fixed });
    expect(result.issues.map((i) => [i.code, i.severity])).toEqual([['opt_out_appended', 'info']]);
  });

  it('still reports a missing signature after appending', () => {
    const result = lintContent('春季大促', {
      purpose: 'marketing',
      policy: CN,
      autoAppendOptOut: true,
    });
    expect(result.ok).toBe(false);
    expect(result.fixedText).toBe('春季大促，回复TD退订');
    expect(result.issues.map((i) => i.code)).toEqual(['opt_out_appended', 'signature_missing']);
  });

  it('warns when the signature is not the brand', () => {
    const result = lintContent('【好铺】春季大促，回复TD退订', {
      purpose: 'marketing',
      policy: CN,
      brand: '好店',
    });
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'signature_brand_mismatch', severity: 'warning' }),
    ]);
  });
});

describe('Chinese transactional', () => {
  it.each([
    ['with signature, no 退订 needed', '【好店】您的订单已发货', []],
    ['without signature', '您的订单已发货', ['signature_missing']],
    ['“最佳” is no advertising here', '【好店】最佳送达时间为明天上午', []],
  ])('%s', (_label, body, expected) => {
    expect(errorsOf(body, { purpose: 'transactional', policy: CN })).toEqual(expected);
  });
});

describe('US, FR, DE', () => {
  const head = 'Acme: Reply STOP to opt out. ';
  it.each<[string, string, LintOptions, string[]]>([
    [
      'US marketing with brand and STOP',
      'Acme: 20% off today. Reply STOP to opt out',
      { purpose: 'marketing', policy: US, brand: 'Acme' },
      [],
    ],
    [
      'US marketing without the brand name',
      '20% off today. Reply STOP to opt out',
      { purpose: 'marketing', policy: US, brand: 'Acme' },
      ['brand_missing'],
    ],
    [
      'US marketing with no brand configured',
      'Acme: 20% off today. Reply STOP to opt out',
      { purpose: 'marketing', policy: US },
      ['brand_missing'],
    ],
    [
      'brand in another case',
      'ACME: 20% off. Reply STOP to opt out',
      { purpose: 'marketing', policy: US, brand: 'Acme' },
      [],
    ],
    [
      '“Txt STOP to end”',
      'Acme: 20% off. Txt STOP to end',
      { purpose: 'marketing', policy: US, brand: 'Acme' },
      [],
    ],
    [
      '“STOP to opt out”',
      'Acme: 20% off. STOP to opt out',
      { purpose: 'marketing', policy: US, brand: 'Acme' },
      [],
    ],
    [
      '“stop by” is no opt-out',
      'Acme: stop by our store today!',
      { purpose: 'marketing', policy: US, brand: 'Acme', autoAppendOptOut: false },
      ['opt_out_missing'],
    ],
    [
      'US transactional needs neither',
      'Your code is 482913',
      { purpose: 'transactional', policy: US },
      [],
    ],
    ['empty', '', { purpose: 'transactional', policy: US }, ['empty_body']],
    ['blank', ' \n ', { purpose: 'marketing', policy: US, brand: 'Acme' }, ['empty_body']],
    [
      'link on an allowed domain',
      'Acme: sale https://shop.acme.com/x Reply STOP to opt out',
      { purpose: 'marketing', policy: US, brand: 'Acme', allowedLinkDomains: ['acme.com'] },
      [],
    ],
    [
      'public shortener',
      'Acme: sale https://bit.ly/x Reply STOP to opt out',
      { purpose: 'marketing', policy: US, brand: 'Acme', allowedLinkDomains: ['acme.com'] },
      ['link_not_allowed'],
    ],
    [
      'user info hiding the host',
      'Acme: sale https://acme.com@evil.example/x Reply STOP to opt out',
      { purpose: 'marketing', policy: US, brand: 'Acme', allowedLinkDomains: ['acme.com'] },
      ['link_not_allowed'],
    ],
    [
      'links unchecked without a domain list',
      'Acme: sale https://bit.ly/x Reply STOP to opt out',
      { purpose: 'marketing', policy: US, brand: 'Acme' },
      [],
    ],
    [
      '459 GSM-7 characters: 3 segments',
      head + 'a'.repeat(459 - head.length),
      { purpose: 'marketing', policy: US, brand: 'Acme' },
      [],
    ],
    [
      '460 GSM-7 characters: 4 segments',
      head + 'a'.repeat(460 - head.length),
      { purpose: 'marketing', policy: US, brand: 'Acme' },
      ['too_many_segments'],
    ],
    [
      'a forbidden word from settings',
      'Acme: a FREE gift. Reply STOP to opt out',
      {
        purpose: 'marketing',
        policy: resolvePolicy('US', { content: { forbiddenWords: { marketing: ['free'] } } }),
        brand: 'Acme',
      },
      ['forbidden_word'],
    ],
    [
      'FR “STOP SMS au 36111”',
      'Maison : -20% ce week-end. STOP SMS au 36111',
      { purpose: 'marketing', policy: FR, brand: 'Maison' },
      [],
    ],
    [
      'FR “Répondez STOP”',
      'Maison : -20%. Répondez STOP pour vous désinscrire',
      { purpose: 'marketing', policy: FR, brand: 'Maison' },
      [],
    ],
    [
      'DE “Abmelden: Antworte STOP”',
      'Laden: 20% Rabatt. Abmelden: Antworte STOP',
      { purpose: 'marketing', policy: DE, brand: 'Laden' },
      [],
    ],
  ])('%s', (_label, body, options, expected) => {
    expect(errorsOf(body, options)).toEqual(expected);
  });

  it.each([
    ['US', US, 'en', 'Acme: stop by today!', 'Acme: stop by today!\nReply STOP to opt out'],
    [
      'FR',
      FR,
      'fr',
      'Maison : -20% !',
      'Maison : -20% !\nRépondez STOP pour ne plus recevoir nos SMS',
    ],
    ['DE', DE, 'de', 'Laden: 20% Rabatt', 'Laden: 20% Rabatt\nAbmelden: Antworte STOP'],
  ])('%s auto-appends the opt-out in %s', (_label, policy, locale, body, fixed) => {
    const brand = body.split(/[ :]/)[0];
    const result = lintContent(body, { purpose: 'marketing', policy, locale, brand });
    expect(result).toMatchObject({ ok: true, fixedText: fixed });
  });

  it('suggests smart encoding when one character forces UCS-2', () => {
    const result = lintContent('Acme: it’s on. Reply STOP to opt out', {
      purpose: 'marketing',
      policy: US,
      brand: 'Acme',
    });
    expect(result.ok).toBe(true);
    expect(result.issues.map((i) => [i.code, i.severity])).toEqual([['smart_encoding', 'info']]);
  });
});
