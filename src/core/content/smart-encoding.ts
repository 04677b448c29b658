/**
 * Smart encoding: the replacements that keep a text inside the GSM-7 alphabet.
 *
 * One curly quote turns a 160-character SMS into a 70-character one, so a text pasted from a word
 * processor can cost twice as much as it looks. These replacements undo that typography.
 *
 * sms-segments-calculator ships a similar table, but it is not part of its public API and some
 * entries are not what an author would want (a no-break space becomes two spaces, a tab seven,
 * combining accents become `~` or `'`), so Herald keeps its own, small and explicit.
 *
 * Two rules decide what is replaced:
 * - Texts written in a script GSM-7 cannot carry (Chinese, Japanese, Korean, Cyrillic, Arabic...)
 *   stay UCS-2 whatever we do. There “”, —— and …… are the correct punctuation and full-width
 *   forms are normal typography, so only invisible characters are removed.
 * - A zero-width joiner inside an emoji (👨‍👩‍👧) is part of the picture and is kept.
 */

export type SmartReplacement = {
  /** The character (or decomposed character) that was replaced. */
  from: string;
  /** What replaced it; empty when the character was removed. */
  to: string;
  /** How many times it occurred. */
  count: number;
};

export type SmartEncoding = { text: string; replacements: SmartReplacement[] };

/** Invisible characters: removed in any text, because no reader can see them. */
const INVISIBLE = new Set(['\u200B', '\u2060', '\uFEFF', '\u00AD']);

/**
 * Joiners change how neighbouring letters or emoji render, so they are removed only from
 * Latin-script text and never from inside an emoji sequence.
 */
const JOINERS = new Set(['\u200C', '\u200D']);

/** Typography with a plain GSM-7 equivalent; applied to Latin-script text only. */
const TYPOGRAPHY: ReadonlyArray<readonly [from: string, to: string]> = [
  // Single quotes, apostrophes and primes.
  ['\u2018', "'"],
  ['\u2019', "'"],
  ['\u201A', "'"],
  ['\u201B', "'"],
  ['\u2032', "'"],
  ['\u2039', "'"],
  ['\u203A', "'"],
  ['\u02BC', "'"],
  ['\u00B4', "'"],
  ['`', "'"],
  // Double quotes and guillemets.
  ['\u201C', '"'],
  ['\u201D', '"'],
  ['\u201E', '"'],
  ['\u201F', '"'],
  ['\u2033', '"'],
  ['\u00AB', '"'],
  ['\u00BB', '"'],
  // Hyphens, dashes and the minus sign.
  ['\u2010', '-'],
  ['\u2011', '-'],
  ['\u2012', '-'],
  ['\u2013', '-'],
  ['\u2014', '-'],
  ['\u2015', '-'],
  ['\u2212', '-'],
  ['\u2022', '-'],
  ['\u2026', '...'],
  // Spaces of every width, and the tab, which GSM-7 lacks.
  ['\t', ' '],
  ['\u00A0', ' '],
  ['\u2000', ' '],
  ['\u2001', ' '],
  ['\u2002', ' '],
  ['\u2003', ' '],
  ['\u2004', ' '],
  ['\u2005', ' '],
  ['\u2006', ' '],
  ['\u2007', ' '],
  ['\u2008', ' '],
  ['\u2009', ' '],
  ['\u200A', ' '],
  ['\u202F', ' '],
  ['\u205F', ' '],
  ['\u3000', ' '],
  ['\u2028', '\n'],
  ['\u2029', '\n'],
  // Full-width signs whose ASCII form is not GSM-7, or that are not in the ASCII block.
  ['\uFF40', "'"],
  ['\uFFE1', '£'],
  ['\uFFE5', '¥'],
];

/** FF01..FF5E are ASCII 21..7E shifted by FEE0: ！ → !, Ａ → A, ０ → 0. */
const FULL_WIDTH_OFFSET = 0xfee0;
const FULL_WIDTH_FIRST = 0xff01;
const FULL_WIDTH_LAST = 0xff5e;

const VISIBLE: ReadonlyMap<string, string> = new Map([
  ...fullWidthPairs(),
  // Later entries win, so the exceptions above override the generic shift (｀ → ' not `).
  ...TYPOGRAPHY,
]);

/**
 * Every visible replacement Herald knows, for documentation and for the console's hints.
 *
 * @example
 *   SMART_REPLACEMENT_TABLE.get('’'); // "'"
 */
export const SMART_REPLACEMENT_TABLE: ReadonlyMap<string, string> = VISIBLE;

/**
 * A letter of a script that GSM-7 cannot carry: the text is UCS-2 whatever we replace. The Greek
 * capitals that GSM-7 does have (Δ, Ω...) do not count.
 */
const NON_LATIN_LETTER = /[^\P{L}\p{Script=Latin}ΓΔΘΛΞΠΣΦΨΩ]/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Replace the characters that force UCS-2 by their GSM-7 look-alikes, and count what changed.
 *
 * Decomposed letters are composed first (e + ◌́ → é), since that alone often makes them GSM-7.
 * The caller decides whether the result is worth it: see `gsmIfReplaced` in `inspectText`.
 *
 * @example
 *   smartEncode('It’s “great”…');
 *   // { text: 'It\'s "great"...', replacements: [
 *   //   { from: '’', to: "'", count: 1 }, { from: '“', to: '"', count: 1 },
 *   //   { from: '”', to: '"', count: 1 }, { from: '…', to: '...', count: 1 } ] }
 */
export function smartEncode(text: string): SmartEncoding {
  const latin = !NON_LATIN_LETTER.test(text);
  const found = new Map<string, SmartReplacement>();
  const record = (from: string, to: string): void => {
    const seen = found.get(from);
    if (seen) seen.count += 1;
    else found.set(from, { from, to, count: 1 });
  };

  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    const composed = segment.normalize('NFC');
    if (composed !== segment) record(segment, composed);
    const inEmoji = PICTOGRAPHIC.test(composed);
    for (const char of composed) {
      const replacement = replaceCharacter(char, latin, inEmoji);
      if (replacement !== char) record(char, replacement);
      out += replacement;
    }
  }
  return { text: out, replacements: [...found.values()] };
}

function replaceCharacter(char: string, latin: boolean, inEmoji: boolean): string {
  if (INVISIBLE.has(char)) return '';
  if (!latin) return char;
  if (JOINERS.has(char)) return inEmoji ? char : '';
  return VISIBLE.get(char) ?? char;
}

function fullWidthPairs(): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let code = FULL_WIDTH_FIRST; code <= FULL_WIDTH_LAST; code += 1) {
    pairs.push([String.fromCharCode(code), String.fromCharCode(code - FULL_WIDTH_OFFSET)]);
  }
  return pairs;
}
