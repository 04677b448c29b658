/** Messages between an import's threads: the parse workers, and a detached run. */
import type { DatabaseConfig } from '../../config.js';
import type { FieldCipherMaterial } from '../../security/field-cipher.js';
import type { StoreOptions } from '../../store/database.js';
import type { ImportProgress, ImportResult, RunOptions } from './importer.js';
import type { ImportPlan } from './plan.js';
import type { PrepareConfig, PreparedRow } from './row-prepare.js';

export interface WorkerInit {
  readonly material: FieldCipherMaterial;
  readonly config: PrepareConfig;
  readonly delimiter: string;
}

export interface ChunkRequest {
  readonly seq: number;
  readonly text: string;
  readonly firstLine: number;
}

export type ChunkResponse =
  | { readonly seq: number; readonly rows: PreparedRow[]; readonly error?: undefined }
  | { readonly seq: number; readonly error: string; readonly rows?: undefined };

/** What a detached import run (run-worker.ts) starts from: plain data only. */
export interface RunInit {
  readonly database: DatabaseConfig;
  readonly storeOptions: StoreOptions;
  readonly logLevel: string;
  readonly material: FieldCipherMaterial;
  readonly auditKey: Uint8Array;
  readonly plan: ImportPlan;
  readonly options: Pick<RunOptions, 'workers' | 'batchRows' | 'chunkRows' | 'removeFileWhenDone'>;
}

/** From a detached run to the thread that started it; the other way only `'stop'`. */
export type RunMessage =
  | { readonly type: 'progress'; readonly progress: ImportProgress }
  | { readonly type: 'done'; readonly result: ImportResult }
  | {
      readonly type: 'failed';
      readonly error: {
        readonly message: string;
        readonly code?: string;
        readonly details?: unknown;
      };
    };
