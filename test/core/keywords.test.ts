import { describe, expect, it } from 'vitest';
import { DEFAULT_KEYWORDS, INBOUND_INTENTS, classifyInbound } from '../../src/core/keywords.js';
import type { KeywordSets } from '../../src/core/keywords.js';

describe('classifyInbound: keywords with trivial noise', () => {
  // prettier-ignore
  it.each<[string, string, string]>([
    ['STOP', 'opt_out', 'STOP'],
    ['stop', 'opt_out', 'STOP'],
    ['STOP.', 'opt_out', 'STOP'],
    [' stop!! ', 'opt_out', 'STOP'],
    ['Stop please', 'opt_out', 'STOP'],
    ['Please STOP, thanks', 'opt_out', 'STOP'],
    ['ＳＴＯＰ', 'opt_out', 'STOP'],
    ['ｓｔｏｐ！', 'opt_out', 'STOP'],
    ['Stop 🛑', 'opt_out', 'STOP'],
    ['"STOP"', 'opt_out', 'STOP'],
    ['S\u200BTOP', 'opt_out', 'STOP'],
    ['STOP STOP STOP', 'opt_out', 'STOP'],
    ['StopAll', 'opt_out', 'STOPALL'],
    ['stop all', 'opt_out', 'STOP ALL'],
    ['Unsubscribe', 'opt_out', 'UNSUBSCRIBE'],
    ['cancel', 'opt_out', 'CANCEL'],
    ['End', 'opt_out', 'END'],
    ['quit.', 'opt_out', 'QUIT'],
    ['REVOKE', 'opt_out', 'REVOKE'],
    ['optout', 'opt_out', 'OPTOUT'],
    ['Opt out', 'opt_out', 'OPT OUT'],
    ['opt-out', 'opt_out', 'OPT OUT'],
    ['Arrêt', 'opt_out', 'ARRET'],
    ['STOPP', 'opt_out', 'STOPP'],
    ['Hi. STOP', 'opt_out', 'STOP'],
    ['TD', 'opt_out', 'TD'],
    ['td', 'opt_out', 'TD'],
    ['T', 'opt_out', 'T'],
    ['N', 'opt_out', 'N'],
    ['R', 'opt_out', 'R'],
    ['退订', 'opt_out', '退订'],
    ['【退订】', 'opt_out', '退订'],
    ['TD退订', 'opt_out', 'TD'],
    ['退订TD', 'opt_out', '退订'],
    ['回复TD退订', 'opt_out', 'TD'],
    ['回T', 'opt_out', 'T'],
    ['退订，谢谢', 'opt_out', '退订'],
    ['退订。谢谢', 'opt_out', '退订'],
    ['我要退订', 'opt_out', '退订'],
    ['取消', 'opt_out', '取消'],
    ['拒收', 'opt_out', '拒收'],
    ['退定', 'opt_out', '退定'],
    ['ＴＤ', 'opt_out', 'TD'],
    ['取消订阅', 'opt_out', '取消'],
    ['START', 'opt_in', 'START'],
    ['start!', 'opt_in', 'START'],
    ['UNSTOP', 'opt_in', 'UNSTOP'],
    ['订阅', 'opt_in', '订阅'],
    ['HELP', 'help', 'HELP'],
    ['help?', 'help', 'HELP'],
    ['Info', 'help', 'INFO'],
    ['帮助', 'help', '帮助'],
    ['YES', 'confirm', 'YES'],
    ['yes please', 'confirm', 'YES'],
    ['Y', 'confirm', 'Y'],
    ['OK', 'confirm', 'OK'],
    ['是', 'confirm', '是'],
    ['是的', 'confirm', '是的'],
    ['确认', 'confirm', '确认'],
    ['好', 'confirm', '好'],
    ['好的', 'confirm', '好的'],
    ['yes stop', 'opt_out', 'STOP'],
    ['HELP STOP', 'opt_out', 'STOP'],
    ['YES START', 'confirm', 'YES'],
  ])('%j → %s', (text, intent, matched) => {
    expect(classifyInbound(text)).toEqual({ intent, matched, rule: 'keyword' });
  });
});

