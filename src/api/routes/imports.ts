/**
 * /v1/imports: upload a CSV (the raw request body, streamed to the data folder) with its
 * provenance in the query string; the import runs in the background of this process and is
 * followed by polling its status; the row-level report comes as pages of JSON or one CSV
 * stream. Reading needs contacts:read (the report shows masked numbers, as contact lists do).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { HeraldError } from '../../core/errors.js';
import { CONSENT_METHODS } from '../../core/policy/consent.js';
import { PURPOSES } from '../../core/policy/purposes.js';
import { startImport, startResume } from '../../contacts/import/importer.js';
import { recoverImports } from '../../contacts/import/recovery.js';
import { createImportJobs } from '../../contacts/import/jobs.js';
import { parseMappingOption } from '../../contacts/import/header-map.js';
import { IMPORT_OUTCOMES, IMPORT_STATUSES } from '../../contacts/import/outcomes.js';
import { resolveProvenance } from '../../contacts/import/provenance.js';
import { importView, reportCsv, reportLine } from '../../contacts/import/report.js';
import { findImport, listImportLines, listImports } from '../../store/imports.js';
import { actorOf } from '../../security/principal.js';
import { ErrorBody } from '../errors.js';
import { CountrySchema } from './contact-schemas.js';
import { RowId } from '../../core/row-id.js';

/** The largest upload: ~4 million rows of a typical contact list. */
export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
const CSV_TYPES = [
  'text/csv',
  'application/csv',
  'text/plain',
  'application/vnd.ms-excel',
  'application/octet-stream',
];

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const Counts = Type.Object(
  Object.fromEntries(IMPORT_OUTCOMES.map((o) => [o, Type.Integer()])) as Record<
    (typeof IMPORT_OUTCOMES)[number],
    ReturnType<typeof Type.Integer>
  >,
);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);
const ImportView = Type.Object({
  id: Type.Integer(),
  status: Type.String({ description: IMPORT_STATUSES.join(' | ') }),
  fileName: Type.String(),
  sha256: Type.String(),
  source: Type.String(),
  purpose: Type.String(),
  consentMethod: Nullable(Type.String()),
  consentTextId: Nullable(Type.Integer()),
  mapping: Type.Record(Type.String(), Type.String()),
  ignoredColumns: Type.Array(Type.String()),
  processedRows: Type.Integer(),
  estimatedRows: Type.Integer({ description: 'from the line breaks of the file: for progress' }),
  counts: Counts,
  error: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
});
const ReportLine = Type.Object({
  line: Type.Integer(),
  outcome: Type.String({ description: IMPORT_OUTCOMES.join(' | ') }),
  reason: Nullable(Type.String()),
  maskedPhone: Nullable(Type.String()),
  contactId: Nullable(Type.Integer()),
});
const IdParams = Type.Object({ id: RowId() });

