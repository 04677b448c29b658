// The console's build: `npm start` (scripts/build-if-stale.js) builds it into web/dist, which the
// API serves at /. `npx vite --config web/vite.config.ts` runs it in development against an API
// on HERALD_API (default http://127.0.0.1:8080).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const api = process.env.HERALD_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/v1': api, '/docs': api } },
});