describe('classifyInbound: sentences that ask to stop', () => {
  it.each([
    'please stop texting me',
    'Stop texting me!',
    'stop sending me messages',
    'Can you stop messaging me please',
    'quit sending me these texts',
    'Stop it.',
    'unsubscribe me',
    'Unsubscribe me please.',
    'remove me from your list',
    'Take me off your list!',
    'opt me out',
    'unsubscribe from this list',
    'I want to unsubscribe',
    "I'd like to opt out",
    "I don't want these texts",
    'don’t text me again',
    'Do not contact me',
    'no more texts please',
    'leave me alone',
    'Who is this? Stop texting me.',
    '不要再发了',
    '别再发短信了',
    '请勿打扰',
    '不要给我发短信',
    '停止发送',
    '别发了！',
    '请不要再发短信给我了，谢谢',
    '我不想再收到短信了',
    '拒收短信',
    '别再联系我',
    '别烦我',
    '退订短信',
  ])('%j is an opt-out', (text) => {
    expect(classifyInbound(text)).toMatchObject({ intent: 'opt_out', rule: 'phrase' });
  });

  it('gives up quickly on a long sentence built to make the patterns backtrack', () => {
    const hostile = `stop texting ${'phone number '.repeat(40)}zzz`;
    const started = performance.now();
    expect(classifyInbound(hostile)).toMatchObject({ intent: 'other' });
    expect(classifyInbound('不要再发'.repeat(20))).toMatchObject({ intent: 'other' });
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('reports the sentence that matched', () => {
    expect(classifyInbound('Who is this? Stop texting me.')).toEqual({
      intent: 'opt_out',
      matched: 'stop texting me',
      rule: 'phrase',
    });
  });
});

describe('classifyInbound: other senses of the same words', () => {
  it.each([
    "don't stop the deals!",
    'when does the sale end?',
    "I can't stop smiling",
    'Can you stop by the store?',
    "Don't forget to text me",
    'The end',
    'No',
    'thanks!',
    'TD bank',
    'STOP https://example.com',
    'What does STOP do?',
    'how do I unsubscribe?',
    'Please cancel my order',
    'I love these offers, keep them coming',
    '取消订单',
    '不要退订',
    '别退订',
    '打扰了',
    '退订了吗',
    '怎么退订',
    '你好',
    '',
    '   ',
  ])('%j is other', (text) => {
    expect(classifyInbound(text)).toEqual({ intent: 'other', matched: null, rule: 'none' });
  });
});

describe('classifyInbound: keyword sets', () => {
  const french: KeywordSets = {
    optOut: ['STOP', 'ARRÊT'],
    optIn: ['START', 'OUI'],
    help: ['AIDE'],
    confirm: ['OUI'],
  };

  it.each<[string, string, string | null]>([
    ['arret', 'opt_out', 'ARRÊT'],
    ['ARRÊT SVP', 'opt_out', 'ARRÊT'],
    ['Stop, merci', 'opt_out', 'STOP'],
    ['aide', 'help', 'AIDE'],
    ['Oui', 'confirm', 'OUI'],
    ['TD', 'other', null],
    ['stop texting me', 'opt_out', 'stop texting me'],
  ])('with a pack’s own words, %j → %s', (text, intent, matched) => {
    expect(classifyInbound(text, french)).toMatchObject({ intent, matched });
  });

  it('keeps the defaults frozen and every intent in the closed set', () => {
    expect(Object.isFrozen(DEFAULT_KEYWORDS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_KEYWORDS.optOut)).toBe(true);
    expect(DEFAULT_KEYWORDS.confirm).toContain('YES');
    expect(DEFAULT_KEYWORDS.optIn).not.toContain('YES');
    expect(INBOUND_INTENTS).toEqual(['opt_out', 'opt_in', 'help', 'confirm', 'other']);
  });
});
