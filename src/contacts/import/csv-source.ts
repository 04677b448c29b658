/**
 * Reading an import file without holding it in memory: one pass to fingerprint it (SHA-256 for
 * the evidence, encoding, an estimate of its rows for progress), then a stream of decoded text
 * cut at record boundaries into chunks of about `chunkRows` records, each with its first line.
 *
 * Encodings: a BOM decides (UTF-8, UTF-16); otherwise a file that is valid UTF-8 throughout is
 * UTF-8 and anything else is GB18030 (the superset of GBK and GB2312 that Chinese Excel writes).
 * An explicit encoding wins.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { HeraldError } from '../../core/errors.js';
import {
  countNewlines,
  detectDelimiter,
  findRecordBoundary,
  parseCsvRecords,
  type Delimiter,
} from './csv-records.js';

export interface CsvFileInfo {
  readonly size: number;
  readonly sha256: string;
  /** `utf-8`, `gb18030`, `utf-16le`, ... as iconv-lite names it. */
  readonly encoding: string;
  /** Line breaks in the file: the data rows, give or take the header and blank lines. */
  readonly lineBreaks: number;
}

export interface CsvChunk {
  readonly text: string;
  /** The file line the chunk's first character is on. */
  readonly firstLine: number;
}

export interface CsvReader {
  readonly delimiter: Delimiter;
  readonly header: readonly string[];
  /** Chunks of whole records after the header, in file order; the file closes at their end. */
  chunks(): AsyncGenerator<CsvChunk>;
  /** Closes the file without reading on (when only the header was wanted). */
  close(): Promise<void>;
}

const READ_BYTES = 1 << 20;
const SAMPLE_CHARS = 64 * 1024;
// A record that never ends (an unbalanced quote) must not grow a chunk until memory runs out.
const MAX_RECORD_CHARS = 16 * 1024 * 1024;

// GBK and GB2312 are subsets of GB18030: decoding with the superset reads them all.
const ALIASES: Record<string, string> = {
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  gbk: 'gb18030',
  gb2312: 'gb18030',
  cp936: 'gb18030',
  gb18030: 'gb18030',
  utf16le: 'utf-16le',
  'utf-16le': 'utf-16le',
  utf16be: 'utf-16be',
  'utf-16be': 'utf-16be',
};

/** The canonical name of an encoding the user asked for; VALIDATION_FAILED if unknown. */
export function normaliseEncoding(name: string): string {
  const key = name.trim().toLowerCase();
  const known = ALIASES[key];
  if (known !== undefined) return known;
  if (iconv.encodingExists(key)) return key;
  throw new HeraldError('VALIDATION_FAILED', `Unknown encoding ${JSON.stringify(name)}`);
}

/** Reads the file once: hash, size, line breaks and (unless given) its encoding. */
export async function inspectCsvFile(
  file: string,
  opts: { encoding?: string } = {},
): Promise<CsvFileInfo> {
  const hash = createHash('sha256');
  let size = 0;
  let lineBreaks = 0;
  let head: Buffer | null = null;
  let utf8 = true;
  let carry = Buffer.alloc(0);
  for await (const buf of readPieces(file)) {
    hash.update(buf);
    size += buf.length;
    head ??= Buffer.from(buf.subarray(0, 4));
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) lineBreaks++;
    if (utf8 && opts.encoding === undefined) {
      // A read may end inside a character: check up to the last whole one, carry the rest.
      const data = carry.length > 0 ? Buffer.concat([carry, buf]) : buf;
      const cut = wholeUtf8Length(data);
      utf8 = isUtf8(data.subarray(0, cut));
      carry = Buffer.from(data.subarray(cut));
    }
  }
  if (size === 0) throw new HeraldError('IMPORT_FILE_INVALID', 'The file is empty');
  const encoding =
    opts.encoding !== undefined
      ? normaliseEncoding(opts.encoding)
      : (encodingOfBom(head!) ?? (utf8 && carry.length === 0 ? 'utf-8' : 'gb18030'));
  return { size, sha256: hash.digest('hex'), encoding, lineBreaks };
}

function encodingOfBom(head: Buffer): string | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}

