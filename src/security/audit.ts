/**
 * The audit trail: append-only and hash-chained. Each row's hash is an HMAC (keyed from the master
 * key) over the previous row's hash and the row's own fields, so a row changed, inserted or
 * deleted behind the application's back breaks the chain at that row, and the chain cannot be
 * recomputed without the key.
 */
import { createHmac } from 'node:crypto';
import type { Db } from '../store/database.js';
import {
  appendAuditRow,
  readAuditHead,
  readAuditRows,
  type AuditRow,
  type NewAuditRow,
} from '../store/audit-log.js';
import { AUDIT_GENESIS } from '../store/audit-genesis.js';
import { redactDeep, redactPhones } from '../core/redact.js';

export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly target?: string | null;
  readonly details?: Record<string, unknown>;
  readonly ip?: string | null;
  readonly at?: Date;
}

export interface Auditor {
  record(entry: AuditEntry): Promise<AuditRow>;
}

function canonical(seq: number, row: NewAuditRow): string {
  return JSON.stringify([seq, row.at, row.actor, row.action, row.target, row.details, row.ip]);
}

export function sealAuditRow(key: Buffer, seq: number, prevHash: string, row: NewAuditRow): string {
  return createHmac('sha256', key)
    .update(prevHash)
    .update('\n')
    .update(canonical(seq, row))
    .digest('hex');
}

export function createAuditor(db: Db, key: Buffer): Auditor {
  return {
    record(entry) {
      const row: NewAuditRow = {
        at: (entry.at ?? new Date()).toISOString(),
        actor: entry.actor,
        action: entry.action,
        // Free text in an entry (a reveal's reason, a note) may hold a number someone typed: the
        // trail is kept forever, so it never stores one in clear.
        target: entry.target == null ? null : redactPhones(entry.target),
        details: JSON.stringify(redactDeep(entry.details ?? {})),
        ip: entry.ip ?? null,
      };
      return appendAuditRow(db, row, (seq, prev, r) => sealAuditRow(key, seq, prev, r));
    },
  };
}

export type AuditProblem = 'changed' | 'inserted' | 'deleted';

export interface AuditVerification {
  readonly ok: boolean;
  readonly rows: number;
  readonly firstBad?: {
    readonly seq: number;
    readonly problem: AuditProblem;
    readonly detail: string;
  };
}

/** Walks the whole chain in order and reports the first row that breaks it. */
export async function verifyAuditChain(
  db: Db,
  key: Buffer,
  batchSize = 1000,
): Promise<AuditVerification> {
  const head = await readAuditHead(db);
  let prevHash = AUDIT_GENESIS;
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const rows = await readAuditRows(db, { afterSeq: expectedSeq - 1, limit: batchSize });
    if (rows.length === 0) break;
    for (const row of rows) {
      count += 1;
      if (row.seq > head.seq) {
        return bad(count, row.seq, 'inserted', 'row beyond the chain head');
      }
      if (row.seq !== expectedSeq) {
        return bad(
          count,
          expectedSeq,
          'deleted',
          `rows ${expectedSeq}..${row.seq - 1} are missing`,
        );
      }
      const { seq: _s, prev_hash, hash, ...fields } = row;
      if (hash !== sealAuditRow(key, row.seq, prev_hash, fields)) {
        return bad(count, row.seq, 'changed', 'the row does not match its seal');
      }
      if (prev_hash !== prevHash) {
        return bad(count, row.seq, 'inserted', 'the row does not chain onto its predecessor');
      }
      prevHash = hash;
      expectedSeq += 1;
    }
  }
  if (expectedSeq - 1 !== head.seq || prevHash !== head.hash) {
    return bad(
      count,
      expectedSeq,
      'deleted',
      `the chain ends at ${expectedSeq - 1} but its head is ${head.seq}`,
    );
  }
  return { ok: true, rows: count };
}

function bad(rows: number, seq: number, problem: AuditProblem, detail: string): AuditVerification {
  return { ok: false, rows, firstBad: { seq, problem, detail } };
}
