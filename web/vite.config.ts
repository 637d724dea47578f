import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Root is web/ (scripts/build-web.mjs runs Vite with cwd web/); the Fastify server serves web/dist with an
// SPA fallback. In `vite dev` /api is proxied to `npm run dev` on port 3000 so the session cookie stays
// same-origin.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // Libraries every page needs get their own long-cached chunk; antd stays split per component
          // so a page's table or date picker is only fetched with that page.
          groups: [{ name: 'vendor-react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack|i18next|react-i18next)[\\/]/, priority: 10 }],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:3000', changeOrigin: false },
    },
  },
});