/** The length of `buf` up to the end of its last complete UTF-8 sequence. */
function wholeUtf8Length(buf: Buffer): number {
  let i = buf.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && (buf[i]! & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return buf.length;
  const lead = buf[i]!;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return i + length <= buf.length ? buf.length : i;
}

interface TextDecoderLike {
  write(buf: Buffer): string;
  end(): string;
}

function decoderFor(encoding: string): TextDecoderLike {
  if (encoding === 'utf-8') {
    // Strips a BOM; invalid bytes (only when UTF-8 was forced) become U+FFFD.
    const decoder = new TextDecoder('utf-8');
    return {
      write: (buf) => decoder.decode(buf, { stream: true }),
      end: () => decoder.decode(),
    };
  }
  const decoder = iconv.getDecoder(encoding, { stripBOM: true });
  return { write: (buf) => decoder.write(buf), end: () => decoder.end() ?? '' };
}

/**
 * The file's bytes, a megabyte at a time, always in the same buffer: a read stream allocates a
 * new one per read, and a 50 MB file left ~50 MB of buffers waiting for a collection (measured).
 * Each piece is only valid until the next one is asked for.
 */
async function* readPieces(file: string): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

async function* decodedText(file: string, encoding: string): AsyncGenerator<string> {
  const decoder = decoderFor(encoding);
  for await (const piece of readPieces(file)) {
    const text = decoder.write(piece);
    if (text.length > 0) yield text;
  }
  const tail = decoder.end();
  if (tail.length > 0) yield tail;
}

/**
 * Opens the file for reading: detects the delimiter (unless given) from the first 64 KB and
 * reads the header, the first non-blank record.
 */
export async function openCsvReader(
  file: string,
  opts: { encoding: string; delimiter?: Delimiter; chunkRows: number },
): Promise<CsvReader> {
  const source = decodedText(file, opts.encoding);
  let pending = '';
  let ended = false;
  const more = async (): Promise<boolean> => {
    const next = await source.next();
    if (next.done === true) {
      ended = true;
      return false;
    }
    pending += next.value;
    return true;
  };
  while (pending.length < SAMPLE_CHARS && !ended) await more();
  const delimiter = opts.delimiter ?? detectDelimiter(pending.slice(0, SAMPLE_CHARS));
  while (findRecordBoundary(pending, delimiter) < 0 && !ended) {
    if (pending.length > MAX_RECORD_CHARS) throw unbalanced(1);
    await more();
  }
  const first = parseCsvRecords(pending, delimiter, 1, 1);
  const header = first.records[0];
  if (header === undefined) {
    await source.return(undefined);
    throw new HeraldError('IMPORT_FILE_INVALID', 'The file has no header line');
  }
  const sample = pending.slice(0, SAMPLE_CHARS);
  const targetChars = Math.max(
    16 * 1024,
    Math.round((sample.length / Math.max(1, countNewlines(sample))) * opts.chunkRows),
  );
  let line = 1 + countNewlines(pending, 0, first.end);
  pending = pending.slice(first.end);

  async function* chunks(): AsyncGenerator<CsvChunk> {
    try {
      for (;;) {
        while (pending.length < targetChars && !ended) await more();
        if (pending.length === 0) return;
        let cut = ended && pending.length <= targetChars ? pending.length : -1;
        if (cut < 0) cut = findRecordBoundary(pending, delimiter, targetChars);
        // One record longer than a chunk: take it whole, reading until it ends.
        while (cut < 0) {
          cut = findRecordBoundary(pending, delimiter);
          if (cut >= 0) break;
          if (ended) {
            cut = pending.length;
            break;
          }
          if (pending.length > MAX_RECORD_CHARS) throw unbalanced(line);
          await more();
        }
        const text = pending.slice(0, cut);
        pending = pending.slice(cut);
        yield { text, firstLine: line };
        line += countNewlines(text);
      }
    } finally {
      // Stopping early (an error, a failed batch) closes the file.
      await source.return(undefined);
    }
  }

  return {
    delimiter,
    header,
    chunks,
    close: async () => {
      await source.return(undefined);
    },
  };
}

function unbalanced(line: number): HeraldError {
  return new HeraldError(
    'IMPORT_FILE_INVALID',
    `A quoted field starting near line ${line} never ends (an unbalanced ")`,
  );
}
