#!/usr/bin/env node
// node bench.mjs CLUSTER.yaml QUERIES.json [--dataplane generic|calico|cilium] [--rounds 3]
//
// ns per verdict through the Node host, best of `rounds` (3):
//   single_ns       cluster.verdict(q) called for each query in a loop
//   batch_ns        cluster.allowedMany(all queries)
//   batch_brief_ns  cluster.verdicts(all queries)   ({ allowed, summary } each)
//   columns_ns      cluster.allowedColumns(the same questions as columns: the distinct
//                   references, from/to/port as Uint32Arrays, made before timing; one
//                   call per protocol)
// QUERIES.json is a list of { from, to, port, protocol }. Prints one JSON line on stdout
// (details on stderr).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'

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

/**
 * The queries as columns for `allowedColumns`, one batch per protocol (the generated
 * queries are all TCP; the batches' times are summed): `endpoints` the distinct references
 * in first-seen order, `from` and `to` Uint32Arrays of indices into them, `port` a
 * Uint32Array; `order` the index of each question in `queries`. Null when a port is a
 * name (columns take port numbers).
 */
function asColumns(queries) {
  const byProtocol = new Map()
  for (let i = 0; i < queries.length; i++) {
    const q = queries[i]
    if (typeof q.port !== 'number') return null
    const protocol = (q.protocol ?? 'TCP').toUpperCase()
    let g = byProtocol.get(protocol)
    if (!g) byProtocol.set(protocol, (g = { protocol, endpoints: [], index: new Map(), from: [], to: [], port: [], order: [] }))
    for (const [ref, column] of [[q.from, g.from], [q.to, g.to]]) {
      let at = g.index.get(ref)
      if (at === undefined) {
        at = g.endpoints.length
        g.index.set(ref, at)
        g.endpoints.push(ref)
      }
      column.push(at)
    }
    g.port.push(q.port)
    g.order.push(i)
  }
  return [...byProtocol.values()].map((g) => ({
    request: { endpoints: g.endpoints, from: Uint32Array.from(g.from), to: Uint32Array.from(g.to), port: Uint32Array.from(g.port), protocol: g.protocol },
    order: g.order,
  }))
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
const batch = best(() => {
  for (const a of cluster.allowedMany(queries)) if (a) sink++
})
const brief = best(() => {
  for (const v of cluster.verdicts(queries)) if (v.allowed) sink++
})
const byColumns = columns === null ? null : best(() => {
  for (const { request } of columns) for (const a of cluster.allowedColumns(request)) if (a) sink++
})

process.stderr.write(
  `node ${process.version}: ${queries.length} queries, load ${loadMs.toFixed(1)} ms, best of ${rounds}; ${sink} allowed answers\n`,
)
process.stdout.write(`${JSON.stringify({ host: 'node', single_ns: single, batch_ns: batch, batch_brief_ns: brief, columns_ns: byColumns })}\n`)
