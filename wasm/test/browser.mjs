// Browser smoke test: serves wasm/pkg/web on a localhost HTTP server, opens it in Debian's
// /usr/bin/chromium through playwright-core (never downloads a browser), and runs one
// verdict and one failing question in the page.
//
//   node wasm/test/browser.mjs      (also picked up by `node --test wasm/test/`)
//
// Without /usr/bin/chromium (`scripts/setup.sh --browser` installs it) it skips with a
// message and exits 0.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { SHOP } from './helpers.mjs'

const CHROMIUM = process.env.MESHVERDICT_CHROMIUM ?? '/usr/bin/chromium'
const wasmDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const webDir = path.join(wasmDir, 'pkg', 'web')


const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.ts': 'text/plain' }

/** Serves pkg/web (and an empty page at /) on 127.0.0.1, on a free port. */
function serve() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>meshverdict</title>')
      return
    }
    const file = path.join(webDir, path.normalize(url.pathname).replace(/^([/\\])+/, ''))
    if (!file.startsWith(webDir + path.sep) || !existsSync(file)) {
      res.writeHead(404).end('not found')
      return
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file))
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (scripts/setup.sh --browser installs it): browser test skipped`
if (skip) console.log(skip)

test('web build in chromium: one verdict', { skip, timeout: 120_000 }, async () => {
  assert.ok(existsSync(path.join(webDir, 'meshverdict_wasm.js')), `no ${webDir}: run wasm/build.sh`)
  const { chromium } = await import('playwright-core')
  const server = await serve()
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  try {
    const page = await browser.newPage()
    const pageErrors = []
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    const { port } = server.address()
    await page.goto(`http://127.0.0.1:${port}/`)
    const out = await page.evaluate(async (yaml) => {
      const m = await import('/meshverdict_wasm.js')
      await m.default() // fetches meshverdict_wasm_bg.wasm beside the module
      const cluster = m.Cluster.fromYaml(yaml, { name: 'shop.yaml' })
      const v = cluster.verdict({ from: 'shop/web', to: 'shop/api', port: 'http' })
      let error = null
      try {
        cluster.verdict({ from: 'shop/ghost', to: 'shop/api', port: 8080 })
      } catch (e) {
        error = { isError: e instanceof Error, code: e.code, name: e.name }
      }
      const batch = cluster.allowedMany([
        { from: 'shop/web', to: 'shop/api', port: 8080 },
        { from: 'shop/web', to: 'shop/api', port: 9090 },
      ])
      cluster.free()
      return { allowed: v.allowed, port: v.port, explanation: v.explanation, policy: v.ingress.allowedBy?.[0]?.policy.name, error, batch, ua: navigator.userAgent }
    }, SHOP)
    assert.deepEqual(pageErrors, [])
    assert.equal(out.allowed, true)
    assert.equal(out.port, 8080)
    assert.match(out.explanation, /^ALLOWED/)
    assert.equal(out.policy, 'api-allow-web')
    assert.deepEqual(out.error, { isError: true, code: 'unknown-endpoint', name: 'MeshverdictError' })
    assert.deepEqual(out.batch, [true, false])
    console.log(`browser: ${out.ua}: ${out.explanation.split('\n')[0]}`)
  } finally {
    await browser.close()
    server.close()
  }
})
