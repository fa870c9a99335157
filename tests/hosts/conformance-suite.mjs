// Every conformance case (tests/cases and the shared corpus) through a JavaScript host's
// `runCase`, item by item against the Rust runner (`meshverdict conformance -o json`):
// the same ids, the same pass/fail, the same detail. Failing items must be listed in
// tests/expected-failures.txt, and a listed item that passes fails (the list only shrinks).
//
//   conformanceSuite({ host, runCase })   host: a name for messages ("node", "wasm")
//
//   MESHVERDICT_RUST_RESULTS  the output of `meshverdict conformance -o json` (its result.reports); unset: the suite runs
//                             `cargo run --release -p meshverdict-cli --bin meshverdict -- conformance -o json …`
//   MESHVERDICT_SHARED_CASES  the shared corpus (default <repo>/../shared/conformance/cases);
//                             missing: a failure when CI=true, else skipped
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { repoRoot, sharedCasesDir, isCI, isDir, yamlFiles } from './corpus.mjs'

function expectedFailures() {
  const text = readFileSync(path.join(repoRoot, 'tests', 'expected-failures.txt'), 'utf8')
  const out = new Map()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const [name, issue = ''] = line.split(/\s+/)
    out.set(name, issue)
  }
  return out
}

// The JSON list of reports of the Rust runner: MESHVERDICT_RUST_RESULTS, else run the CLI.
function rustReports(ownDir, sharedDir, sharedPresent) {
  const file = process.env.MESHVERDICT_RUST_RESULTS
  let text
  if (file) {
    text = readFileSync(file, 'utf8')
  } else {
    const dirs = [path.relative(repoRoot, ownDir)]
    if (sharedPresent) dirs.push(path.relative(repoRoot, sharedDir) || '.')
    const args = ['run', '--quiet', '--release', '-p', 'meshverdict-cli', '--bin', 'meshverdict', '--', 'conformance', '-o', 'json', ...dirs]
    const r = spawnSync('cargo', args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] })
    // exit 1 = some item failed: still a full report
    if (r.error || (r.status !== 0 && r.status !== 1)) {
      throw new Error(`cargo ${args.join(' ')} failed (${r.error ?? `exit ${r.status}`}):\n${r.stderr}`)
    }
    text = r.stdout
  }
  // One JSON envelope: {"type": "success", "result": {"reports", "passed", "failed"}, "warnings"}.
  let envelope
  try {
    envelope = JSON.parse(text)
  } catch (e) {
    throw new Error(`the Rust results are not JSON (${e.message}):\n${text.slice(0, 500)}`)
  }
  if (envelope?.type !== 'success') throw new Error(`the Rust results are no success envelope:\n${text.slice(0, 500)}`)
  const reports = envelope.result?.reports
  assert.ok(Array.isArray(reports), 'the Rust results hold a list of reports')
  return reports
}

export function conformanceSuite({ host, runCase }) {
  const ownDir = path.join(repoRoot, 'tests', 'cases')
  const sharedDir = sharedCasesDir()
  const sharedPresent = isDir(sharedDir)

  let rust = null
  let rustError = null
  try {
    rust = rustReports(ownDir, sharedDir, sharedPresent)
  } catch (e) {
    rustError = e
  }
  const bySource = new Map()
  const byName = new Map()
  for (const r of rust ?? []) {
    bySource.set(path.resolve(repoRoot, r.source), r)
    byName.set(r.name, r)
  }
  const expected = expectedFailures()
  const seen = new Set()

  function check(file) {
    if (rustError) throw rustError
    const text = readFileSync(file, 'utf8')
    // The file under the name the Rust runner gave it, so that details match word for word.
    const byPath = bySource.get(file)
    let report
    try {
      report = runCase(text, byPath?.source ?? path.relative(repoRoot, file))
    } catch (e) {
      // A file without `kind: Expectations` is no case: the Rust runner skips it too.
      if (e.code === 'invalid-case' && !byPath) return 'no Expectations document'
      throw e
    }
    const theirs = byPath ?? byName.get(report.name)
    const rel = path.relative(repoRoot, file)
    assert.ok(theirs, `the Rust results hold no report for ${rel} (${report.name})`)
    seen.add(theirs)
    assert.equal(report.name, theirs.name, 'case name')
    const ours = new Map(report.results.map((r) => [r.id, r]))
    const rustItems = new Map(theirs.results.map((r) => [r.id, r]))
    assert.deepEqual([...ours.keys()], [...rustItems.keys()], 'the same item ids, in the same order')
    const sameSource = report.source === theirs.source
    for (const [id, r] of rustItems) {
      const o = ours.get(id)
      assert.equal(o.passed, r.passed, `${id}: ${host} ${o.passed ? 'passed' : 'failed'}, rust ${r.passed ? 'passed' : 'failed'}\n  ${host}: ${o.detail}\n  rust: ${r.detail}`)
      if (sameSource) assert.equal(o.detail, r.detail, `${id}: detail`)
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
    return null
  }

  const msg = `shared conformance cases not found at ${sharedDir} (set MESHVERDICT_SHARED_CASES)`
  if (!sharedPresent) {
    if (isCI) test('shared-corpus-present', () => assert.fail(msg))
    else test('shared-corpus-present', { skip: msg }, () => {})
  }

  const files = [
    ...yamlFiles(ownDir).map((f) => [`cases/${path.relative(ownDir, f)}`, f]),
    ...(sharedPresent ? yamlFiles(sharedDir).map((f) => [`shared/${path.relative(sharedDir, f)}`, f]) : []),
  ]
  test('there are cases', () => assert.ok(yamlFiles(ownDir).length > 0, `no case files in ${ownDir}`))

  for (const [label, file] of files) {
    test(label, (t) => {
      const skipped = check(file)
      if (skipped) t.skip(skipped)
    })
  }

  // Run last (tests run in order): every report of the Rust runner was matched by a case file.
  test('every Rust report has its case file here', () => {
    if (rustError) throw rustError
    const missing = rust.filter((r) => !seen.has(r)).map((r) => `${r.name} (${r.source})`)
    assert.deepEqual(missing, [])
  })
}
