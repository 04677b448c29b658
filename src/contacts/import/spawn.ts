/**
 * Starting one of the import's worker threads (parse-worker, run-worker) from wherever this
 * module runs. From dist/ the entry is the .js file beside this module. From the TypeScript
 * source (tests, `npm run bench`) it is the .ts file, loaded through tsx, which is what runs
 * those: `execArgv: ['--import', 'tsx']` does not work for workers on Node 20 (the hooks are not
 * in place when the worker's entry loads; tried), so a two-line bootstrap registers tsx inside
 * the worker first and then imports the entry.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';

interface TsxManifest {
  exports: { './esm/api': { import: { default: string } } };
}

export function spawnImportWorker(
  name: 'parse-worker' | 'run-worker',
  workerData: unknown,
  resourceLimits: ResourceLimits,
): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    return new Worker(new URL(`./${name}.js`, here), { workerData, resourceLimits });
  }
  // tsx's ESM API entry, from its package.json (require.resolve would give the CommonJS one).
  const manifest = createRequire(here).resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as TsxManifest).exports;
  const api = pathToFileURL(path.join(path.dirname(manifest), exports['./esm/api'].import.default));
  const entry = new URL(`./${name}.ts`, here);
  const bootstrap = `import(${JSON.stringify(api.href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits });
}
