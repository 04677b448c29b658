#!/usr/bin/env node
// `npm run bench -- <name> [args...]` runs bench/<name>.ts with tsx; the benchmark prints, as its
// last line, `BENCH <name> key=value ...` (see bench/README.md).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(path.join(root, 'bench'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
if (!name || !existsSync(path.join(root, 'bench', `${name}.ts`))) {
  console.error(`usage: npm run bench -- <name>   (available: ${available.join(', ') || 'none'})`);
  process.exit(2);
}
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const result = spawnSync(tsx, [path.join(root, 'bench', `${name}.ts`), ...rest], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