export async function importRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Its own scope: the CSV body parser must not reach the other /v1 routes.
  await app.register(async (scope) => {
    const jobs = createImportJobs(ctx);
    // Uploads interrupted by a crash are resumed, and stale upload files removed, at start and
    // every minute after (recovery.ts).
    let recovery: NodeJS.Timeout | undefined;
    const recover = () =>
      recoverImports(ctx, jobs, {
        staleSeconds: ctx.config.importStaleSeconds,
        keepFailedDays: ctx.config.importKeepFailedDays,
      }).catch((err: unknown) => ctx.logger.warn({ err }, 'import recovery failed'));
    scope.addHook('onReady', async () => {
      void recover();
      recovery = setInterval(() => void recover(), 60_000);
      recovery.unref();
    });
    scope.addHook('onClose', () => {
      clearInterval(recovery);
      return jobs.stopAll();
    });
    // The body stays a stream: the handler writes it to disk with its own size limit.
    scope.addContentTypeParser(CSV_TYPES, (_request, payload, done) => done(null, payload));
    const r = scope.withTypeProvider<TypeBoxTypeProvider>();

    r.post(
      '/imports',
      {
        config: { permission: 'imports:write' },
        schema: {
          tags: ['imports'],
          summary: 'Upload a CSV (raw body, text/csv, up to 200 MB) and start importing it',
          description:
            'Provenance is mandatory: a marketing import needs consentMethod and consentText (Bought or unproven lists are refused for marketing); without them only transactional contacts are created. The import runs in the background: poll GET /v1/imports/{id}.',
          consumes: CSV_TYPES,
          querystring: Type.Object({
            source: Type.String({ minLength: 1, maxLength: 500 }),
            purpose: Type.Union(PURPOSES.map((p) => Type.Literal(p))),
            consentMethod: Type.Optional(Type.Union(CONSENT_METHODS.map((m) => Type.Literal(m)))),
            consentText: Type.Optional(
              Type.String({ minLength: 1, maxLength: 128, description: 'key or id' }),
            ),
            country: Type.Optional(CountrySchema),
            encoding: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
            delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 9 })),
            map: Type.Optional(
              Type.String({ maxLength: 2000, description: 'field=header pairs: phone=手机号' }),
            ),
            ignore: Type.Optional(
              Type.Union(
                [
                  Type.String({ minLength: 1, maxLength: 256 }),
                  Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 500 }),
                ],
                {
                  description:
                    'a header to leave out even when it is named like a field (repeat for several: ignore=城市&ignore=性别)',
                },
              ),
            ),
            fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
          }),
          response: { 202: ImportView, 413: ErrorBody, 415: ErrorBody, ...errors },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const body = request.body as unknown;
        if (!(body instanceof Readable)) {
          throw new HeraldError('UNSUPPORTED_MEDIA_TYPE', 'Send the CSV as the body (text/csv)');
        }
        const declared = Number(request.headers['content-length'] ?? 0);
        if (declared > MAX_UPLOAD_BYTES) throw new HeraldError('PAYLOAD_TOO_LARGE');
        // Refuse a missing consent basis before taking in 200 MB.
        await resolveProvenance(ctx.store.db, q);
        const mapping = q.map === undefined ? undefined : parseMappingOption(q.map);
        const file = await receive(body, path.join(ctx.config.dataDir, 'imports'));
        try {
          const plan = await startImport(ctx, {
            file,
            fileName: q.fileName ?? 'upload.csv',
            actor: actorOf(request.principal!),
            source: q.source,
            purpose: q.purpose,
            consentMethod: q.consentMethod,
            consentText: q.consentText,
            defaultCountry: q.country,
            encoding: q.encoding,
            delimiter: q.delimiter,
            mapping,
            ignore: q.ignore === undefined ? undefined : [q.ignore].flat(),
          });
          jobs.start(plan, { removeFileWhenDone: true });
          return reply.status(202).send(importView(plan.record));
        } catch (error) {
          await unlink(file).catch(() => undefined);
          throw error;
        }
      },
    );

    r.post(
      '/imports/:id/resume',
      {
        config: { permission: 'imports:write' },
        schema: {
          tags: ['imports'],
          summary: 'Continue a stopped import from its checkpoint (the uploaded file is kept)',
          params: IdParams,
          response: { 202: ImportView, ...errors },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        if (jobs.isRunning(id)) throw new HeraldError('IMPORT_CONFLICT', `Import ${id} is running`);
        const plan = await startResume(ctx, id, { actor: actorOf(request.principal!) });
        jobs.start(plan, { removeFileWhenDone: true });
        return reply.status(202).send(importView(plan.record));
      },
    );

    r.get(
      '/imports',
      {
        config: { permission: 'contacts:read' },
        schema: {
          tags: ['imports'],
          summary: 'Imports, newest first',
          querystring: Type.Object({
            before: Type.Optional(RowId()),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          }),
          response: {
            200: Type.Object({
              items: Type.Array(ImportView),
              nextBefore: Nullable(Type.Integer()),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { before, limit } = request.query;
        const rows = await listImports(ctx.store.db, { beforeId: before, limit });
        return {
          items: rows.map(importView),
          nextBefore: rows.length === limit ? rows.at(-1)!.id : null,
        };
      },
    );

    r.get(
      '/imports/:id',
      {
        config: { permission: 'contacts:read' },
        schema: {
          tags: ['imports'],
          summary: 'An import: status, progress and counts',
          params: IdParams,
          response: { 200: ImportView, ...errors },
        },
      },
      async (request) => importView(await mustFind(ctx, request.params.id)),
    );

    r.get(
      '/imports/:id/report',
      {
        config: { permission: 'contacts:read' },
        schema: {
          tags: ['imports'],
          summary: 'The row-level report: JSON pages (afterLine, limit) or the whole CSV',
          params: IdParams,
          querystring: Type.Object({
            format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
            outcome: Type.Optional(Type.Union(IMPORT_OUTCOMES.map((o) => Type.Literal(o)))),
            afterLine: Type.Optional(Type.Integer({ minimum: 0 })),
            limit: Type.Integer({ minimum: 1, maximum: 5000, default: 1000 }),
          }),
          response: {
            200: Type.Object({
              items: Type.Array(ReportLine),
              nextAfterLine: Nullable(Type.Integer()),
            }),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const record = await mustFind(ctx, request.params.id);
        const q = request.query;
        if (q.format === 'csv') {
          // A stream goes out as is, page by page from the store: never one big document, and
          // not checked against the JSON schema of 200 (hence the cast).
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="import-${record.id}-report.csv"`)
            .send(
              Readable.from(reportCsv(ctx.store.db, record.id, { outcome: q.outcome })) as never,
            );
        }
        const rows = await listImportLines(ctx.store.db, {
          importId: record.id,
          afterLine: q.afterLine,
          outcome: q.outcome,
          limit: q.limit,
        });
        return {
          items: rows.map(reportLine),
          nextAfterLine: rows.length === q.limit ? rows.at(-1)!.line : null,
        };
      },
    );
  });
}

async function mustFind(ctx: AppContext, id: number) {
  const record = await findImport(ctx.store.db, id);
  if (!record) throw new HeraldError('IMPORT_NOT_FOUND', `No import ${id}`);
  return record;
}

/** Streams the body to a new file in `dir`, refusing more than MAX_UPLOAD_BYTES. */
async function receive(body: Readable, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Numbers in clear until the import is done: readable by Herald only, deleted when done.
  const file = path.join(dir, `upload-${randomBytes(8).toString('hex')}.csv`);
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > MAX_UPLOAD_BYTES) done(new HeraldError('PAYLOAD_TOO_LARGE'));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(body, limit, createWriteStream(file, { mode: 0o600 }));
  } catch (error) {
    await unlink(file).catch(() => undefined);
    throw error instanceof HeraldError
      ? error
      : new HeraldError('BAD_REQUEST', 'The upload failed');
  }
  if (received === 0) {
    await unlink(file).catch(() => undefined);
    throw new HeraldError('IMPORT_FILE_INVALID', 'The file is empty');
  }
  return file;
}
