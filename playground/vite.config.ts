import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const wasmPackage = JSON.parse(
  readFileSync(fileURLToPath(new URL('../wasm/package.json', import.meta.url)), 'utf8'),
) as { version: string };

// The page must work offline once loaded, and dist/ is deployed by copying it anywhere:
// the service worker is written after the bundle, so it knows every hashed file name,
// and its cache name changes whenever any of them does.
function offlineServiceWorker(): Plugin {
  return {
    name: 'meshverdict-offline-sw',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle)
        .filter((f) => !f.endsWith('.map'))
        .sort();
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16);
      const source = readFileSync(fileURLToPath(new URL('./src/sw.template.js', import.meta.url)), 'utf8')
        .replace('__CACHE_NAME__', JSON.stringify(`meshverdict-playground-${version}`))
        .replace('__PRECACHE__', JSON.stringify(['./', ...files]));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

// The .wasm is the largest file and is fetched only once the script runs: hinting it in
// the page's head lets its download overlap the script's.
function preloadWasm(): Plugin {
  return {
    name: 'meshverdict-preload-wasm',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const wasm = Object.keys(ctx.bundle ?? {}).find((f) => f.endsWith('.wasm'));
        if (!wasm) return html;
        return {
          html,
          tags: [{ tag: 'link', attrs: { rel: 'preload', href: `./${wasm}`, as: 'fetch', type: 'application/wasm', crossorigin: '' }, injectTo: 'head' }],
        };
      },
    },
  };
}

export default defineConfig({
  // Relative URLs: dist/ works from any path it is copied to.
  base: './',
  define: {
    __ENGINE_PACKAGE_VERSION__: JSON.stringify(wasmPackage.version),
  },
  build: {
    target: 'es2022',
    // The .wasm must stay a file of its own (streamed, cached), never inlined.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    // The examples live beside the playground, in ../examples.
    fs: { allow: ['..'] },
  },
  plugins: [offlineServiceWorker(), preloadWasm()],
});
