/**
 * Inbound message classification: is this reply an opt-out, an opt-in, a request for help, or the
 * confirmation of a double opt-in? The rules, their reasons and their limits are in
 * docs/keywords.md; in short:
 *
 * 1. keyword: the message (or one of its sentences) is made only of keywords and trivial noise
 *    ("STOP.", " stop!! ", "Stop please", "【退订】", "TD退订", "回复TD退订"), after NFKC (ＳＴＯＰ),
 *    case folding and accent folding (ARRÊT = arret);
 * 2. phrase: a short sentence that clearly asks to stop ("please stop texting me", "不要再发了"),
 *    because US law accepts revocation "by any reasonable means" (47 CFR § 64.1200(a)(10));
 * 3. otherwise `other`: a word used in another sense ("don't stop the deals!") is no request.
 *
 * When a message carries words of several intents, opt-out wins (honouring a revocation is the
 * safe error), then confirm, then opt-in, then help. Confirm beats opt-in because YES is the
 * answer to a double opt-in question; a YES with no pending confirmation is the caller's to read
 * (it may re-subscribe a contact who opted out, as carriers do).
 */

export const INBOUND_INTENTS = ['opt_out', 'opt_in', 'help', 'confirm', 'other'] as const;
export type InboundIntent = (typeof INBOUND_INTENTS)[number];

export const MATCH_RULES = ['keyword', 'phrase', 'none'] as const;
export type MatchRule = (typeof MATCH_RULES)[number];

export type KeywordSets = {
  readonly optOut: readonly string[];
  readonly optIn: readonly string[];
  readonly help: readonly string[];
  readonly confirm: readonly string[];
};

export type InboundClassification = {
  intent: InboundIntent;
  /** The keyword as configured (`STOP`, `退订`) or the sentence that matched a phrase. */
  matched: string | null;
  rule: MatchRule;
};

