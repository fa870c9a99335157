// The npm package as users get it: the `npm pack` tarball installed into an empty project,
// where the README's Node snippet runs as an ES module and as CommonJS and prints what the
// README shows, type-checks as strict TypeScript, and where the README's browser snippet,
// served as a page, runs in headless chromium (skipped without /usr/bin/chromium).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { packSuite } from '../../tests/hosts/pack-suite.mjs'
import { readmeBlock, SHOP, wasmDir } from './helpers.mjs'

const README = path.join(wasmDir, 'README.md')
const CHROMIUM = process.env.MESHVERDICT_CHROMIUM ?? '/usr/bin/chromium'

let tarball = null
function pack() {
  if (tarball) return tarball
  const out = mkdtempSync(path.join(tmpdir(), 'meshverdict-wasm-pack-'))
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: wasmDir, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  tarball = path.join(out, JSON.parse(r.stdout)[0].filename)
  return tarball
}

const expected = readmeBlock(readFileSync(README, 'utf8'), 'output', 'text')
const { project } = packSuite({
  host: 'wasm',
  packageName: '@meshverdict/wasm',
  readme: README,
  tsc: path.join(wasmDir, 'node_modules', 'typescript', 'bin', 'tsc'),
  // wasm-bindgen's types declare `[Symbol.dispose]()` (the README says so).
  lib: ['es2022', 'dom', 'esnext.disposable'],
  tarballs: () => [pack()],
  check: (out) => assert.equal(out.trimEnd(), expected.trimEnd()),
})

const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.yaml': 'text/yaml' }

function serve(root) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const file = path.join(root, path.normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, ''))
    if (!file.startsWith(root + path.sep) || !existsSync(file)) {
      res.writeHead(404).end('not found')
      return
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file))
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (scripts/setup.sh --browser installs it): browser snippet not run`

test('wasm: the README browser snippet runs as written, from the installed package', { skip, timeout: 180_000 }, async () => {
  const root = project()
  // The page is the snippet, and the manifests it fetches sit beside it.
  writeFileSync(path.join(root, 'index.html'), `<!doctype html>\n<title>meshverdict</title>\n${readmeBlock(readFileSync(README, 'utf8'), 'browser', 'html')}\n`)
  writeFileSync(path.join(root, 'cluster.yaml'), SHOP)
  const { chromium } = await import('playwright-core')
  const server = await serve(root)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  try {
    const page = await browser.newPage()
    const errors = []
    const logs = []
    page.on('pageerror', (e) => errors.push(String(e)))
    page.on('console', (m) => logs.push(m.text()))
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`)
    await page.waitForFunction(() => document.body?.dataset.done === 'yes' || document.title.startsWith('error'), null, { timeout: 60_000 }).catch(() => {})
    for (let i = 0; i < 100 && !logs.some((l) => l.startsWith('ALLOWED')) && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(errors, [])
    assert.ok(logs.some((l) => /^ALLOWED: shop\/web → shop\/api on 8080\/TCP/.test(l)), logs.join('\n'))
  } finally {
    await browser.close()
    server.close()
  }
})
