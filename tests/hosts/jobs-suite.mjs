// The whole-cluster and synthesis entry points in the JavaScript hosts (node/ and wasm/):
// matrix, exposure, diff, synthesize, repair and endpoints answer exactly the `result` of
// the CLI's `-o json` for the same question (JSON.stringify of both gives the same bytes),
// on the bundled examples: the broken Linkerd seed case and the shop with its intents. A
// wrong option is a TypeError (wrong type) or a RangeError (wrong value), with `code`
// `invalid-request`; what the engine refuses is a MeshverdictError.
//
//   jobsSuite({ host, meshverdict, load, types })
//     load(rel, options)  the cluster of a repository file or folder, its files named as
//                         the CLI names them at the repository root (`examples/x/a.yaml`)
//     types               { tsc, dir, packageName, tsconfig }: the declared types must
//                         accept the real answers (written as object literals into a
//                         .mts file in `dir`, where `packageName` resolves, and compiled
//                         with `tsc -p` and the package's own compiler options)
//
// The CLI is MESHVERDICT_CLI, else <repo>/target/release/meshverdict (scripts/test.sh and
// python/build.sh build it; built here with cargo when missing).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { repoRoot } from './corpus.mjs'

export const BROKEN = 'examples/linkerd-netpol-broken'
export const FIXED = 'examples/linkerd-netpol-fixed'
export const SHOP = 'tests/synthesis/shop-2.18.yaml'

