/**
 * Encoding and segment arithmetic of an SMS text: what the live counter in the editor shows and
 * what the carrier will bill.
 *
 * sms-segments-calculator decides the encoding (its GSM-7 basic and extension tables) and does the
 * GSM-7 arithmetic: 160 septets alone, 153 per part once concatenated, an extension character
 * (€ [ ] { } ^ ~ \ | and form feed) costs two septets and is never split from its escape. Its
 * segments are taken as they are.
 *
 * UCS-2 is split here instead. The library keeps whole grapheme clusters together, while carriers
 * split UTF-16 text between code points and only keep surrogate pairs whole: for a flag or a
 * family emoji the library moves the whole cluster and can count one segment too many, and a
 * cluster longer than a segment (a letter with many combining marks) leaves it with an empty first
 * segment and an overfull second one.
 */
import { SegmentedMessage } from 'sms-segments-calculator';
import { smartEncode } from './smart-encoding.js';
import type { SmartReplacement } from './smart-encoding.js';

export const SMS_ENCODINGS = ['GSM-7', 'UCS-2'] as const;
export type SmsEncoding = (typeof SMS_ENCODINGS)[number];

/** Units per segment: a lone SMS, and each part of a concatenated one (6 octets carry the UDH). */
export const SEGMENT_CAPACITY = {
  'GSM-7': { single: 160, concatenated: 153 },
  'UCS-2': { single: 70, concatenated: 67 },
} as const satisfies Record<SmsEncoding, { single: number; concatenated: number }>;

export type TextInspection = {
  encoding: SmsEncoding;
  /** User-visible characters (grapheme clusters): an emoji with a skin tone counts once. */
  characters: number;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  units: number;
  /** Segments the carrier will bill; 0 for an empty text, which is never sent. */
  segments: number;
  /** Capacity of each segment at this length: 160/153 or 70/67. */
  perSegment: number;
  /** Units still free in the last segment before another one starts. */
  remainingInSegment: number;
  /** Distinct characters that force UCS-2, in order of appearance. */
  unicodeCharacters: string[];
  /** The text of each segment, in order. */
  segmentTexts: string[];
  /** Replacements that remove UCS-2 characters; worth applying only when `gsmIfReplaced`. */
  suggestions: SmartReplacement[];
  /**
   * Whether the text would be GSM-7 after the suggestions. When false (an emoji or a Chinese
   * character remains) applying them saves nothing, and the console should say so rather than
   * offer them.
   */
  gsmIfReplaced: boolean;
};

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Inspect a text as the carrier will see it.
 *
 * @example
 *   inspectText('Hi €'); // { encoding: 'GSM-7', characters: 4, units: 5, segments: 1, ... }
 *   inspectText('你好'); // { encoding: 'UCS-2', units: 2, perSegment: 70, remainingInSegment: 68, ... }
 */
export function inspectText(text: string): TextInspection {
  const message = new SegmentedMessage(text);
  const encoding = message.encodingName;
  const parts = encoding === 'GSM-7' ? gsmSegments(message) : ucs2Segments(text);
  const capacity = SEGMENT_CAPACITY[encoding];
  const perSegment = parts.length > 1 ? capacity.concatenated : capacity.single;
  const last = parts.at(-1);
  const characters = [...graphemes.segment(text)].map((g) => g.segment);

  const gsm = encoding === 'GSM-7';
  const smart = gsm ? { text, replacements: [] } : smartEncode(text);
  return {
    encoding,
    characters: characters.length,
    units: parts.reduce((sum, part) => sum + part.units, 0),
    segments: parts.length,
    perSegment,
    remainingInSegment: perSegment - (last?.units ?? 0),
    unicodeCharacters: gsm ? [] : distinct(characters).filter((c) => !isGsmText(c)),
    segmentTexts: parts.map((part) => part.text),
    suggestions: smart.replacements,
    gsmIfReplaced: gsm || isGsmText(smart.text),
  };
}

/**
 * Whether a text can be sent in GSM-7 (basic table plus extension table).
 *
 * @example
 *   isGsmText('Price: 5€ [today]'); // true
 *   isGsmText('Price: 5€ — today'); // false (em dash)
 */
export function isGsmText(text: string): boolean {
  return new SegmentedMessage(text).encodingName === 'GSM-7';
}

type Part = { text: string; units: number };

function gsmSegments(message: SegmentedMessage): Part[] {
  if (message.numberOfCharacters === 0) return [];
  return message.segments.map((segment) => {
    let text = '';
    let units = 0;
    // A segment holds user-data-header placeholders too; only encoded characters carry `raw`.
    for (const item of segment as unknown[]) {
      if (isEncodedChar(item)) {
        text += item.raw;
        units += item.codeUnits.length;
      }
    }
    return { text, units };
  });
}

function isEncodedChar(item: unknown): item is { raw: string; codeUnits: number[] } {
  return typeof item === 'object' && item !== null && 'raw' in item && 'codeUnits' in item;
}

/** Fill 67-unit parts code point by code point, so a surrogate pair is never split. */
function ucs2Segments(text: string): Part[] {
  const { single, concatenated } = SEGMENT_CAPACITY['UCS-2'];
  if (text.length <= single) return [{ text, units: text.length }];
  const parts: Part[] = [];
  let current = '';
  for (const codePoint of text) {
    if (current.length + codePoint.length > concatenated) {
      parts.push({ text: current, units: current.length });
      current = '';
    }
    current += codePoint;
  }
  parts.push({ text: current, units: current.length });
  return parts;
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}
