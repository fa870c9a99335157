// Hosts agree on generated inputs (node/ and wasm/): the clusters and questions that
// core/examples/sample.rs generates (the property tests' generators, fixed seed), with the
// Rust engine's answers, replayed through a JavaScript host: every answer (allowed, each
// layer, the mesh's decision, or the error code) and every batch must be Rust's.
//
//   samplesSuite({ host, meshverdict })
//
//   MESHVERDICT_SAMPLES  the file (default <repo>/target/samples.json, which the hosts'
//                        test.sh write with `cargo run --release -p meshverdict --example
//                        sample`); missing: a failure when CI=true, else skipped
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { isCI, repoRoot } from './corpus.mjs'

export function samplesFile() {
  return process.env.MESHVERDICT_SAMPLES ? path.resolve(process.env.MESHVERDICT_SAMPLES) : path.join(repoRoot, 'target', 'samples.json')
}

export function samplesSuite({ host, meshverdict }) {
  const { Cluster } = meshverdict
  const file = samplesFile()
  if (!existsSync(file)) {
    const msg = `no samples at ${file} (cargo run --release -p meshverdict --example sample -- 20 ${file})`
    if (isCI) test(`${host}: samples present`, () => assert.fail(msg))
    else test(`${host}: samples present`, { skip: msg }, () => {})
    return
  }
  const doc = JSON.parse(readFileSync(file, 'utf8'))
  test(`${host}: samples format`, () => assert.equal(doc.format, 'meshverdict-samples/v1'))

  const ours = (cluster, q) => {
    try {
      const v = cluster.verdict(q)
      return { type: 'success', allowed: v.allowed, egress: v.egress.allowed, ingress: v.ingress.allowed, mesh: v.mesh ? v.mesh.allowed : null }
    } catch (e) {
      return { type: 'failure', code: e.code }
    }
  }

  for (const sample of doc.clusters) {
    test(`${host}: ${sample.name}: every answer is Rust's`, () => {
      const text = sample.inputs.map((i) => i.text).join('\n---\n')
      const cluster = Cluster.fromYaml(text, { dataplane: sample.dataplane, name: sample.inputs[0]?.name ?? sample.name })
      assert.equal(cluster.dataplane, sample.dataplane)
      const problems = []
      const answered = []
      sample.questions.forEach(({ query, answer }, i) => {
        const got = ours(cluster, query)
        try {
          assert.deepEqual(got, answer)
        } catch {
          problems.push(`#${i} ${JSON.stringify(query)}: ${host} ${JSON.stringify(got)}, Rust ${JSON.stringify(answer)}`)
        }
        if (answer.type === 'success') answered.push([query, answer.allowed])
      })
      assert.deepEqual(problems, [], problems.join('\n'))
      const queries = answered.map(([q]) => q)
      assert.deepEqual(cluster.allowedMany(queries), answered.map(([, a]) => a))
      assert.deepEqual(cluster.verdicts(queries).map((b) => b.allowed), answered.map(([, a]) => a))
      cluster.free?.()
    })
  }
}
