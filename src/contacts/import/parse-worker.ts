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
import type { ChunkRequest, ChunkResponse, WorkerInit } from './worker-protocol.js';

const init = workerData as WorkerInit;
const preparer = createRowPreparer(init.config, FieldCipher.fromMaterial(init.material));
const port = parentPort!;

port.on('message', (request: ChunkRequest) => {
  void handle(request).then((response) => port.postMessage(response));
});

async function handle(request: ChunkRequest): Promise<ChunkResponse> {
  try {
    const { records, lines } = parseCsvRecords(request.text, init.delimiter, request.firstLine);
    return { seq: request.seq, rows: await preparer.prepare(records, lines) };
  } catch (error) {
    // Only the message crosses the thread; it never holds a cell's value (see row-prepare.ts).
    return { seq: request.seq, error: error instanceof Error ? error.message : String(error) };
  }
}