let cliPath = null
function cli() {
  if (cliPath) return cliPath
  cliPath = process.env.MESHVERDICT_CLI || path.join(repoRoot, 'target', 'release', 'meshverdict')
  if (!existsSync(cliPath)) {
    const r = spawnSync('cargo', ['build', '--quiet', '--release', '-p', 'meshverdict-cli'], { cwd: repoRoot, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
  }
  return cliPath
}

/** The `result` of `meshverdict ARGS` (a JSON output), run at the repository root. */
export function cliResult(...args) {
  const r = spawnSync(cli(), args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 << 20 })
  assert.ok(r.status === 0 || r.status === 1, `meshverdict ${args.join(' ')}: exit ${r.status}\n${r.stderr}`)
  const answer = JSON.parse(r.stdout)
  assert.equal(answer.type, 'success', r.stdout.slice(0, 2000))
  return answer.result
}

/** The files of a repository folder (or one file) as `{ name, yaml }`, named as the CLI names them. */
export function files(rel) {
  const full = path.join(repoRoot, rel)
  if (!statSync(full).isDirectory()) return [{ name: rel, yaml: readFileSync(full, 'utf8') }]
  return readdirSync(full)
    .sort().filter((n) => /\.ya?ml$/.test(n)).map((n) => ({ name: `${rel}/${n}`, yaml: readFileSync(path.join(full, n), 'utf8') }))
}

function same(host, args) {
  const want = JSON.stringify(cliResult(...args))
  const got = JSON.stringify(host)
  assert.ok(got === want, `meshverdict ${args.join(' ')} differs:\nhost ${got.slice(0, 1500)}\ncli  ${want.slice(0, 1500)}`)
}

export function jobsSuite({ host, meshverdict, load, types }) {
  const { MeshverdictError } = meshverdict

  function throws(fn, type, pattern) {
    let caught
    try {
      fn()
    } catch (e) {
      caught = e
    }
    assert.ok(caught, `nothing thrown; expected ${type.name} ${pattern}`)
    assert.equal(caught.constructor, type, `${caught.constructor?.name}: ${caught.message}`)
    assert.match(caught.message, pattern)
    return caught
  }

  test(`${host}: matrix() is the CLI's matrix -o json (and -o compact)`, () => {
    const c = load(BROKEN)
    same(c.matrix(), ['matrix', '-f', BROKEN, '-o', 'json'])
    same(c.matrix({ by: 'class', format: 'compact' }), ['matrix', '-f', BROKEN, '--by', 'class', '-o', 'compact'])
    const filtered = c.matrix({ by: 'pod', namespace: 'emojivoto', port: [8080, '4190-4191'], protocol: 'tcp', noExternals: true })
    same(filtered, ['matrix', '-f', BROKEN, '--by', 'pod', '-n', 'emojivoto', '--port', '8080,4190-4191', '--protocol', 'TCP', '--no-externals', '-o', 'json'])
    assert.ok(filtered.cells.length > 0)
    same(c.matrix({ from: 'emojivoto/web', to: 'linkerd/*' }), ['matrix', '-f', BROKEN, '--from', 'emojivoto/web', '--to', 'linkerd/*', '-o', 'json'])
  })

  test(`${host}: exposure() is the CLI's exposure -o json`, () => {
    const c = load(BROKEN)
    same(c.exposure(), ['exposure', '-f', BROKEN, '-o', 'json'])
    same(c.exposure({ namespace: 'linkerd' }), ['exposure', '-f', BROKEN, '-n', 'linkerd', '-o', 'json'])
  })

  test(`${host}: diff() is the CLI's diff -o json, either way round`, () => {
    const d = load(BROKEN).diff({ after: files(FIXED) })
    same(d, ['diff', '--before', BROKEN, '--after', FIXED, '-o', 'json'])
    assert.ok(d.diff.opened.length > 0)
    assert.deepEqual(load(FIXED).diff({ before: files(BROKEN) }), d)
    const bytes = files(FIXED).map((f) => ({ name: f.name, yaml: new TextEncoder().encode(f.yaml) }))
    assert.deepEqual(load(BROKEN).diff({ after: bytes }), d)
  })

  test(`${host}: synthesize() is the CLI's synthesize -o json`, () => {
    const c = load(SHOP)
    const s = c.synthesize()
    same(s, ['synthesize', '-f', SHOP, '-o', 'json'])
    assert.ok(s.proof.verified && s.objects.length > 0 && s.yaml.includes('kind: NetworkPolicy'))
    const intents = readFileSync(path.join(repoRoot, SHOP), 'utf8')
    same(c.synthesize({ intents, intentsName: SHOP, dialect: 'cilium', granularity: 'namespace' }), [
      'synthesize', '-f', SHOP, '--intents', SHOP, '--dialect', 'cilium', '--granularity', 'namespace', '-o', 'json',
    ])
    const parsed = c.synthesize({ intents: [{ from: 'shop/frontend', to: 'shop/orders', ports: ['http'] }] })
    const text = c.synthesize({ intents: 'apiVersion: meshverdict/v1\nkind: Intents\nmetadata: {name: one}\nspec:\n  intents:\n  - {from: shop/frontend, to: shop/orders, ports: [http]}\n' })
    assert.equal(parsed.yaml, text.yaml)
  })

  test(`${host}: repair() is the CLI's repair -o json on the broken Linkerd example`, () => {
    const r = load(BROKEN, { dataplane: 'calico' }).repair()
    same(r, ['repair', '-f', BROKEN, '--dataplane', 'calico', '-o', 'json'])
    assert.ok(r.objects.length > 0 && r.fixed >= 1 && r.hints.length > 0)
  })

  test(`${host}: endpoints() are what questions may name`, () => {
    const c = load(BROKEN)
    const items = c.endpoints()
    const refs = items.map((e) => e.reference)
    assert.ok(refs.includes('emojivoto/web') && refs.some((r) => r.startsWith('svc:')), refs.join(' '))
    for (const e of items) {
      if (e.kind === 'Service') c.verdict({ from: refs[0], to: e.reference, port: e.ports[0]?.port ?? 1 })
      else assert.equal(c.verdict({ from: e.reference, to: e.reference, port: 1 }).from.meshed ?? false, e.meshed ?? false, e.reference)
    }
  })

  test(`${host}: wrong options are TypeErrors and RangeErrors; refusals are MeshverdictErrors`, () => {
    const c = load(BROKEN)
    let e = throws(() => c.matrix({ by: 'namespace' }), RangeError, /^matrix: by: unknown variant `namespace`, expected one of `workload`, `pod`, `class`$/)
    assert.equal(e.code, 'invalid-request')
    throws(() => c.matrix({ port: 70000 }), RangeError, /^matrix: port: 70000 is not a port \(1-65535\)$/)
    throws(() => c.matrix({ port: 80.5 }), RangeError, /^matrix: port: 80\.5 is not a port/)
    throws(() => c.matrix({ protocol: 'icmp' }), RangeError, /^matrix: protocol: 'icmp' is not a protocol/)
    e = throws(() => c.matrix({ bogus: 1 }), TypeError, /^matrix: bogus: unknown field `bogus`, expected one of `by`, `namespace`/)
    assert.equal(e.code, 'invalid-request')
    throws(() => c.matrix({ noExternals: 'yes' }), TypeError, /^matrix: noExternals: invalid type: string "yes", expected a boolean$/)
    throws(() => c.matrix('pod'), TypeError, /^matrix: invalid type: string "pod", expected an object with the options of matrix/)
    throws(() => c.exposure({ namespace: 3 }), TypeError, /^exposure: namespace: invalid type: integer `3`, expected a string$/)
    throws(() => c.diff({}), TypeError, /^diff: give `after`/)
    throws(() => c.diff(), TypeError, /^diff: give `after`/)
    throws(() => c.diff({ after: 3 }), TypeError, /^diff: after: invalid type: integer `3`, expected manifests/)
    throws(() => c.diff({ after: '', before: '' }), TypeError, /not both$/)
    throws(() => c.diff({ after: [{ name: 'a.yaml' }] }), TypeError, /^diff: after\.files\[0\]: missing field `yaml`$/)
    throws(() => c.diff({ after: '', by: 'namespace' }), RangeError, /^diff: by: unknown variant/)
    e = throws(() => c.diff({ after: new Uint8Array([107, 58, 32, 0xff, 10]) }), MeshverdictError, /UTF-8/)
    assert.equal(e.code, 'parse-error')
    assert.equal(e.location.source, 'after')
    e = throws(() => c.diff({ after: { yaml: 'kind: [', name: 'after.yaml' } }), MeshverdictError, /./)
    assert.equal(e.code, 'parse-error')
    assert.equal(e.location.source, 'after.yaml')
    throws(() => c.synthesize({ intents: 5 }), TypeError, /^synthesize: intents must be/)
    throws(() => c.synthesize({ dialect: 'calico' }), RangeError, /^synthesize: dialect: unknown variant `calico`/)
    throws(() => c.synthesize({ isolate: 'shop' }), TypeError, /^synthesize: isolate: invalid type/)
    e = throws(() => c.synthesize(), MeshverdictError, /^synthesize: no intents/)
    assert.equal(e.code, 'invalid-request')
    throws(() => c.repair({ dialect: 'linkerd' }), RangeError, /^repair: dialect: unknown variant `linkerd`, expected `networkpolicy` or `cilium`$/)
  })

  test(`${host}: the declared types accept the answers as they are (no key missing, none unknown)`, { timeout: 180_000 }, () => {
    const c = load(BROKEN, { dataplane: 'calico' })
    const samples = [
      ['MatrixCells', c.matrix()],
      ['MatrixCompact', c.matrix({ by: 'class', format: 'compact' })],
      ['MatrixCells', c.matrix({ by: 'pod' })],
      ['Exposure[]', c.exposure()],
      ['DiffResult', load(BROKEN).diff({ after: files(FIXED) })],
      ['Synthesis', load(SHOP).synthesize()],
      ['Synthesis', load(SHOP).synthesize({ dialect: 'linkerd' })],
      ['Repair', c.repair()],
      ['EndpointInfo[]', c.endpoints()],
      ['VerdictResult', c.verdict({ from: 'emojivoto/web', to: 'linkerd/linkerd-controller', port: 8086 })],
      ['Diagnostic[]', c.diagnostics()],
    ]
    const names = [...new Set(samples.map(([t]) => t.replace('[]', '')))]
    const lines = [`import type { ${names.join(', ')} } from '${types.packageName}'`]
    samples.forEach(([t, value], i) => lines.push(`export const a${i}: ${t} = ${JSON.stringify(value)}`))
    const dir = mkdtempSync(path.join(types.dir, '.answers-'))
    try {
      writeFileSync(path.join(dir, 'answers.check.mts'), lines.join('\n') + '\n')
      writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...types.compilerOptions, noEmit: true }, files: ['answers.check.mts'] }))
      const r = spawnSync(process.execPath, [types.tsc, '-p', path.join(dir, 'tsconfig.json')], { encoding: 'utf8', maxBuffer: 64 << 20 })
      assert.equal(r.status, 0, `the answers do not fit the declared types:\n${(r.stdout + r.stderr).slice(0, 4000)}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
}
