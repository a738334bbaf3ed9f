import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The PWA: one app for the shopper and the cashier views, built to dist/ and served by the API
 * from the same origin. The service worker is our own web/sw.ts (injectManifest) so that the
 * cashier view can add its sync forwarding later without switching strategies.
 */
export default defineConfig({
  root: here('./web'),
  publicDir: here('./public'),
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    // A manifest of the chunks lets bench/web and the build test find entries without guessing.
    manifest: 'build-manifest.json',
  },
  server: {
    // `npm run dev` talks to a locally running API (npm start) for /v1.
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
  plugins: [
    svelte(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: here('./web'),
      filename: 'sw.ts',
      // web/app/update.svelte.ts registers the worker with workbox-window and owns the prompt.
      injectRegister: false,
      registerType: 'prompt',
      manifestFilename: 'manifest.webmanifest',
      // The glob below already takes the icons; the plugin adds the manifest itself.
      includeManifestIcons: false,
      injectManifest: {
        // The till's own manifest (web/app/manifest.ts) is a static file: offline, the till still names it.
        // The .wasm is the till's QR decoder (web/cashier/scanner.ts): an offline till must still decode.
        // It is about 1.1 MB, under Workbox's 2 MB limit per precached file.
        globPatterns: ['**/*.{js,css,html,png,svg,wasm}', 'cashier.webmanifest'],
        // The build's own chunk map is for tooling, not for the phone.
        globIgnores: ['build-manifest.json', '**/.vite/**'],
      },
      manifest: {
        id: '/',
        name: 'Counterpay',
        short_name: 'Counterpay',
        description: 'Pay for an online order in cash at a store counter.',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: '#0b5d46',
        background_color: '#ffffff',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
});
