// The core rule: src/core imports nothing from the shell and no I/O. ESLint enforces it; this
// test proves the rule bites by linting deliberate violations as if they lived in src/core.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function messagesFor(code: string, filePath: string) {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('src/core purity lint', () => {
  it.each([
    [
      "import { createStore } from '../store/database.js';\nexport const x = createStore;\n",
      'no-restricted-imports',
    ],
    [
      "import type { Db } from '../store/database.js';\nexport type X = Db;\n",
      'no-restricted-imports',
    ],
    [
      "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      'no-restricted-imports',
    ],
    ["import { Kysely } from 'kysely';\nexport const x = Kysely;\n", 'no-restricted-imports'],
    [
      "import { buildApi } from '../api/app.js';\nexport const x = buildApi;\n",
      'no-restricted-imports',
    ],
    ['export const now = () => Date.now();\n', 'no-restricted-properties'],
    ['export const env = () => process.env.PORT;\n', 'no-restricted-globals'],
  ])('fails on a deliberate violation: %s', async (code, rule) => {
    const messages = await messagesFor(code, 'src/core/probe.ts');
    expect(messages.some((m) => m.startsWith(`${rule}:`))).toBe(true);
  });

  it('accepts the same import outside src/core, and pure code inside it', async () => {
    expect(
      await messagesFor(
        "import { createStore } from './database.js';\nexport const x = createStore;\n",
        'src/store/probe.ts',
      ),
    ).toEqual([]);
    expect(
      await messagesFor(
        "import { HeraldError } from './errors.js';\nexport const x = HeraldError;\n",
        'src/core/probe.ts',
      ),
    ).toEqual([]);
  });

  it('forbids reading process.env below start-up', async () => {
    const messages = await messagesFor('export const p = process.env.PORT;\n', 'src/api/probe.ts');
    expect(messages.some((m) => m.startsWith('no-restricted-properties:'))).toBe(true);
  });
});
