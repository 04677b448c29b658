import { describe, expect, it } from 'vitest';
import { inspectText, isGsmText } from '../../../src/core/content/encoding.js';
import { smartEncode } from '../../../src/core/content/smart-encoding.js';

const a = (n: number): string => 'a'.repeat(n);
const b = (n: number): string => 'b'.repeat(n);
const zh = (n: number, char = '中'): string => char.repeat(n);
const FAMILY = '👨\u200D👩\u200D👧'; // 3 emoji (2 units each) joined by 2 ZWJ: 8 UTF-16 units

type Row = {
  name: string;
  text: string;
  encoding: 'GSM-7' | 'UCS-2';
  characters: number;
  units: number;
  /** Units of each segment, in order; its length is the segment count. */
  parts: number[];
  perSegment: number;
  remaining: number;
};

// Expected values are worked out by hand: 160/153 septets, 70/67 UTF-16 units, an extension
// character costs 2 septets and moves to the next part whole, a surrogate pair moves whole.
// prettier-ignore
const rows: Row[] = [
  { name: 'empty text', text: '', encoding: 'GSM-7', characters: 0, units: 0, parts: [], perSegment: 160, remaining: 160 },
  { name: 'short GSM text', text: 'Hello', encoding: 'GSM-7', characters: 5, units: 5, parts: [5], perSegment: 160, remaining: 155 },
  { name: '160 GSM characters: one segment', text: a(160), encoding: 'GSM-7', characters: 160, units: 160, parts: [160], perSegment: 160, remaining: 0 },
  { name: '161 GSM characters: two segments', text: a(161), encoding: 'GSM-7', characters: 161, units: 161, parts: [153, 8], perSegment: 153, remaining: 145 },
  { name: '306 GSM characters fill two parts', text: a(306), encoding: 'GSM-7', characters: 306, units: 306, parts: [153, 153], perSegment: 153, remaining: 0 },
  { name: '307 GSM characters: three parts', text: a(307), encoding: 'GSM-7', characters: 307, units: 307, parts: [153, 153, 1], perSegment: 153, remaining: 152 },
  { name: 'euro counts two septets', text: 'Hi €', encoding: 'GSM-7', characters: 4, units: 5, parts: [5], perSegment: 160, remaining: 155 },
  { name: '158 + € is exactly 160 septets', text: a(158) + '€', encoding: 'GSM-7', characters: 159, units: 160, parts: [160], perSegment: 160, remaining: 0 },
  { name: '159 + € is 161 septets', text: a(159) + '€', encoding: 'GSM-7', characters: 160, units: 161, parts: [153, 8], perSegment: 153, remaining: 145 },
  { name: '€ at septets 153-154 moves whole to part 2', text: a(152) + '€' + b(10), encoding: 'GSM-7', characters: 163, units: 164, parts: [152, 12], perSegment: 153, remaining: 141 },
  { name: '€ at septets 152-153 stays in part 1', text: a(151) + '€' + b(10), encoding: 'GSM-7', characters: 162, units: 163, parts: [153, 10], perSegment: 153, remaining: 143 },
  { name: '€ right after a full part starts part 2', text: a(153) + '€' + b(10), encoding: 'GSM-7', characters: 164, units: 165, parts: [153, 12], perSegment: 153, remaining: 141 },
  { name: '80 euros are 160 septets', text: '€'.repeat(80), encoding: 'GSM-7', characters: 80, units: 160, parts: [160], perSegment: 160, remaining: 0 },
  { name: '81 euros: 76 fit in part 1', text: '€'.repeat(81), encoding: 'GSM-7', characters: 81, units: 162, parts: [152, 10], perSegment: 153, remaining: 143 },
  { name: 'every extension character costs 2', text: '[]{}^~\\|€\f', encoding: 'GSM-7', characters: 10, units: 20, parts: [20], perSegment: 160, remaining: 140 },
  { name: 'GSM basic table beyond ASCII', text: 'ΔΦΓΛΩΠΨΣΘΞ@£$¥èéùìòÇØøÅåÆæßÉÄÖÑÜ§¿äöñüà', encoding: 'GSM-7', characters: 39, units: 39, parts: [39], perSegment: 160, remaining: 121 },
  { name: 'CRLF is one character, two septets', text: 'a\r\nb', encoding: 'GSM-7', characters: 3, units: 4, parts: [4], perSegment: 160, remaining: 156 },
  { name: '70 UCS-2 characters: one segment', text: zh(70), encoding: 'UCS-2', characters: 70, units: 70, parts: [70], perSegment: 70, remaining: 0 },
  { name: '71 UCS-2 characters: two segments', text: zh(71), encoding: 'UCS-2', characters: 71, units: 71, parts: [67, 4], perSegment: 67, remaining: 63 },
  { name: 'one ç turns 69 a into UCS-2', text: a(69) + 'ç', encoding: 'UCS-2', characters: 70, units: 70, parts: [70], perSegment: 70, remaining: 0 },
  { name: '71 units with a ç', text: a(70) + 'ç', encoding: 'UCS-2', characters: 71, units: 71, parts: [67, 4], perSegment: 67, remaining: 63 },
  { name: 'emoji at units 67-68 moves whole to part 2', text: zh(66) + '😀' + zh(5), encoding: 'UCS-2', characters: 72, units: 73, parts: [66, 7], perSegment: 67, remaining: 60 },
  { name: 'emoji at units 66-67 stays in part 1', text: zh(65) + '😀' + zh(5), encoding: 'UCS-2', characters: 71, units: 72, parts: [67, 5], perSegment: 67, remaining: 62 },
  { name: 'emoji ending at unit 70 fits one SMS', text: zh(68) + '😀', encoding: 'UCS-2', characters: 69, units: 70, parts: [70], perSegment: 70, remaining: 0 },
  { name: 'emoji pushing to 71 units', text: zh(69) + '😀', encoding: 'UCS-2', characters: 70, units: 71, parts: [67, 4], perSegment: 67, remaining: 63 },
  { name: '35 emoji are 70 units', text: '😀'.repeat(35), encoding: 'UCS-2', characters: 35, units: 70, parts: [70], perSegment: 70, remaining: 0 },
  { name: '36 emoji: 33 per part', text: '😀'.repeat(36), encoding: 'UCS-2', characters: 36, units: 72, parts: [66, 6], perSegment: 67, remaining: 61 },
  { name: 'extension characters count 1 in UCS-2', text: '€'.repeat(10) + '中', encoding: 'UCS-2', characters: 11, units: 11, parts: [11], perSegment: 70, remaining: 59 },
  { name: 'emoji ZWJ sequence is split between code points', text: zh(60) + FAMILY + zh(10), encoding: 'UCS-2', characters: 71, units: 78, parts: [66, 12], perSegment: 67, remaining: 55 },
  { name: 'skin-tone emoji is one character of 4 units', text: '👍🏽', encoding: 'UCS-2', characters: 1, units: 4, parts: [4], perSegment: 70, remaining: 66 },
  { name: 'Chinese OTP with 【签名】 and 回复TD退订', text: '【Herald】您的验证码是123456，5分钟内有效。回复TD退订', encoding: 'UCS-2', characters: 34, units: 34, parts: [34], perSegment: 70, remaining: 36 },
  { name: 'Chinese marketing of exactly 70', text: '【品牌】' + zh(60, '惠') + '回复TD退订', encoding: 'UCS-2', characters: 70, units: 70, parts: [70], perSegment: 70, remaining: 0 },
  { name: 'Chinese marketing of 72: 回 ends part 1', text: '【品牌】' + zh(62, '双') + '回复TD退订', encoding: 'UCS-2', characters: 72, units: 72, parts: [67, 5], perSegment: 67, remaining: 62 },
  { name: 'decomposed é is UCS-2', text: 'Cafe\u0301', encoding: 'UCS-2', characters: 4, units: 5, parts: [5], perSegment: 70, remaining: 65 },
  { name: 'a lone surrogate counts one unit', text: 'a\uD800b', encoding: 'UCS-2', characters: 3, units: 3, parts: [3], perSegment: 70, remaining: 67 },
];

