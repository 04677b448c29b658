/**
 * The parse workers of an import and the ordered, bounded pipeline that feeds them. Chunks go
 * to the least busy worker; results come back in file order whatever order the workers finish
 * in; at most `limit` chunks are read ahead, so a fast reader cannot fill memory while the
 * database writes the previous batch (back-pressure).
 */
import type { Worker } from 'node:worker_threads';
import type { FieldCipher } from '../../security/field-cipher.js';
import type { CsvChunk } from './csv-source.js';
import { parseCsvRecords } from './csv-records.js';
import { createRowPreparer, type PreparedRow } from './row-prepare.js';
import { spawnImportWorker } from './spawn.js';
import {
  CPU_QUESTION,
  decodeRows,
  type ChunkRequest,
  type ChunkResponse,
  type CpuAnswer,
  type WorkerInit,
} from './worker-protocol.js';

export interface ChunkProcessor {
  /** Worker threads in use; 0 means chunks are prepared on the calling thread. */
  readonly workers: number;
  process(chunk: CsvChunk): Promise<PreparedRow[]>;
  /** CPU seconds the worker threads used so far (null: unknown, or no workers). */
  cpuSeconds(): Promise<number | null>;
  close(): Promise<void>;
}

interface Waiter {
  resolve(rows: PreparedRow[]): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  readonly waiting: Map<number, Waiter>;
  /** Callers of `cpuSeconds`, answered in order. */
  readonly cpuAsked: ((seconds: number | null) => void)[];
}

// A worker holds ~40 MB that lives (libphonenumber's metadata, every calling code's zone,
// carrier and place tables) and short-lived rows. Without a bound V8 lets each worker's heap
// grow far past that before collecting; the bound keeps an import's memory flat.
const WORKER_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 };

/** Prepares chunks on `workers` threads, or inline when `workers` is 0. */
export function startChunkProcessor(opts: {
  workers: number;
  init: Omit<WorkerInit, 'material'>;
  cipher: FieldCipher;
}): ChunkProcessor {
  const { init } = opts;
  if (opts.workers <= 0) {
    const preparer = createRowPreparer(init.config, opts.cipher);
    return {
      workers: 0,
      async process(chunk) {
        const { records, lines } = parseCsvRecords(chunk.text, init.delimiter, chunk.firstLine);
        return preparer.prepare(records, lines);
      },
      async cpuSeconds() {
        return null;
      },
      async close() {},
    };
  }
  const workerData: WorkerInit = { ...init, material: opts.cipher.material() };
  let closing = false;
  let nextSeq = 0;
  const slots: Slot[] = [];
  for (let i = 0; i < opts.workers; i++) {
    const worker = spawnImportWorker('parse-worker', workerData, WORKER_LIMITS);
    const slot: Slot = { worker, waiting: new Map(), cpuAsked: [] };
    const failAll = (error: Error) => {
      for (const waiter of slot.waiting.values()) waiter.reject(error);
      slot.waiting.clear();
    };
    worker.on('message', (message: ChunkResponse | CpuAnswer) => {
      if ('cpuSeconds' in message) {
        slot.cpuAsked.shift()?.(message.cpuSeconds);
        return;
      }
      const response = message;
      const waiter = slot.waiting.get(response.seq);
      if (waiter === undefined) return;
      slot.waiting.delete(response.seq);
      if (response.error !== undefined) waiter.reject(new Error(`parse worker: ${response.error}`));
      else waiter.resolve(decodeRows(response));
    });
    worker.on('error', (error) => failAll(error));
    worker.on('exit', (code) => {
      if (!closing) failAll(new Error(`parse worker stopped (exit code ${code})`));
    });
    slots.push(slot);
  }
  return {
    workers: slots.length,
    process(chunk) {
      let slot = slots[0]!;
      for (const s of slots) if (s.waiting.size < slot.waiting.size) slot = s;
      const seq = nextSeq++;
      return new Promise<PreparedRow[]>((resolve, reject) => {
        slot.waiting.set(seq, { resolve, reject });
        const request: ChunkRequest = { seq, text: chunk.text, firstLine: chunk.firstLine };
        slot.worker.postMessage(request);
      });
    },
    async cpuSeconds() {
      const answers = await Promise.all(
        slots.map(
          (slot) =>
            new Promise<number | null>((resolve) => {
              slot.cpuAsked.push(resolve);
              slot.worker.postMessage(CPU_QUESTION);
            }),
        ),
      );
      return answers.some((a) => a === null)
        ? null
        : answers.reduce<number>((sum, a) => sum + a!, 0);
    },
    async close() {
      closing = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/**
 * `fn` over `source` with at most `limit` calls in flight, yielding results in source order.
 * Stopping early (break, throw) closes the source.
 *
 * @example
 *   for await (const rows of mapOrdered(reader.chunks(), (c) => pool.process(c), 4)) write(rows);
 */
export async function* mapOrdered<T, R>(
  source: AsyncIterable<T>,
  fn: (item: T) => Promise<R>,
  limit: number,
): AsyncGenerator<R> {
  const iterator = source[Symbol.asyncIterator]();
  const inFlight: Promise<R>[] = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && inFlight.length < limit) {
        const next = await iterator.next();
        if (next.done === true) {
          exhausted = true;
          break;
        }
        const result = fn(next.value);
        // Awaited in order below; until then a rejection must not count as unhandled.
        result.catch(() => undefined);
        inFlight.push(result);
      }
      const head = inFlight.shift();
      if (head === undefined) return;
      yield await head;
    }
  } finally {
    if (!exhausted) await iterator.return?.(undefined);
  }
}
