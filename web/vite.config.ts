// Builds the dashboard into web/dist, which the server serves at `/`.
// `npx vite --config web/vite.config.ts` runs a dev server that proxies /v1 to a local truestock
// (TRUESTOCK_URL, default http://127.0.0.1:8080), so the session cookie stays same-origin.

import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // One small app: a single chunk keeps the served files simple; uPlot is ~50 kB.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/v1': process.env.TRUESTOCK_URL ?? 'http://127.0.0.1:8080' },
  },
});
