#!/usr/bin/env node
// The `herald` command: runs the compiled CLI (built by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('herald: not built yet; run `npm run build` (or `npm start`) first\n');
  process.exit(1);
}
const { main: run } = await import(main.href);
await run(process.argv);