/** The union of the common words of the policy packs (US CTIA, CN carriers, FR, DE, ...). */
export const DEFAULT_KEYWORDS: KeywordSets = Object.freeze({
  optOut: Object.freeze([
    ...['STOP', 'STOPALL', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE'],
    ...['OPTOUT', 'OPT OUT', 'STOPP', 'ARRET', 'DESABONNER', 'ABMELDEN'],
    ...['TD', 'T', 'N', 'R', '退订', '取消', '拒收', '退定'],
  ]),
  optIn: Object.freeze(['START', 'UNSTOP', 'SUBSCRIBE', '订阅']),
  help: Object.freeze(['HELP', 'INFO', 'AIDE', 'HILFE', '帮助']),
  confirm: Object.freeze([
    'YES',
    'Y',
    'OK',
    'OKAY',
    'OUI',
    'JA',
    '是',
    '是的',
    '确认',
    '好',
    '好的',
  ]),
});

/** The order in which intents win when a message carries several. */
const PRECEDENCE = [
  ['optOut', 'opt_out'],
  ['confirm', 'confirm'],
  ['optIn', 'opt_in'],
  ['help', 'help'],
] as const satisfies ReadonlyArray<readonly [keyof KeywordSets, InboundIntent]>;

/** Words that may surround a keyword without changing what the sender means. */
const NOISE = [
  ...['please', 'pls', 'plz', 'kindly', 'thanks', 'thank you', 'thankyou', 'thx', 'ty', 'now'],
  ...['hi', 'hey', 'hello', 'svp', 'merci', 'bitte', 'danke'],
  ...['请', '谢谢', '谢', '了', '啦', '吧', '呀', '啊', '哦', '回复', '回', '你好', '您好', '麻烦'],
  ...['我要', '我想'],
];

/** A keyword message is short; a long one is a sentence and goes to the phrase rule. */
const MAX_KEYWORD_TOKENS = 10;

/**
 * Classify an inbound SMS.
 *
 * @example
 *   classifyInbound(' Stop please!! '); // { intent: 'opt_out', matched: 'STOP', rule: 'keyword' }
 *   classifyInbound('【退订】'); // { intent: 'opt_out', matched: '退订', rule: 'keyword' }
 *   classifyInbound('please stop texting me'); // { intent: 'opt_out', ..., rule: 'phrase' }
 *   classifyInbound("don't stop the deals!"); // { intent: 'other', matched: null, rule: 'none' }
 */
export function classifyInbound(
  text: string,
  keywords: KeywordSets = DEFAULT_KEYWORDS,
): InboundClassification {
  const vocabulary = buildVocabulary(keywords);
  const normalized = normalize(text);
  const whole = matchKeywords(tokenize(normalized), vocabulary);
  if (whole) return whole;

  const found: InboundClassification[] = [];
  for (const sentence of normalized.split(SENTENCE_END)) {
    const keyword = matchKeywords(tokenize(sentence), vocabulary);
    if (keyword) found.push(keyword);
    const phrase = matchOptOutPhrase(sentence);
    if (phrase) found.push({ intent: 'opt_out', matched: phrase, rule: 'phrase' });
  }
  for (const [, intent] of PRECEDENCE) {
    const winner = found.find((result) => result.intent === intent);
    if (winner) return winner;
  }
  return { intent: 'other', matched: null, rule: 'none' };
}

// ---- normalisation and tokens -------------------------------------------------------------

const SENTENCE_END = /[.!?;。！？；\n\r]+/u;
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/gu;
const LATIN_ACCENTS = /[\u0300-\u036F]/gu;
const APOSTROPHES = /[’‘`´]/gu;

/** NFKC folds full-width forms (ＳＴＯＰ → STOP); accents are dropped so ARRÊT matches ARRET. */
function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .normalize('NFD')
    .replace(LATIN_ACCENTS, '')
    .normalize('NFC')
    .replace(APOSTROPHES, "'")
    .toLowerCase();
}

/**
 * Tokens: a Chinese or Japanese character on its own (those scripts have no spaces, so "TD退订"
 * must split into td / 退 / 订), or a run of other letters and digits with inner apostrophes
 * ("don't" stays one token and never yields the keyword T).
 */
const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}`;
const WORD_CHAR = String.raw`(?:(?![${CJK}])[\p{L}\p{N}\p{M}])`;
const TOKEN = new RegExp(String.raw`[${CJK}]|${WORD_CHAR}+(?:'${WORD_CHAR}+)*`, 'gu');

function tokenize(normalized: string): string[] {
  return normalized.match(TOKEN) ?? [];
}

// ---- rule 1: keywords with trivial noise ----------------------------------------------------

type Entry = { tokens: string[]; intent: InboundIntent | null; keyword: string };

function buildVocabulary(keywords: KeywordSets): Entry[] {
  const entries: Entry[] = [];
  for (const [set, intent] of PRECEDENCE) {
    for (const keyword of keywords[set]) {
      const tokens = tokenize(normalize(keyword));
      if (tokens.length > 0) entries.push({ tokens, intent, keyword });
    }
  }
  for (const word of NOISE) entries.push({ tokens: tokenize(word), intent: null, keyword: word });
  // Longest first, so "stop all" is read as one keyword and not as "stop" + an unknown "all".
  return entries.sort((a, b) => b.tokens.length - a.tokens.length);
}

function matchKeywords(tokens: string[], vocabulary: Entry[]): InboundClassification | null {
  if (tokens.length === 0 || tokens.length > MAX_KEYWORD_TOKENS) return null;
  const cover = coverTokens(tokens, 0, vocabulary);
  if (!cover) return null;
  for (const [, intent] of PRECEDENCE) {
    const hit = cover.find((entry) => entry.intent === intent);
    if (hit) return { intent, matched: hit.keyword, rule: 'keyword' };
  }
  return null; // only noise ("thanks!")
}

/** Read all tokens from `start` as a sequence of vocabulary entries, or fail. */
function coverTokens(tokens: string[], start: number, vocabulary: Entry[]): Entry[] | null {
  if (start === tokens.length) return [];
  for (const entry of vocabulary) {
    if (!entry.tokens.every((token, i) => tokens[start + i] === token)) continue;
    const rest = coverTokens(tokens, start + entry.tokens.length, vocabulary);
    if (rest) return [entry, ...rest];
  }
  return null;
}

// ---- rule 2: sentences that clearly ask to stop ---------------------------------------------

const any = (...alternatives: string[]): string => `(?:${alternatives.join('|')})`;

const EN_START = any(
  ...['please', 'pls', 'plz', 'kindly', 'just', 'hi', 'hey', 'hello', 'ok', 'okay', 'sorry'],
  ...['can you', 'could you', 'would you', 'will you', 'can u', 'could u', 'can you please'],
  ...['i want you to', 'i need you to', 'i would like you to', "i'd like you to"],
);
const EN_END = any(
  ...['please', 'pls', 'plz', 'thanks', 'thank you', 'thx', 'ty', 'now', 'right now', 'asap'],
  ...['immediately', 'again', 'anymore', 'any more', 'ever again', 'for good', 'already'],
);
const EN_MESSAGES = any(
  ...['messages?', 'msgs?', 'texts?', 'txts?', 'sms', 'spam', 'ads', 'adverts', 'promos?'],
  ...['promotions?', 'offers', 'marketing', 'notifications', 'alerts'],
);
const EN_FILLER = any(
  ...['me', 'us', 'my', 'this', 'these', 'those', 'that', 'them', 'the', 'your', 'any', 'all'],
  ...['more', 'of', 'to', 'on', 'at', 'from', 'number', 'phone', 'phone number', 'text'],
  EN_MESSAGES,
);
const EN_LIST = any(EN_FILLER, 'off', 'out', 'list', 'lists', 'mailing', 'contacts?', 'database');
const EN_SENDING = any(
  ...['texting', 'txting', 'texing', 'messaging', 'msging', 'sending', 'contacting'],
  ...['spamming', 'bothering', 'calling', 'emailing', 'smsing'],
);
const EN_CONTACT = any('text', 'txt', 'message', 'msg', 'sms', 'contact', 'spam', 'send');
const EN_I_WANT = any('i want', 'i wish', 'i would like', "i'd like", 'id like', 'i need');
const EN_LEAVE = any(
  ...['unsubscribe', 'unsub', 'opt out', 'optout', 'cancel', 'stop'],
  ...['be removed', 'be unsubscribed', 'be taken off', 'stop getting', 'stop receiving'],
);
const NOT = any("don't", 'dont', 'do not', 'never', 'no');

/** Each pattern is the whole of a sentence, between optional polite words. */
const EN_OPT_OUT: readonly string[] = [
  // "stop texting me", "quit sending me these messages"
  `${any('stop', 'quit', 'cease')} ${EN_SENDING}(?: ${EN_FILLER})*`,
  // "stop it", "stop this spam"
  `stop ${any('it', 'this', 'that', 'them', 'all this', 'all of this', 'this spam', 'the spam')}`,
  // "unsubscribe me", "remove me from your list", "take me off your list", "opt me out"
  `${any('unsubscribe', 'unsub', 'remove', 'delete', 'take', 'opt', 'sign')} ${any('me', 'my number', 'my phone number', 'this number', 'us')}(?: ${EN_LIST})*`,
  // "unsubscribe from this list", "opt out of these texts"
  `${any('unsubscribe', 'unsub', 'opt out', 'optout')}(?: ${EN_LIST})+`,
  // "i want to unsubscribe", "i'd like to stop receiving these"
  `${EN_I_WANT} to ${EN_LEAVE}(?: ${EN_LIST})*`,
  // "i don't want these texts"
  `i ${NOT} want(?: to ${any('get', 'receive')})?(?: ${EN_FILLER})* ${EN_MESSAGES}(?: ${EN_FILLER})*`,
  // "don't text me again", "do not contact me", "never message me"
  `${NOT} ${EN_CONTACT} ${any('me', 'us')}(?: ${EN_FILLER})*`,
  // "no more texts"
  `no more ${EN_MESSAGES}(?: ${EN_FILLER})*`,
  'leave me alone',
];

const ZH_START = '(?:请|麻烦|拜托|求求)?(?:你们?|您)?(?:以后)?(?:帮我)?';
const ZH_END = '(?:了|啦|吧|啊|呀|哦|嘛|谢谢|谢了|好吗|行吗|可以吗)*';
const ZH_MESSAGES = '(?:短信|信息|消息|广告|营销短信|推广短信|推销短信|垃圾短信)';
const ZH_NOT = '(?:不要|别|勿|请勿|不用|不许|不准|停止)';

const ZH_OPT_OUT: readonly string[] = [
  // 不要再发了, 别再发短信了, 不要给我发短信, 停止发送
  `${ZH_NOT}再?(?:给我)?(?:发|发送|推送|群发)${ZH_MESSAGES}?(?:给我|过来)?`,
  // 请勿打扰, 别再骚扰我 (a bare 打扰了 is a polite "excuse me" and does not count)
  `${ZH_NOT}再?(?:打扰|骚扰)我?`,
  // 我要退订, 退订短信, 申请取消订阅
  `我?(?:要|想|需要|申请)?(?:退订|退定|取消订阅|取消短信|取消接收)(?:${ZH_MESSAGES}|服务)?`,
  // 我不想再收到短信了
  `我?不(?:想|要|需要|愿意)再?(?:收到|接收|收|接到)(?:你们的?|这些|这种|任何|此类|这类)?${ZH_MESSAGES}?`,
  // 拒收短信
  `(?:拒绝|拒收)(?:接收)?${ZH_MESSAGES}`,
  // 别再联系我, 别烦我
  `(?:不要|别)再?(?:联系|烦)我`,
];

const EN_PATTERNS = EN_OPT_OUT.map(
  (body) => new RegExp(`^(?:${EN_START} )*${body}(?: ${EN_END})*$`, 'u'),
);
const ZH_PATTERNS = ZH_OPT_OUT.map((body) => new RegExp(`^${ZH_START}${body}${ZH_END}$`, 'u'));

/**
 * A request to stop is short. The bound also keeps the patterns fast: their optional words can be
 * read in more than one way, which costs time exponential in the length of a hostile message.
 */
const MAX_PHRASE_WORDS = 12;
const MAX_PHRASE_CHARACTERS = 30;

/** The sentence if it is a request to stop, else null. `sentence` is already normalized. */
function matchOptOutPhrase(sentence: string): string | null {
  const words = sentence
    .replace(/[^\p{L}\p{N}\p{M}']+/gu, ' ')
    .replace(/(^|\s)'+|'+(\s|$)/gu, ' ')
    .trim()
    .replace(/\s+/gu, ' ');
  const count = words === '' ? 0 : words.split(' ').length;
  if (count > 0 && count <= MAX_PHRASE_WORDS && EN_PATTERNS.some((p) => p.test(words))) {
    return words;
  }
  const compact = sentence.replace(/[\s\p{P}\p{S}]+/gu, '');
  const length = [...compact].length;
  if (length > 0 && length <= MAX_PHRASE_CHARACTERS && ZH_PATTERNS.some((p) => p.test(compact))) {
    return compact;
  }
  return null;
}
