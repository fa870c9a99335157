// The JS API of @meshverdict/wasm (nodejs build, through the package's own name), the
// web and bundler builds, the package layout and the size budget.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { columnsSuite } from '../../tests/hosts/columns-suite.mjs'
import { verdictSuite } from '../../tests/hosts/verdict-suite.mjs'
import { throwing } from '../../tests/hosts/throws.mjs'
import { files } from '../../tests/hosts/jobs-suite.mjs'
import { meshverdict, pkgDir, wasmDir, SHOP } from './helpers.mjs'

const { Cluster, MeshverdictError, runCase } = meshverdict
const shop = () => Cluster.fromYaml(SHOP, { name: 'shop.yaml' })

const { throwsCode: throws, throwsArgument } = throwing(MeshverdictError)

test('fromYaml: dataplane and warnings', () => {
  const c = shop()
  assert.equal(c.dataplane, 'generic')
  assert.match(c.dataplaneReason, /^auto: /)
  assert.deepEqual(c.warnings, [])
  const calico = Cluster.fromYaml(SHOP, { dataplane: 'calico' })
  assert.equal(calico.dataplane, 'calico')
  const noOptions = Cluster.fromYaml(SHOP)
  assert.equal(noOptions.dataplane, 'generic')
  const withCm = Cluster.fromYaml(`${SHOP}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: shop}\n`, { name: 'x.yaml' })
  assert.ok(withCm.warnings.length > 0, 'an ignored kind is a warning')
  for (const w of withCm.warnings) {
    assert.equal(typeof w.code, 'string')
    assert.equal(typeof w.message, 'string')
  }
  for (const x of [c, calico, noOptions, withCm]) x.free()
})

test('verdict: allowed, with explanation and both layers', () => {
  const c = shop()
  const v = c.verdict({ from: 'shop/web', to: 'shop/api', port: 8080, protocol: 'TCP' })
  assert.equal(v.allowed, true)
  assert.equal(v.port, 8080)
  assert.equal(v.protocol, 'TCP')
  assert.equal(v.dataplane.name, 'generic')
  assert.match(v.dataplane.reason, /^auto: /)
  assert.equal(Object.getPrototypeOf(v), Object.prototype, 'a plain object, not a Map')
  assert.deepEqual(JSON.parse(JSON.stringify(v)), v)
  assert.equal(typeof v.summary, 'string')
  assert.match(v.explanation, /^ALLOWED/)
  assert.equal(v.egress.allowed, true)
  assert.equal(v.ingress.allowed, true)
  assert.equal(v.ingress.isolated, true)
  assert.equal(v.ingress.allowedBy?.[0]?.policy.name, 'api-allow-web')
  assert.equal(v.from.reference, 'shop/web')
  assert.equal(v.to.kind, 'Pod')
  assert.equal(v.wirePort, undefined, 'no mesh: the wire port is the port')
  assert.equal(v.mesh, undefined)
  // a named port of the destination, and a lower-case protocol
  const named = c.verdict({ from: 'shop/web', to: 'shop/api', port: 'http', protocol: 'tcp' })
  assert.equal(named.allowed, true)
  assert.equal(named.port, 8080)
  // protocol defaults to TCP
  assert.equal(c.verdict({ from: 'shop/web', to: 'shop/api', port: 8080 }).protocol, 'TCP')
  c.free()
})

test('verdict: after free(), the last verdict asked of a cluster can still be read', () => {
  const q1 = { from: 'shop/web', to: 'shop/api', port: 8080 }
  const q2 = { from: 'shop/web', to: 'shop/api', port: 9090 }
  const c = shop()
  const want1 = JSON.parse(JSON.stringify(c.verdict(q1)))
  c.free()
  // The last verdict's details are kept; an earlier one's cannot be judged.
  const d = shop()
  const read = d.verdict(q1)
  assert.deepEqual(read.egress, want1.egress)
  const briefOnly = d.verdict(q1)
  assert.equal(briefOnly.summary, want1.summary)
  const early = d.verdict(q2)
  const late = d.verdict(q1)
  d.free()
  assert.equal(read.explanation, want1.explanation, 'details read before free() stay')
  assert.equal(briefOnly.summary, want1.summary, 'so does a summary')
  assert.throws(() => briefOnly.explanation, /freed/, 'the summary alone does not build the other details')
  assert.deepEqual(late, want1)
  assert.equal(early.allowed, false)
  assert.equal(early.protocol, 'TCP')
  const e = (() => { try { return early.explanation } catch (x) { return x } })()
  assert.ok(e instanceof MeshverdictError && e.code === 'invalid-request' && /freed/.test(e.message), String(e))
  // The last verdict of another cluster is not this one's.
  const f = shop()
  const g = shop()
  const fromF = f.verdict(q2)
  g.verdict(q1)
  f.free()
  assert.throws(() => fromF.summary, /freed/)
  g.free()
})

