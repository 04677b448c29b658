#!/usr/bin/env node
// Compiles src/ to dist/ and builds the console (web/ to web/dist) when any of their sources is
// newer than their last build (npm start, npm ci, the tests that run the built bin or console).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stamp = path.join(root, 'dist', '.build-stamp');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const lock = statSync(path.join(root, 'package-lock.json')).mtimeMs;

/** Runs build() when a source under dirs is newer than the stamp, then stamps. */
function rebuild(name, stampFile, dirs, files, build) {
  const sources = Math.max(
    lock,
    ...dirs.map((dir) => newest(path.join(root, dir))),
    ...files.map((file) => statSync(path.join(root, file)).mtimeMs),
  );
  if (existsSync(stampFile) && statSync(stampFile).mtimeMs >= sources) return;
  process.stderr.write(`herald: building ${name}...\n`);
  const result = build();
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(stampFile, new Date().toISOString());
}

const node = (script, args) =>
  spawnSync(process.execPath, [path.join(root, 'node_modules', ...script), ...args], {
    stdio: 'inherit',
    cwd: root,
  });

rebuild('the server', stamp, ['src'], ['tsconfig.json', 'tsconfig.build.json'], () =>
  node(['typescript', 'bin', 'tsc'], ['-p', path.join(root, 'tsconfig.build.json')]),
);
rebuild(
  'the console',
  path.join(root, 'web', 'dist', '.build-stamp'),
  ['web/src'],
  ['web/index.html', 'web/vite.config.ts', 'web/tsconfig.json'],
  () =>
    node(
      ['vite', 'bin', 'vite.js'],
      ['build', '--logLevel', 'warn', '--config', path.join(root, 'web', 'vite.config.ts')],
    ),
);
