/**
 * The production build is an installable PWA whose service worker precaches exactly one complete
 * version of the app: manifest fields and icons, the worker, and its precache list.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, ensureBuilt } from '../browser/support/build.ts';

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

let manifest: { name: string; short_name: string; start_url: string; scope: string; display: string; theme_color: string; background_color: string; icons: ManifestIcon[] };
let precache: Array<{ url: string; revision: string | null }>;
let sw: string;

/** Width and height from a PNG's IHDR chunk; throws when the file is not a PNG. */
function pngSize(file: string): [number, number] {
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a' || bytes.subarray(12, 16).toString('latin1') !== 'IHDR') throw new Error(`${file} is not a PNG`);
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

const dist = (url: string) => join(DIST, url.replace(/^\//, ''));

beforeAll(() => {
  ensureBuilt();
  manifest = JSON.parse(readFileSync(join(DIST, 'manifest.webmanifest'), 'utf8'));
  sw = readFileSync(join(DIST, 'sw.js'), 'utf8');
  const list = /\[\{"revision":.*?\}\]/s.exec(sw);
  if (!list) throw new Error('no precache list found in dist/sw.js');
  precache = JSON.parse(list[0]);
}, 120_000);

describe('web app manifest', () => {
  it('names the app, starts at the wallet in standalone mode and sets the theme colour', () => {
    expect(manifest).toMatchObject({ name: 'Counterpay', short_name: 'Counterpay', start_url: '/', scope: '/', display: 'standalone' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  });

  it('has 192 and 512 px PNG icons, both plain and maskable, whose files have those sizes', () => {
    for (const purpose of ['any', 'maskable']) {
      for (const size of [192, 512]) {
        const icon = manifest.icons.find((i) => i.sizes === `${size}x${size}` && (i.purpose ?? 'any').split(' ').includes(purpose));
        expect(icon, `${purpose} ${size}`).toBeDefined();
        expect(icon!.type).toBe('image/png');
        expect(pngSize(dist(icon!.src))).toEqual([size, size]);
      }
    }
  });

  it('has the till’s own manifest: its own id, name and icons, starting at /cashier in any orientation', () => {
    const till = JSON.parse(readFileSync(join(DIST, 'cashier.webmanifest'), 'utf8')) as typeof manifest & { id: string; orientation: string };
    expect(till).toMatchObject({ id: '/cashier', name: 'Counterpay Till', start_url: '/cashier', scope: '/cashier', display: 'standalone', orientation: 'any' });
    for (const purpose of ['any', 'maskable']) {
      for (const size of [192, 512]) {
        const icon = till.icons.find((i) => i.sizes === `${size}x${size}` && (i.purpose ?? 'any').split(' ').includes(purpose));
        expect(icon, `${purpose} ${size}`).toBeDefined();
        expect(manifest.icons.map((i) => i.src)).not.toContain(icon!.src);
        expect(pngSize(dist(icon!.src))).toEqual([size, size]);
      }
    }
  });

  it('is linked from the page, with the theme colour', () => {
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    expect(html).toContain('rel="manifest" href="/manifest.webmanifest"');
    expect(html).toContain(`name="theme-color" content="${manifest.theme_color}"`);
  });
});

describe('service worker precache', () => {
  it('holds the page, every script, stylesheet and WebAssembly module of the build, the icons and the manifest', () => {
    const urls = new Set(precache.map((e) => e.url));
    // The console's files are the one exception, asserted below.
    const assets = readdirSync(join(DIST, 'assets')).filter((f) => /\.(js|css|wasm)$/.test(f) && !f.startsWith('console-'));
    expect(assets.length).toBeGreaterThan(1);
    for (const file of ['index.html', 'manifest.webmanifest', 'cashier.webmanifest', ...assets.map((a) => `assets/${a}`), ...manifest.icons.map((i) => i.src.replace(/^\//, ''))]) {
      expect(urls.has(file), file).toBe(true);
    }
  });

  it('lists only files that exist, each once, with a revision matching the file content where the name has no hash', () => {
    expect(new Set(precache.map((e) => e.url)).size).toBe(precache.length);
    for (const entry of precache) {
      expect(existsSync(dist(entry.url)), entry.url).toBe(true);
      if (entry.revision !== null) {
        expect(entry.revision, entry.url).toBe(
          createHash('md5')
            .update(readFileSync(dist(entry.url)))
            .digest('hex'),
        );
      }
    }
  });

  it('keeps build tooling out of the phone’s cache', () => {
    expect(precache.map((e) => e.url)).not.toContain('build-manifest.json');
  });

  it('leaves the console out: its chunks and stylesheet are fetched only by someone who opens /console', () => {
    const consoleFiles = readdirSync(join(DIST, 'assets')).filter((f) => f.startsWith('console-'));
    expect(consoleFiles.some((f) => f.endsWith('.js'))).toBe(true);
    expect(consoleFiles.some((f) => f.endsWith('.css'))).toBe(true);
    const urls = precache.map((e) => e.url);
    for (const f of consoleFiles) expect(urls, f).not.toContain(`assets/${f}`);
  });
});

describe('chunks', () => {
  const chunks = () =>
    JSON.parse(readFileSync(join(DIST, 'build-manifest.json'), 'utf8')) as Record<string, { file: string; isEntry?: boolean; isDynamicEntry?: boolean; imports?: string[] }>;
  // A string html5-qrcode builds into its DOM; it survives minification.
  const SCANNER_MARK = 'qr-shaded-region';

  /** The files the shopper view loads before anything else: the entry and what it imports statically. */
  const shopperStaticGraph = () => {
    const all = chunks();
    const entry = Object.values(all).find((c) => c.isEntry)!;
    const staticGraph = new Set<string>();
    const walk = (key: string) => {
      const chunk = all[key]!;
      if (staticGraph.has(chunk.file)) return;
      staticGraph.add(chunk.file);
      for (const k of chunk.imports ?? []) walk(k);
    };
    walk(Object.keys(all).find((k) => all[k] === entry)!);
    return staticGraph;
  };
  const cashierChunk = () => Object.entries(chunks()).find(([k]) => k.includes('cashier/CashierScreen'))?.[1];

  it('keeps the camera scanner out of the shopper view’s scripts and in the cashier chunk', () => {
    for (const file of shopperStaticGraph()) expect(readFileSync(dist(file), 'utf8'), file).not.toContain(SCANNER_MARK);
    const cashier = cashierChunk();
    expect(cashier?.isDynamicEntry).toBe(true);
    expect(readFileSync(dist(cashier!.file), 'utf8')).toContain(SCANNER_MARK);
  });

  it('loads the console as a chunk of its own under /console only: neither the shopper view nor the till carries its passkey code', () => {
    const all = chunks();
    const consoleChunk = Object.entries(all).find(([k]) => k.includes('console/ConsoleScreen'))?.[1];
    expect(consoleChunk?.isDynamicEntry).toBe(true);
    expect(consoleChunk!.file).toMatch(/^assets\/console-/);
    // A string of @simplewebauthn/browser's that survives minification.
    const PASSKEY_MARK = 'ERROR_CEREMONY_ABORTED';
    const holders = Object.values(all).filter((c) => readFileSync(dist(c.file), 'utf8').includes(PASSKEY_MARK));
    expect(holders.length).toBeGreaterThan(0);
    for (const c of holders) expect(c.file, 'the passkey library lives in console chunks only').toMatch(/^assets\/console-/);
    for (const file of shopperStaticGraph()) expect(file).not.toMatch(/^assets\/console-/);
    expect(readFileSync(dist(cashierChunk()!.file), 'utf8')).not.toContain(PASSKEY_MARK);
  });

  it('ships the QR decoder’s WebAssembly as one asset that only the cashier chunk names, the very file barcode-detector was built for', async () => {
    const wasm = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.wasm'));
    expect(wasm).toHaveLength(1);
    const url = `/assets/${wasm[0]}`;
    expect(readFileSync(dist(cashierChunk()!.file), 'utf8')).toContain(url);
    for (const file of shopperStaticGraph()) expect(readFileSync(dist(file), 'utf8'), file).not.toContain(url);
    // zxing-wasm's .wasm must match its JavaScript to the build: barcode-detector names the hash it expects.
    const { ZXING_WASM_SHA256 } = await import('barcode-detector/ponyfill');
    expect(
      createHash('sha256')
        .update(readFileSync(dist(url)))
        .digest('hex'),
    ).toBe(ZXING_WASM_SHA256);
  });
});