test('verdict: denied', () => {
  const c = shop()
  const v = c.verdict({ from: 'shop/web', to: 'shop/api', port: 9090 })
  assert.equal(v.allowed, false)
  assert.match(v.explanation, /^DENIED/)
  assert.equal(v.ingress.allowed, false)
  assert.equal(c.verdict({ from: 'shop/api', to: 'shop/api', port: 8080, protocol: 'UDP' }).allowed, false)
  c.free()
})

test('verdict: errors are thrown with code, help and location', () => {
  const c = shop()
  const e = throws(() => c.verdict({ from: 'shop/nope', to: 'shop/api', port: 80 }), 'unknown-endpoint')
  assert.match(e.message, /nope/)
  assert.ok('help' in e && 'location' in e)
  throwsArgument(() => c.verdict({ from: 'shop/web', to: 'shop/api', port: 80, bogus: 1 }), TypeError)
  throwsArgument(() => c.verdict({ from: 'shop/web', to: 'shop/api' }), TypeError)
  throwsArgument(() => c.verdict({ from: 'shop/web', to: 'shop/api', port: 80, protocol: 'ICMP' }), RangeError)
  throwsArgument(() => c.verdict({ from: 'shop/web', to: 'shop/api', port: 70000 }), RangeError)
  throwsArgument(() => c.verdict({ from: 'shop/web', to: 'shop/api', port: 80n }), TypeError)
  throwsArgument(() => c.verdict(undefined), TypeError)
  throwsArgument(() => c.verdict('shop/web'), TypeError)
  throws(() => c.verdict({ from: 'not an endpoint', to: 'shop/api', port: 80 }), 'invalid-request')
  c.free()
})

test('verdicts: one brief answer per item, an Error in place of a failing item', () => {
  const c = shop()
  const out = c.verdicts([
    { from: 'shop/web', to: 'shop/api', port: 8080 },
    { from: 'shop/ghost', to: 'shop/api', port: 8080 },
    { from: 'shop/web', to: 'shop/api', port: 9090 },
    { from: 'shop/web', to: 'shop/api', port: 'no-such-port' },
  ])
  assert.equal(out.length, 4)
  assert.deepEqual(Object.keys(out[0]).sort(), ['allowed', 'summary'])
  assert.equal(out[0].allowed, true)
  assert.ok(out[1] instanceof Error)
  assert.ok(out[1] instanceof MeshverdictError)
  assert.equal(out[1].name, 'MeshverdictError')
  assert.equal(out[1].code, 'unknown-endpoint')
  assert.equal(out[2].allowed, false)
  assert.equal(out[2].summary, c.verdict({ from: 'shop/web', to: 'shop/api', port: 9090 }).summary)
  assert.equal(out[3].code, 'invalid-request')
  assert.deepEqual(c.verdicts([]), [])
  // a malformed list throws
  throwsArgument(() => c.verdicts({ from: 'shop/web' }), TypeError)
  throwsArgument(() => c.verdicts([{ from: 'shop/web', to: 'shop/api', port: 80, extra: true }]), TypeError)
  c.free()
})

test('allowedMany: booleans in order; the first error is thrown', () => {
  const c = shop()
  const q = { from: 'shop/web', to: 'shop/api', port: 8080 }
  assert.deepEqual(c.allowedMany([q, { ...q, port: 9090 }, { ...q, port: 'http' }]), [true, false, true])
  assert.deepEqual(c.allowedMany([]), [])
  throws(() => c.allowedMany([q, { ...q, from: 'shop/ghost' }]), 'unknown-endpoint')
  throwsArgument(() => c.allowedMany([{ ...q, port: undefined }]), TypeError)
  throwsArgument(() => c.allowedMany('nope'), TypeError)
  c.free()
})

// ---- verdict: decided at once, read as one plain object (the suite is shared with node/)

verdictSuite({
  host: 'wasm',
  meshverdict,
  load: (rel) => Cluster.fromFiles(files(rel)),
  shop,
  done: (c) => c.free(),
})

// ---- allowedColumns: questions as columns (the suite is shared with node/)

