/**
 * Worker thread entry of a detached import (detached.ts): the whole run, its database
 * connection and its batches, off the thread that serves the API or the CLI. The run gets its
 * own store (SQLite: a second connection, one writer at a time as always), a cipher that can
 * only encrypt and index, and the audit key; its heap is bounded by the worker's limits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isHeraldError } from '../../core/errors.js';
import { createLogger } from '../../logger.js';
import { createAuditor } from '../../security/audit.js';
import { FieldCipher } from '../../security/field-cipher.js';
import { createStore } from '../../store/database.js';
import { runImport } from './importer.js';
import type { RunInit, RunMessage } from './worker-protocol.js';

const init = workerData as RunInit;
const port = parentPort!;
const stop = new AbortController();
port.on('message', (message: unknown) => {
  if (message === 'stop') stop.abort();
});
const send = (message: RunMessage) => port.postMessage(message);

const store = createStore(init.database, init.storeOptions);
try {
  const result = await runImport(
    {
      store,
      cipher: FieldCipher.fromMaterial(init.material),
      auditor: createAuditor(store.db, Buffer.from(init.auditKey)),
      logger: createLogger({ level: init.logLevel, destination: process.stderr as never }),
    },
    init.plan,
    {
      ...init.options,
      signal: stop.signal,
      onProgress: (progress) => send({ type: 'progress', progress }),
    },
  );
  send({ type: 'done', result });
} catch (error) {
  send({
    type: 'failed',
    error: isHeraldError(error)
      ? { message: error.message, code: error.code, details: error.details }
      : { message: error instanceof Error ? error.message : String(error) },
  });
} finally {
  await store.destroy();
  port.close();
}
