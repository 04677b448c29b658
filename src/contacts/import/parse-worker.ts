/**
 * Worker thread entry: turns chunks of CSV text into prepared rows (parse, encrypt, index,
 * mask, attributes), so an import uses every core while the main thread reads the file and
 * writes the database. Started by worker-pool.ts; loaded from dist/ as .js, or from the
 * TypeScript source through tsx under tests and benchmarks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FieldCipher } from '../../security/field-cipher.js';
import { parseCsvRecords } from './csv-records.js';
import { createRowPreparer } from './row-prepare.js';
import { threadCpuSeconds } from './thread-cpu.js';
import {
  CPU_QUESTION,
  type ChunkRequest,
  type ChunkResponse,
  type CpuAnswer,
  encodeRows,
  type WorkerInit,
} from './worker-protocol.js';

// This thread only parses. libphonenumber reports an invalid number by throwing, and capturing
// a stack trace for each of those cost more than parsing a valid number (profiled: ~8 µs per
// invalid row); only an error's message ever leaves this thread.
Error.stackTraceLimit = 0;

const init = workerData as WorkerInit;
const preparer = createRowPreparer(init.config, FieldCipher.fromMaterial(init.material));
const port = parentPort!;

port.on('message', (request: ChunkRequest | typeof CPU_QUESTION) => {
  if (request === CPU_QUESTION) {
    port.postMessage({ cpuSeconds: threadCpuSeconds() } satisfies CpuAnswer);
    return;
  }
  void handle(request).then((response) => port.postMessage(response));
});

async function handle(request: ChunkRequest): Promise<ChunkResponse> {
  try {
    const { records, lines } = parseCsvRecords(request.text, init.delimiter, request.firstLine);
    const rows = await preparer.prepare(records, lines);
    return { seq: request.seq, rowsJson: encodeRows(rows) };
  } catch (error) {
    // Only the message crosses the thread; it never holds a cell's value (see row-prepare.ts).
    return { seq: request.seq, error: error instanceof Error ? error.message : String(error) };
  }
}