describe('inspectText', () => {
  it.each(rows)('$name', (row) => {
    const result = inspectText(row.text);
    expect({
      encoding: result.encoding,
      characters: result.characters,
      units: result.units,
      segments: result.segments,
      perSegment: result.perSegment,
      remaining: result.remainingInSegment,
    }).toEqual({
      encoding: row.encoding,
      characters: row.characters,
      units: row.units,
      segments: row.parts.length,
      perSegment: row.perSegment,
      remaining: row.remaining,
    });
    // The parts put together are the text, and each part costs what the table says.
    expect(result.segmentTexts.join('')).toBe(row.text);
    const unitsOf = (part: string): number =>
      row.encoding === 'GSM-7' ? inspectText(part).units : part.length;
    expect(result.segmentTexts.map(unitsOf)).toEqual(row.parts);
  });

  it('never splits an escape pair or a surrogate pair, whatever the length', () => {
    for (let n = 140; n <= 175; n += 1) {
      const gsm = inspectText(a(n) + '€' + b(20));
      for (const part of gsm.segmentTexts) {
        expect(inspectText(part).units).toBeLessThanOrEqual(gsm.perSegment);
      }
      const ucs = inspectText(zh(n - 100) + '😀'.repeat(5) + zh(10));
      for (const part of ucs.segmentTexts) {
        expect(part.length).toBeLessThanOrEqual(ucs.perSegment);
        expect(part).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
      }
    }
  });

  it.each([
    ['GSM text has none', 'Hello €uro [x]', []],
    ['curly punctuation and emoji, in order', 'It’s “great”… 😀', ['’', '“', '”', '…', '😀']],
    ['each character once', '你好 Hello 你好', ['你', '好']],
    ['a decomposed letter is one character', 'Cafe\u0301', ['e\u0301']],
    ['a skin-tone emoji is one character', 'ok 👍🏽', ['👍🏽']],
    ['ç is not in GSM-7 (only Ç is)', 'Ça va, garçon', ['ç']],
  ])('unicodeCharacters: %s', (_name, text, expected) => {
    expect(inspectText(text).unicodeCharacters).toEqual(expected);
  });

  it.each([
    ['already GSM-7', 'Price: 5€ [today]', [], true],
    ['curly quote only', 'It’s great', [{ from: '’', to: "'", count: 1 }], true],
    [
      'curly quote with an emoji that stays',
      'It’s great 😀',
      [{ from: '’', to: "'", count: 1 }],
      false,
    ],
    ['Chinese text is left as written', '双十一“狂欢”！回复TD退订', [], false],
    ['a Latin letter outside GSM-7 stays', 'Zoë’s', [{ from: '’', to: "'", count: 1 }], false],
    ['decomposed é composes', 'Cafe\u0301', [{ from: 'e\u0301', to: 'é', count: 1 }], true],
  ])('suggestions and gsmIfReplaced: %s', (_name, text, suggestions, gsmIfReplaced) => {
    const result = inspectText(text);
    expect(result.suggestions).toEqual(suggestions);
    expect(result.gsmIfReplaced).toBe(gsmIfReplaced);
  });

  it('applying the suggestions halves the cost of a pasted text', () => {
    const pasted = 'Don’t miss our sale – ' + a(100);
    expect(inspectText(pasted)).toMatchObject({
      encoding: 'UCS-2',
      segments: 2,
      gsmIfReplaced: true,
    });
    expect(inspectText(smartEncode(pasted).text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});

describe('isGsmText', () => {
  it.each([
    ['plain ASCII', 'Hello, world!', true],
    ['extension table', '{[~^|\\]}€', true],
    ['backtick is not GSM-7', 'a`b', false],
    ['em dash', 'a—b', false],
    ['tab', 'a\tb', false],
    ['Chinese', '中', false],
  ])('%s', (_name, text, expected) => {
    expect(isGsmText(text)).toBe(expected);
  });
});