columnsSuite({
  host: 'wasm',
  meshverdict,
  load: (rel) => Cluster.fromFiles(files(rel)),
  shop,
  done: (c) => c.free(),
})

test('diagnostics', () => {
  const c = Cluster.fromYaml(
    `${SHOP}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ghost, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: ghost}}\n  policyTypes: [Ingress]\n`,
  )
  const d = c.diagnostics()
  assert.ok(Array.isArray(d))
  const hit = d.find((x) => x.code === 'selector-matches-nothing')
  assert.ok(hit, `no selector-matches-nothing in ${JSON.stringify(d.map((x) => x.code))}`)
  assert.ok(['info', 'warning', 'error'].includes(hit.severity))
  assert.equal(typeof hit.message, 'string')
  c.free()
})

test('errors(): objects the API server would reject, as located data', () => {
  const c = shop()
  assert.deepEqual(c.errors(), [])
  c.free()
  const bad = Cluster.fromYaml(
    `${SHOP}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: shop}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 0}]}]\n`,
    { name: 'bad.yaml' },
  )
  const errs = bad.errors()
  assert.equal(errs.length, 1)
  assert.equal(errs[0].code, 'invalid-policy')
  assert.equal(errs[0].location.source, 'bad.yaml')
  assert.equal(errs[0].location.document, 4)
  assert.equal(typeof errs[0].location.line, 'number')
  assert.ok(!(errs[0] instanceof Error), 'errors() returns data, not Errors')
  // a verdict that reads the rejected policy is refused
  throws(() => bad.verdict({ from: 'shop/web', to: 'shop/api', port: 8080 }), 'invalid-policy')
  bad.free()
})

test('fromYaml: failures', () => {
  const e = throws(() => Cluster.fromYaml('a: [1,', { name: 'broken.yaml' }), 'parse-error')
  assert.equal(e.location.source, 'broken.yaml')
  assert.equal(typeof e.location.line, 'number')
  throwsArgument(() => Cluster.fromYaml(SHOP, { dataplane: 'ovn' }), RangeError)
  throwsArgument(() => Cluster.fromYaml(SHOP, { dataplan: 'cilium' }), TypeError)
  throwsArgument(() => Cluster.fromYaml(SHOP, { name: 7 }), TypeError)
  throwsArgument(() => Cluster.fromYaml(SHOP, 'cilium'), TypeError)
  throwsArgument(() => Cluster.fromYaml(42), TypeError)
  throwsArgument(() => Cluster.fromYaml(undefined), TypeError)
  const limit = throws(() => Cluster.fromYaml(`a: &a [x]\n${Array.from({ length: 30 }, (_, i) => `b${i}: &b${i} [*${i ? `b${i - 1}` : 'a'}, *${i ? `b${i - 1}` : 'a'}]`).join('\n')}\n`), 'limit-exceeded')
  assert.equal(limit.location?.source, 'input')
})

test('runCase', () => {
  const caseText = (expect) =>
    `${SHOP}---\napiVersion: meshverdict/v1\nkind: Expectations\nmetadata: {name: shop-case}\nspec:\n  flows:\n  - {from: shop/web, to: shop/api, port: 8080, expect: allow}\n  - {from: shop/web, to: shop/api, port: 9090, expect: ${expect}}\n`
  const ok = runCase(caseText('deny'), 'shop-case.yaml')
  assert.equal(ok.name, 'shop-case')
  assert.equal(ok.source, 'shop-case.yaml')
  assert.equal(ok.passed, 2)
  assert.equal(ok.failed, 0)
  assert.deepEqual(ok.failures, [])
  assert.deepEqual(ok.results.map((r) => r.id), ['shop-case#0', 'shop-case#1'])
  const bad = runCase(caseText('allow'))
  assert.equal(bad.source, 'case.yaml')
  assert.equal(bad.passed, 1)
  assert.equal(bad.failed, 1)
  assert.equal(bad.failures.length, 1)
  assert.equal(bad.failures[0].id, 'shop-case#1')
  assert.deepEqual(Object.keys(bad.failures[0]).sort(), ['detail', 'id'])
  assert.match(bad.failures[0].detail, /expected Allow, got Deny/)
  throws(() => runCase(SHOP), 'invalid-case')
  throwsArgument(() => runCase(null), TypeError)
})

