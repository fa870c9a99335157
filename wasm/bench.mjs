#!/usr/bin/env node
// Verdict throughput of the WASM host (nodejs build), as one JSON line.
//
//   node wasm/bench.mjs CLUSTER.yaml QUERIES.json [--dataplane auto] [--rounds 3] [--module PATH]
//
// CLUSTER.yaml is a cluster (`meshverdict generate --out DIR` writes a large one);
// QUERIES.json a JSON list of {from, to, port, protocol}. Every measurement asks all the
// queries and reports nanoseconds per verdict, the best of --rounds rounds:
//   single_ns          cluster.verdict(q) in a loop, reading `allowed` (the flow is decided;
//                      its reasons are judged and built only when read)
//   single_summary_ns  cluster.verdict(q).summary in a loop (the reasons judged too)
//   single_explained_ns  cluster.verdict(q).explanation in a loop (the details built too)
//   single_allowed_ns  cluster.allowedMany([q]) in a loop (one crossing each, no explanation)
//   batch_ns           cluster.allowedMany(all)  (one crossing, booleans)
//   batch_brief_ns     cluster.verdicts(all)     (one crossing, { allowed, summary } each)
//   columns_out_ns     the same, each answer written into a Uint8Array made before timing (out)
//   columns_ns         cluster.allowedColumns(the same questions as columns: the distinct
//                      references, from/to/port as Uint32Arrays, made before timing; one
//                      call per protocol)
// Printed: {"host":"wasm","single_ns":…,"batch_ns":…,"batch_brief_ns":…,"columns_ns":…,…}
// --module: another build's JS entry (e.g. a nodejs build made with other size options);
// default: the package's own nodejs build (pkg/nodejs).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { asColumns } from '../scripts/bench-columns.mjs'

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: { dataplane: { type: 'string' }, rounds: { type: 'string', default: '3' }, module: { type: 'string' } },
})
if (positionals.length !== 2) {
  console.error('usage: node wasm/bench.mjs CLUSTER.yaml QUERIES.json [--dataplane auto|generic|calico|cilium] [--rounds 3] [--module PATH]')
  process.exit(2)
}
const [clusterFile, queriesFile] = positionals
const rounds = Math.max(1, Number(opts.rounds) || 3)
const require = createRequire(import.meta.url)
const { Cluster } = require(opts.module ? path.resolve(opts.module) : '@meshverdict/wasm')

const text = readFileSync(clusterFile, 'utf8')
const queries = JSON.parse(readFileSync(queriesFile, 'utf8'))
const dataplane = opts.dataplane ?? 'auto'
const n = queries.length

const t0 = process.hrtime.bigint()
const cluster = Cluster.fromYaml(text, { dataplane, name: clusterFile })
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6

function bestNsPerItem(run) {
  let best = Infinity
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint()
    run()
    best = Math.min(best, Number(process.hrtime.bigint() - start))
  }
  return Math.round((best / Math.max(n, 1)) * 10) / 10
}

// The answers must agree before anything is timed.
const batch = cluster.allowedMany(queries)
const briefs = cluster.verdicts(queries)
if (briefs.some((b, i) => b instanceof Error || b.allowed !== batch[i])) {
  console.error('allowedMany and verdicts disagree')
  process.exit(1)
}
if (queries.slice(0, 1000).some((q, i) => cluster.verdict(q).allowed !== batch[i])) {
  console.error('verdict and allowedMany disagree')
  process.exit(1)
}
const columns = asColumns(queries)
if (columns === null) console.error('a query names its port: no columns_ns (columns take port numbers)')
for (const { request, order } of columns ?? []) {
  const answers = cluster.allowedColumns(request)
  if (answers.length !== order.length || order.some((qi, k) => answers[k] !== batch[qi])) {
    console.error(`allowedColumns and allowedMany disagree (${request.protocol})`)
    process.exit(1)
  }
  const bytes = cluster.allowedColumns(request, new Uint8Array(order.length))
  if (answers.some((a, k) => bytes[k] !== (a ? 1 : 0))) {
    console.error(`allowedColumns with out and without disagree (${request.protocol})`)
    process.exit(1)
  }
}
// Each batch's answers go to a buffer made before the timing, as Python's out= does.
const outs = (columns ?? []).map(({ order }) => new Uint8Array(order.length))

let sink = 0
const out = {
  host: 'wasm',
  single_ns: bestNsPerItem(() => {
    for (const q of queries) if (cluster.verdict(q).allowed) sink++
  }),
  single_summary_ns: bestNsPerItem(() => {
    for (const q of queries) sink += cluster.verdict(q).summary.length
  }),
  single_explained_ns: bestNsPerItem(() => {
    for (const q of queries) sink += cluster.verdict(q).explanation.length
  }),
  batch_ns: bestNsPerItem(() => cluster.allowedMany(queries)),
  batch_brief_ns: bestNsPerItem(() => cluster.verdicts(queries)),
  columns_ns: columns === null ? null : bestNsPerItem(() => {
    for (const { request } of columns) cluster.allowedColumns(request)
  }),
  columns_out_ns: columns === null ? null : bestNsPerItem(() => {
    columns.forEach(({ request }, k) => cluster.allowedColumns(request, outs[k]))
  }),
  single_allowed_ns: bestNsPerItem(() => {
    for (const q of queries) cluster.allowedMany([q])
  }),
  queries: n,
  allowed: batch.filter(Boolean).length,
  load_ms: Math.round(loadMs * 10) / 10,
  dataplane: cluster.dataplane,
  node: process.versions.node,
}
cluster.free()
console.log(JSON.stringify(out))
