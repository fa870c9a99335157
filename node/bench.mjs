#!/usr/bin/env node
// node bench.mjs CLUSTER.yaml QUERIES.json [--dataplane generic|calico|cilium] [--rounds 3]
//
// ns per verdict through the Node host, best of `rounds` (3):
//   single_ns       cluster.verdict(q).allowed for each query in a loop (the flow is
//                   decided; its reasons are judged only when read)
//   single_summary_ns  cluster.verdict(q).summary in a loop (the reasons judged too)
//   single_explained_ns  cluster.verdict(q).explanation in a loop
//   batch_ns        cluster.allowedMany(all queries)
//   batch_brief_ns  cluster.verdicts(all queries)   ({ allowed, summary } each)
//   columns_ns      cluster.allowedColumns(the same questions as columns: the distinct
//                   references, from/to/port as Uint32Arrays, made before timing; one
//                   call per protocol)
//   columns_out_ns  the same, each answer written into a Uint8Array made before timing (out)
// QUERIES.json is a list of { from, to, port, protocol }. Prints one JSON line on stdout
// (details on stderr).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import { asColumns } from '../scripts/bench-columns.mjs'

const require = createRequire(import.meta.url)
const { Cluster, MeshverdictError } = require('./index.js')

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dataplane: { type: 'string' }, rounds: { type: 'string', default: '3' } },
})
if (positionals.length !== 2) {
  process.stderr.write('usage: node bench.mjs CLUSTER.yaml QUERIES.json [--dataplane D] [--rounds N]\n')
  process.exit(2)
}
const [yamlFile, queriesFile] = positionals
const rounds = Math.max(1, Number.parseInt(values.rounds, 10) || 3)
const queries = JSON.parse(readFileSync(queriesFile, 'utf8'))
if (!Array.isArray(queries) || queries.length === 0) {
  process.stderr.write(`${queriesFile}: expected a non-empty JSON list of { from, to, port, protocol }\n`)
  process.exit(2)
}

const t0 = process.hrtime.bigint()
const options = values.dataplane ? { dataplane: values.dataplane, name: yamlFile } : { name: yamlFile }
const cluster = Cluster.fromYaml(readFileSync(yamlFile, 'utf8'), options)
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6

// Every query must be answerable (allowedMany stops at the first error).
const bad = cluster.verdicts(queries).map((v, i) => [i, v]).filter(([, v]) => v instanceof MeshverdictError)
if (bad.length > 0) {
  const [i, e] = bad[0]
  process.stderr.write(`${bad.length} of ${queries.length} queries cannot be answered; first: #${i} ${JSON.stringify(queries[i])}: ${e.code}: ${e.message}\n`)
  process.exit(1)
}

function best(fn) {
  let min = Infinity
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    fn()
    const ns = Number(process.hrtime.bigint() - start)
    if (ns < min) min = ns
  }
  return Math.round(min / queries.length)
}

// The columns must answer as allowedMany does before anything is timed.
const columns = asColumns(queries)
if (columns === null) {
  process.stderr.write('a query names its port: no columns_ns (columns take port numbers)\n')
} else {
  const many = cluster.allowedMany(queries)
  for (const { request, order } of columns) {
    const answers = cluster.allowedColumns(request)
    const bytes = cluster.allowedColumns(request, new Uint8Array(order.length))
    if (answers.some((a, k) => bytes[k] !== (a ? 1 : 0))) {
      process.stderr.write(`allowedColumns with out and without disagree (${request.protocol})\n`)
      process.exit(1)
    }
    const differs = order.findIndex((qi, k) => answers[k] !== many[qi])
    if (answers.length !== order.length || differs >= 0) {
      process.stderr.write(`allowedColumns and allowedMany disagree (${request.protocol}, question ${order[differs] ?? '?'})\n`)
      process.exit(1)
    }
  }
}

let sink = 0
const single = best(() => {
  for (const q of queries) if (cluster.verdict(q).allowed) sink++
})
const singleSummary = best(() => {
  for (const q of queries) sink += cluster.verdict(q).summary.length
})
const singleExplained = best(() => {
  for (const q of queries) sink += cluster.verdict(q).explanation.length
})
const batch = best(() => {
  for (const a of cluster.allowedMany(queries)) if (a) sink++
})
const brief = best(() => {
  for (const v of cluster.verdicts(queries)) if (v.allowed) sink++
})
const byColumns = columns === null ? null : best(() => {
  for (const { request } of columns) for (const a of cluster.allowedColumns(request)) if (a) sink++
})
// Each batch's answers go to a buffer made before the timing, as Python's out= does; as
// in the Python and WASM benches, the call alone is timed (not a loop over the answers).
const outs = (columns ?? []).map(({ order }) => new Uint8Array(order.length))
const byColumnsOut = columns === null ? null : best(() => {
  columns.forEach(({ request }, k) => cluster.allowedColumns(request, outs[k]))
})

process.stderr.write(
  `node ${process.version}: ${queries.length} queries, load ${loadMs.toFixed(1)} ms, best of ${rounds}; ${sink} allowed answers\n`,
)
process.stdout.write(`${JSON.stringify({ host: 'node', single_ns: single, single_summary_ns: singleSummary, single_explained_ns: singleExplained, batch_ns: batch, batch_brief_ns: brief, columns_ns: byColumns, columns_out_ns: byColumnsOut })}\n`)