test('a freed cluster cannot be used; Symbol.dispose frees', () => {
  const c = shop()
  assert.equal(typeof c[Symbol.dispose], 'function')
  c.free()
  assert.throws(() => c.verdict({ from: 'shop/web', to: 'shop/api', port: 8080 }))
  // no public constructor (TypeScript: `private constructor()`): such an object is empty
  assert.throws(() => new Cluster().verdict({ from: 'shop/web', to: 'shop/api', port: 8080 }))
})

// The web build exposes the module's memory (the nodejs build does not).
async function webBuild() {
  const web = await import(pathToFileURL(path.join(pkgDir, 'web', 'meshverdict_wasm.js')).href)
  const exports = web.initSync({ module: readFileSync(path.join(pkgDir, 'web', 'meshverdict_wasm_bg.wasm')) })
  return { web, memory: exports.memory }
}

test('many clusters and many calls do not leak (memory stays bounded)', async () => {
  const { web, memory } = await webBuild()
  const qs = Array.from({ length: 200 }, (_, i) => ({ from: 'shop/web', to: 'shop/api', port: 8000 + i }))
  const round = () => {
    const c = web.Cluster.fromYaml(SHOP)
    c.verdict({ from: 'shop/web', to: 'shop/api', port: 8080 })
    c.verdicts(qs)
    c.allowedMany(qs)
    c.diagnostics()
    try {
      c.verdict({ from: 'shop/ghost', to: 'shop/api', port: 8080 })
    } catch {}
    c.free()
  }
  for (let i = 0; i < 20; i++) round()
  const before = memory.buffer.byteLength
  for (let i = 0; i < 300; i++) round()
  const grown = memory.buffer.byteLength - before
  assert.ok(grown <= 1 << 20, `memory grew by ${grown} bytes over 300 rounds`)
})

test('the web build (initSync) gives the same answers as the nodejs build', async () => {
  const { web } = await webBuild()
  const q = { from: 'shop/web', to: 'shop/api', port: 'http' }
  const a = web.Cluster.fromYaml(SHOP, { name: 'shop.yaml' })
  const b = shop()
  assert.deepEqual(a.verdict(q), b.verdict(q))
  assert.deepEqual(a.diagnostics(), b.diagnostics())
  try {
    a.verdict({ ...q, to: 'shop/ghost' })
    assert.fail('no throw')
  } catch (e) {
    assert.equal(e.code, 'unknown-endpoint')
    assert.ok(e instanceof web.MeshverdictError, 'the web build exports the class it throws')
  }
  a.free()
  b.free()
})

test('the bundler build loads as an ES module importing the .wasm', () => {
  const entry = pathToFileURL(path.join(pkgDir, 'bundler', 'meshverdict_wasm.js')).href
  const src = `import { Cluster } from ${JSON.stringify(entry)}
const c = Cluster.fromYaml(${JSON.stringify(SHOP)})
console.log(JSON.stringify(c.allowedMany([{ from: 'shop/web', to: 'shop/api', port: 8080 }, { from: 'shop/web', to: 'shop/api', port: 1 }])))`
  const r = spawnSync(process.execPath, ['--experimental-wasm-modules', '--no-warnings', '--input-type=module', '-e', src], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout.trim(), '[true,false]')
})

test('package exports: node → nodejs build, ./web, ./bundler, types beside each', () => {
  const require = createRequire(path.join(wasmDir, 'test', 'x.js'))
  assert.equal(require.resolve('@meshverdict/wasm'), path.join(pkgDir, 'nodejs', 'meshverdict_wasm.js'))
  const pj = JSON.parse(readFileSync(path.join(wasmDir, 'package.json'), 'utf8'))
  assert.equal(pj.name, '@meshverdict/wasm')
  const targets = [pj.exports['.'].node, pj.exports['.'].default, pj.exports['./web'], pj.exports['./bundler'], pj.exports['./nodejs']]
  for (const t of targets) {
    for (const f of [t.types, t.default]) assert.ok(readFileSync(path.join(wasmDir, f)).length > 0, f)
  }
  assert.equal(pj.exports['.'].default.default, './pkg/bundler/meshverdict_wasm.js')
  assert.equal(pj.exports['./web'].default, './pkg/web/meshverdict_wasm.js')
})

test('the three builds share one module, under 1.5 MB gzipped', () => {
  const [a, b, c] = ['bundler', 'nodejs', 'web'].map((t) => readFileSync(path.join(pkgDir, t, 'meshverdict_wasm_bg.wasm')))
  assert.ok(a.equals(b) && b.equals(c))
  const gz = gzipSync(a, { level: 9 }).length
  assert.ok(gz < 1.5 * 1024 * 1024, `${gz} bytes gzipped`)
})
