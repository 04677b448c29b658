import { describe, expect, it } from 'vitest';
import { isGsmText } from '../../../src/core/content/encoding.js';
import { SMART_REPLACEMENT_TABLE, smartEncode } from '../../../src/core/content/smart-encoding.js';
import type { SmartReplacement } from '../../../src/core/content/smart-encoding.js';

const r = (from: string, to: string, count = 1): SmartReplacement => ({ from, to, count });

describe('smartEncode', () => {
  // prettier-ignore
  it.each<[string, string, string, SmartReplacement[]]>([
    ['right single quote as apostrophe', 'It’s', "It's", [r('’', "'")]],
    ['single quotes', '‘quoted’', "'quoted'", [r('‘', "'"), r('’', "'")]],
    ['double quotes', '“Hi”', '"Hi"', [r('“', '"'), r('”', '"')]],
    ['German low-high quotes', '„Hallo“', '"Hallo"', [r('„', '"'), r('“', '"')]],
    ['guillemets', '«Bonjour»', '"Bonjour"', [r('«', '"'), r('»', '"')]],
    ['en dash', '10–20', '10-20', [r('–', '-')]],
    ['em dash', 'Wait—what', 'Wait-what', [r('—', '-')]],
    ['minus sign', '1−2', '1-2', [r('−', '-')]],
    ['ellipsis becomes three dots', 'Wait…', 'Wait...', [r('…', '...')]],
    ['bullet', 'a • b', 'a - b', [r('•', '-')]],
    ['no-break space becomes one space', 'a\u00A0b', 'a b', [r('\u00A0', ' ')]],
    ['narrow no-break space', '10\u202F€', '10 €', [r('\u202F', ' ')]],
    ['thin space', 'a\u2009b', 'a b', [r('\u2009', ' ')]],
    ['ideographic space in Latin text', 'a\u3000b', 'a b', [r('\u3000', ' ')]],
    ['tab becomes one space', 'Tab\there', 'Tab here', [r('\t', ' ')]],
    ['line separator becomes a newline', 'line\u2028break', 'line\nbreak', [r('\u2028', '\n')]],
    ['zero-width space removed', 'a\u200Bb', 'ab', [r('\u200B', '')]],
    ['BOM removed', '\uFEFFHello', 'Hello', [r('\uFEFF', '')]],
    ['soft hyphen removed', 'soft\u00ADhyphen', 'softhyphen', [r('\u00AD', '')]],
    ['zero-width joiner removed between letters', 'a\u200Db', 'ab', [r('\u200D', '')]],
    ['full-width letters and sign', 'ＳＡＬＥ！', 'SALE!', [r('Ｓ', 'S'), r('Ａ', 'A'), r('Ｌ', 'L'), r('Ｅ', 'E'), r('！', '!')]],
    ['full-width digits', '０１２３', '0123', [r('０', '0'), r('１', '1'), r('２', '2'), r('３', '3')]],
    ['full-width percent in Latin text', '５０％ ＯＦＦ', '50% OFF', [r('５', '5'), r('０', '0'), r('％', '%'), r('Ｏ', 'O'), r('Ｆ', 'F', 2)]],
    ['full-width grave becomes an apostrophe, not a backtick', '｀quote｀', "'quote'", [r('｀', "'", 2)]],
    ['full-width pound', '￡5', '£5', [r('￡', '£')]],
    ['decomposed é is composed', 'Cafe\u0301', 'Café', [r('e\u0301', 'é')]],
    ['counts repeated characters', '’’’ “”', "''' \"\"", [r('’', "'", 3), r('“', '"'), r('”', '"')]],
    ['GSM Greek capitals do not make a text foreign', '5Ω “ok”', '5Ω "ok"', [r('“', '"'), r('”', '"')]],
    ['a Latin letter outside GSM-7 does not stop the rest', 'Zoë’s', "Zoë's", [r('’', "'")]],
    ['GSM-7 text is untouched', 'Price: 5€ [today] ¡Olé!', 'Price: 5€ [today] ¡Olé!', []],
    ['Chinese punctuation is kept in Chinese text', '双十一“狂欢”！……', '双十一“狂欢”！……', []],
    ['full-width Latin is kept in Chinese text', '【品牌】ＳＡＬＥ！回复TD退订', '【品牌】ＳＡＬＥ！回复TD退订', []],
    ['ideographic space is kept in Chinese text', '你好\u3000世界', '你好\u3000世界', []],
    ['invisible characters go even in Chinese text', '你好\u200B世界', '你好世界', [r('\u200B', '')]],
    ['Japanese text keeps its typography', '「セール」…', '「セール」…', []],
    ['Cyrillic text keeps its quotes', 'Привет “мир”', 'Привет “мир”', []],
    ['emoji ZWJ sequences are kept whole', '👨\u200D👩\u200D👧 family', '👨\u200D👩\u200D👧 family', []],
    ['empty text', '', '', []],
  ])('%s', (_name, input, text, replacements) => {
    expect(smartEncode(input)).toEqual({ text, replacements });
  });

  it.each([
    ['curly quotes and dashes', 'It’s “great” – really…', true],
    ['full-width shouting', 'ＳＡＬＥ ５０％！', true],
    ['no-break spaces from a word processor', 'Hello\u00A0world\u200B!', true],
    ['emoji stays UCS-2', 'It’s great 😀', false],
    ['Chinese stays UCS-2', '“狂欢”！', false],
    ['ł has no GSM-7 form', 'Łódź – dziś', false],
  ])('result is GSM-7: %s → %s', (_name, input, gsm) => {
    expect(isGsmText(smartEncode(input).text)).toBe(gsm);
  });

  it('maps only non-GSM-7 characters, and only to GSM-7 text', () => {
    const wrong: string[] = [];
    for (const [from, to] of SMART_REPLACEMENT_TABLE) {
      if (isGsmText(from) || !isGsmText(to)) wrong.push(`${from} → ${to}`);
    }
    expect(wrong).toEqual([]);
    expect(SMART_REPLACEMENT_TABLE.size).toBeGreaterThan(120);
  });
});
