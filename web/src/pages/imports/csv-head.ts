/**
 * The head of a CSV file, read in the browser before anything is uploaded: its encoding (UTF-8,
 * else GB18030 as the server assumes), its delimiter and header as Herald's own reader finds
 * them, and the first few records to show beside each column.
 */
import { detectDelimiter, findRecordBoundary, parseCsvRecords } from './domain';

const HEAD_BYTES = 64 * 1024;
const SAMPLE_ROWS = 3;

export interface CsvHead {
  readonly encoding: 'UTF-8' | 'GB18030';
  readonly delimiter: string;
  readonly header: string[];
  readonly samples: string[][];
}

function decode(bytes: ArrayBuffer): { text: string; encoding: CsvHead['encoding'] } {
  try {
    // stream: a character cut at the end of the slice is not an error.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return { text, encoding: 'UTF-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'GB18030' };
  }
}

export async function readCsvHead(file: Blob): Promise<CsvHead> {
  const { text, encoding } = decode(await file.slice(0, HEAD_BYTES).arrayBuffer());
  const delimiter = detectDelimiter(text);
  const end = file.size > HEAD_BYTES ? findRecordBoundary(text, delimiter) : text.length;
  const { records } = parseCsvRecords(text.slice(0, end), delimiter, 1, SAMPLE_ROWS + 1);
  const [header = [], ...samples] = records;
  return { encoding, delimiter, header: header.map((h) => h.trim()), samples };
}

/** A sample number shown while mapping: enough to recognise the column, not the number. */
export function maskSample(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 6) return '••••';
  return `${value.slice(0, 3)}••••${digits.slice(-2)}`;
}
