// The host benchmark's questions as columns, for the two JavaScript hosts' benches
// (node/bench.mjs, wasm/bench.mjs).
/**
 * The queries as columns for `allowedColumns`, one batch per protocol (the generated
 * queries are all TCP; the batches' times are summed): `endpoints` the distinct references
 * in first-seen order, `from` and `to` Uint32Arrays of indices into them, `port` a
 * Uint32Array; `order` the index of each question in `queries`. Null when a port is a
 * name (columns take port numbers).
 */
export function asColumns(queries) {
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
