import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into web/dist, which `runloom serve` serves at `/` (the API stays under /v1).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/v1': 'http://127.0.0.1:4000' } },
});
