// Every conformance case (tests/cases and the shared corpus, recursively *.yaml/*.yml)
// through the WASM `runCase`, item by item against the Rust runner
// (`meshverdict conformance -o json`): the same ids, the same passed value, the same
// detail. Failing items must be listed in tests/expected-failures.txt (`NAME ISSUE`), and
// a listed item that passes fails too, as in the Rust test (the list only shrinks).
//
//   MESHVERDICT_RUST_RESULTS  JSON file of the Rust reports; unset: this test runs
//                             `cargo run --release -p meshverdict-cli --bin meshverdict -- conformance -o json …`
//   MESHVERDICT_SHARED_CASES  the shared corpus (default <repo>/../shared/conformance/cases);
//                             missing: a failure when CI=true, else skipped
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { meshverdict, repoRoot, sharedCasesDir, isCI, isDir, yamlFiles } from './helpers.mjs'

const { runCase } = meshverdict

const ownDir = path.join(repoRoot, 'tests', 'cases')
const sharedDir = sharedCasesDir()
const sharedPresent = isDir(sharedDir)

function expectedFailures() {
  const out = new Map()
  for (const raw of readFileSync(path.join(repoRoot, 'tests', 'expected-failures.txt'), 'utf8').split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const [name, issue = ''] = line.split(/\s+/)
    out.set(name, issue)
  }
  return out
}

function rustReports() {
  let text
  const file = process.env.MESHVERDICT_RUST_RESULTS
  if (file) {
    text = readFileSync(file, 'utf8')
  } else {
    const dirs = [path.relative(repoRoot, ownDir)]
    if (sharedPresent) dirs.push(path.relative(repoRoot, sharedDir) || '.')
    const args = ['run', '--quiet', '--release', '-p', 'meshverdict-cli', '--bin', 'meshverdict', '--', 'conformance', '-o', 'json', ...dirs]
    const r = spawnSync('cargo', args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] })
    // exit 1 means some item failed: the report is still complete
    if (r.error || (r.status !== 0 && r.status !== 1)) {
      throw new Error(`cargo ${args.join(' ')} failed (${r.error ?? `exit ${r.status}`}):\n${r.stderr}`)
    }
    text = r.stdout
  }
  const reports = JSON.parse(text)
  assert.ok(Array.isArray(reports), 'the Rust results are a JSON list of reports')
  return reports
}

let rust = []
let rustError = null
try {
  rust = rustReports()
} catch (e) {
  rustError = e
}
const bySource = new Map(rust.map((r) => [path.resolve(repoRoot, r.source), r]))
const byName = new Map(rust.map((r) => [r.name, r]))
const expected = expectedFailures()
const matched = new Set()

/** Runs one case file; returns a reason to skip, or nothing. */
function check(file) {
  if (rustError) throw rustError
  const rel = path.relative(repoRoot, file)
  const text = readFileSync(file, 'utf8')
  let report
  try {
    report = runCase(text, rel)
  } catch (e) {
    // No `kind: Expectations` document: no case, and the Rust runner skips it as well.
    if (e.code === 'invalid-case' && !bySource.has(file)) return 'no Expectations document'
    throw e
  }
  const theirs = bySource.get(file) ?? byName.get(report.name)
  assert.ok(theirs, `the Rust results hold no report for ${rel} (${report.name})`)
  matched.add(theirs)
  assert.equal(report.name, theirs.name, 'case name')
  const ours = new Map(report.results.map((r) => [r.id, r]))
  assert.deepEqual([...ours.keys()], theirs.results.map((r) => r.id), 'the same item ids, in the same order')
  for (const r of theirs.results) {
    const o = ours.get(r.id)
    assert.equal(o.passed, r.passed, `${r.id}: wasm ${o.passed ? 'passed' : 'failed'}, rust ${r.passed ? 'passed' : 'failed'}\n  wasm: ${o.detail}\n  rust: ${r.detail}`)
    // Details name the source; compare them when both runs named it alike.
    if (report.source === theirs.source) assert.equal(o.detail, r.detail, `${r.id}: detail`)
  }
  assert.equal(report.passed, theirs.passed, 'passed count')
  assert.equal(report.failed, theirs.failed, 'failed count')
  assert.deepEqual(
    report.failures,
    report.results.filter((r) => !r.passed).map(({ id, detail }) => ({ id, detail })),
    '`failures` are the failed items',
  )
  const problems = []
  for (const r of report.results) {
    if (!r.passed && !expected.has(r.id)) problems.push(`FAIL ${r.id}: ${r.detail}`)
    if (r.passed && expected.has(r.id)) problems.push(`${r.id} passes now: remove it from tests/expected-failures.txt (${expected.get(r.id)})`)
  }
  assert.deepEqual(problems, [], problems.join('\n'))
  return undefined
}

const missing = `shared conformance cases not found at ${sharedDir} (set MESHVERDICT_SHARED_CASES)`
if (!sharedPresent) {
  if (isCI) test('shared corpus present', () => assert.fail(missing))
  else test('shared corpus present', { skip: missing }, () => {})
}

test('there are cases', () => assert.ok(yamlFiles(ownDir).length > 0, `no case files in ${ownDir}`))

const files = [
  ...yamlFiles(ownDir).map((f) => [`cases/${path.relative(ownDir, f)}`, f]),
  ...(sharedPresent ? yamlFiles(sharedDir).map((f) => [`shared/${path.relative(sharedDir, f)}`, f]) : []),
]
for (const [label, file] of files) {
  test(label, (t) => {
    const skip = check(file)
    if (skip) t.skip(skip)
  })
}

// Last (tests run in order): every report of the Rust runner had its case file here.
test('every Rust report was matched by a case file', () => {
  if (rustError) throw rustError
  assert.deepEqual(rust.filter((r) => !matched.has(r)).map((r) => `${r.name} (${r.source})`), [])
})
