/** Messages between the import's main thread and its parse workers. */
import type { FieldCipherMaterial } from '../../security/field-cipher.js';
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
