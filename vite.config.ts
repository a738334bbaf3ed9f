import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CONSOLE_DIR = here('./web/console/');
/** A module only the console uses: its own code and the libraries only it imports. */
const isConsoleModule = (id: string) => id.startsWith(CONSOLE_DIR) || /node_modules\/(chart\.js|@kurkle|@simplewebauthn)\//.test(id);

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
    rolldownOptions: {
      output: {
        // The console's chunks (its screens, chart and passkey libraries) are named console-…, so
        // the service worker's precache can leave them out: the console needs the network anyway,
        // and a shopper's phone should not store it (docs/console.md).
        // Only the console imports those modules, so a chunk holding one is the console's.
        chunkFileNames: (chunk) => (chunk.moduleIds.some(isConsoleModule) ? 'assets/console-[name]-[hash].js' : 'assets/[name]-[hash].js'),
        // Its stylesheet is named after its screen's chunk.
        assetFileNames: (asset) => (asset.names.some((n) => n.startsWith('ConsoleScreen')) ? 'assets/console-[name]-[hash][extname]' : 'assets/[name]-[hash][extname]'),
      },
    },
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
        // The build's own chunk map is for tooling, not for the phone; the console is not for it either.
        globIgnores: ['build-manifest.json', '**/.vite/**', 'assets/console-*'],
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
