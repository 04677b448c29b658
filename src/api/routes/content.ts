/** /v1/content and /v1/templates: live encoding and segments, template previews, worst cases. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { inspectText } from '../../core/content/encoding.js';
import { smartEncode } from '../../core/content/smart-encoding.js';
import {
  compileTemplate,
  renderTemplate,
  worstCaseInspection,
} from '../../core/content/template.js';
import { customAttributeSchema } from '../../contacts/attributes.js';
import { getContact } from '../../contacts/contacts.js';
import { allowedTemplateVariables, contactTemplateVars } from '../../campaigns/template-vars.js';
import { candidateFieldValues, longestCustomValues } from '../../store/template-values.js';
import { ErrorBody } from '../errors.js';
import { CountrySchema } from './contact-schemas.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody };
const Inspection = Type.Object({
  encoding: Type.String(),
  characters: Type.Integer(),
  units: Type.Integer(),
  segments: Type.Integer(),
  perSegment: Type.Integer(),
  remainingInSegment: Type.Integer(),
  unicodeCharacters: Type.Array(Type.String()),
  segmentTexts: Type.Array(Type.String()),
  suggestions: Type.Array(
    Type.Object({ from: Type.String(), to: Type.String(), count: Type.Integer() }),
  ),
  gsmIfReplaced: Type.Boolean(),
});
const TemplateSource = Type.String({ minLength: 1, maxLength: 5000 });

async function compileForContacts(ctx: AppContext, source: string) {
  const custom = (await customAttributeSchema(ctx.store.db)).map((d) => d.name);
  return compileTemplate(source, { allowedVariables: allowedTemplateVariables(custom) });
}

/** Picks, variable by variable, the candidate that makes the message cost the most. */
function worstValues(source: string, candidates: Record<string, string[]>): Record<string, string> {
  const chosen: Record<string, string> = {};
  for (const [name, values] of Object.entries(candidates)) chosen[name] = values[0]!;
  const cost = (values: Record<string, string>) => {
    const i = worstCaseInspection(source, values);
    return i.segments * 1_000_000 + i.units;
  };
  for (const [name, values] of Object.entries(candidates)) {
    let best = cost(chosen);
    for (const value of values.slice(1)) {
      const c = cost({ ...chosen, [name]: value });
      if (c > best) {
        best = c;
        chosen[name] = value;
      }
    }
  }
  return chosen;
}

export async function contentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/content/inspect',
    {
      config: { permission: 'content:inspect' },
      schema: {
        tags: ['content'],
        summary:
          'Encoding (GSM-7 / UCS-2), segments, the characters that force UCS-2, and smart-encoding suggestions',
        body: Type.Object(
          { text: Type.String({ maxLength: 10_000 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            inspection: Inspection,
            smartEncoded: Type.Object({ text: Type.String(), inspection: Inspection }),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const inspection = inspectText(request.body.text);
      const smart = smartEncode(request.body.text);
      return {
        inspection,
        smartEncoded: { text: smart.text, inspection: inspectText(smart.text) },
      };
    },
  );

  r.post(
    '/templates/preview',
    {
      config: { permission: 'content:inspect' },
      schema: {
        tags: ['content'],
        summary:
          'Render a Liquid template for one contact (or sample values) and inspect the result',
        body: Type.Object(
          {
            source: TemplateSource,
            contactId: Type.Optional(RowId()),
            sample: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            text: Type.String(),
            variables: Type.Array(Type.String()),
            inspection: Inspection,
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const compiled = await compileForContacts(ctx, request.body.source);
      const vars = request.body.contactId
        ? contactTemplateVars(await getContact(ctx, request.body.contactId))
        : { contact: request.body.sample ?? {} };
      const text = renderTemplate(compiled, vars);
      return { text, variables: [...compiled.variables], inspection: inspectText(text) };
    },
  );

  r.post(
    '/templates/worst-case',
    {
      config: { permission: 'content:inspect' },
      schema: {
        tags: ['content'],
        summary: 'The segment count with the longest value of every variable over the audience',
        body: Type.Object(
          { source: TemplateSource, country: Type.Optional(CountrySchema) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            longestValues: Type.Record(Type.String(), Type.String()),
            inspection: Inspection,
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const compiled = await compileForContacts(ctx, request.body.source);
      const fields = compiled.variables.filter(
        (v) => v.startsWith('contact.') && !v.startsWith('contact.custom.'),
      );
      const custom = compiled.variables.filter((v) => v.startsWith('contact.custom.'));
      const filter = { country: request.body.country };
      const [plain, customValues] = await Promise.all([
        candidateFieldValues(
          ctx.store.db,
          fields.map((f) => f.slice('contact.'.length)),
          filter,
        ),
        longestCustomValues(
          ctx.store.db,
          custom.map((f) => f.slice('contact.custom.'.length)),
          filter,
        ),
      ]);
      const candidates: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(plain)) candidates[`contact.${k}`] = v;
      for (const [k, v] of Object.entries(customValues)) candidates[`contact.custom.${k}`] = [v];
      const longestValues = worstValues(request.body.source, candidates);
      return { longestValues, inspection: worstCaseInspection(request.body.source, longestValues) };
    },
  );
}
