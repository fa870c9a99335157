// allowedColumns in the JavaScript hosts (node/ and wasm/): questions as columns answer
// exactly what allowedMany answers for the same questions, from every kind of column, and
// fail with the same MeshverdictError, naming the question. (Wrong arguments are in
// arguments-suite.mjs.)
//
//   columnsSuite({ host, meshverdict, load, shop, done })
//     load(rel)   the cluster of a bundled example folder (`examples/…`), as the CLI reads it
//     shop()      a cluster where shop/web may reach shop/api on TCP 8080 only
//     done(c)     what the host does with a cluster it no longer needs
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { throwing } from './throws.mjs'

// Two bundled examples: in the first, about half the pairs are allowed; in the second, a
// Job may reach shop/orders on 8080 only, so that the port of each question matters.
const EXAMPLES = ['examples/linkerd-netpol-broken', 'examples/linkerd-2.18-port-change']
const COLUMN_PORTS = [80, 8080, 4143, 8086]
const COLUMN_KINDS = {
  Uint32Array: (a) => Uint32Array.from(a),
  Int32Array: (a) => Int32Array.from(a),
  Float64Array: (a) => Float64Array.from(a),
  array: (a) => [...a],
}

/**
 * Every pair of the example's Pods and workloads as columns. Its Services stay in
 * `endpoints` unasked (a Service is only a destination, on its own ports): a reference no
 * question names is never judged.
 */
function everyPair(c) {
  const endpoints = c.endpoints().map((e) => e.reference)
  const asked = endpoints.flatMap((e, i) => (e.startsWith('svc:') ? [] : [i]))
  assert.ok(asked.length < endpoints.length, 'the example has a Service')
  const from = []
  const to = []
  for (const i of asked) {
    for (const j of asked) {
      from.push(i)
      to.push(j)
    }
  }
  return { endpoints, from, to }
}

/** The same questions as objects, for allowedMany. */
function asQueries({ endpoints, from, to, port, protocol }) {
  return from.map((f, i) => ({ from: endpoints[f], to: endpoints[to[i]], port: typeof port === 'number' ? port : port[i], protocol }))
}

export function columnsSuite({ host, meshverdict, load, shop, done }) {
  const { MeshverdictError } = meshverdict

  const { throwsCode, throwsArgument } = throwing(MeshverdictError)

  test(`${host}: allowedColumns: the answers of allowedMany over every pair of the examples, from every kind of column`, () => {
    let allowed = 0
    let denied = 0
    let portMatters = false
    for (const rel of EXAMPLES) {
      const c = load(rel)
      const { endpoints, from, to } = everyPair(c)
      assert.ok(from.length >= 25, `${rel}: ${endpoints.length} endpoints, ${from.length} questions`)
      for (const port of COLUMN_PORTS) {
        const want = c.allowedMany(asQueries({ endpoints, from, to, port }))
        allowed += want.filter((a) => a).length
        denied += want.filter((a) => !a).length
        for (const [kind, column] of Object.entries(COLUMN_KINDS)) {
          const got = c.allowedColumns({ endpoints, from: column(from), to: column(to), port })
          assert.ok(Array.isArray(got), kind)
          assert.deepEqual(got, want, `${rel}: from and to as ${kind}, port ${port}`)
        }
      }
      // Each pair on each port: the port as a column.
      const all = { endpoints, from: [], to: [], port: [] }
      for (const port of COLUMN_PORTS) {
        all.from.push(...from)
        all.to.push(...to)
        for (let i = 0; i < from.length; i++) all.port.push(port)
      }
      const want = c.allowedMany(asQueries(all))
      const onFirstPort = c.allowedMany(asQueries({ ...all, port: COLUMN_PORTS[0] }))
      portMatters ||= want.some((a, i) => a !== onFirstPort[i])
      for (const [kind, column] of [...Object.entries(COLUMN_KINDS), ['Uint16Array', (a) => Uint16Array.from(a)]]) {
        const got = c.allowedColumns({ endpoints, from: Uint32Array.from(all.from), to: Uint32Array.from(all.to), port: column(all.port) })
        assert.deepEqual(got, want, `${rel}: port as ${kind}`)
      }
      done(c)
    }
    assert.ok(allowed > 0 && denied > 0, `${allowed} allowed, ${denied} denied: the examples must have both`)
    assert.ok(portMatters, 'a question of the examples must have another answer on another port')
  })

  test(`${host}: allowedColumns: one protocol for every question, TCP by default, in any case`, () => {
    const c = shop()
    const columns = { endpoints: ['shop/web', 'shop/api'], from: [0, 1], to: [1, 0], port: 8080 }
    const asked = (protocol) => [
      { from: 'shop/web', to: 'shop/api', port: 8080, protocol },
      { from: 'shop/api', to: 'shop/web', port: 8080, protocol },
    ]
    const tcp = c.allowedColumns(columns)
    assert.deepEqual(tcp, c.allowedMany(asked('TCP')))
    assert.equal(tcp[0], true)
    for (const protocol of ['TCP', 'tcp', undefined, null]) assert.deepEqual(c.allowedColumns({ ...columns, protocol }), tcp, String(protocol))
    for (const protocol of ['UDP', 'udp', 'Udp']) {
      const udp = c.allowedColumns({ ...columns, protocol })
      assert.deepEqual(udp, c.allowedMany(asked('UDP')), protocol)
      assert.equal(udp[0], false, 'the policy admits shop/web on TCP only')
    }
    done(c)
  })

  test(`${host}: allowedColumns: an empty batch is no error`, () => {
    const c = shop()
    assert.deepEqual(c.allowedColumns({ endpoints: [], from: [], to: [], port: 80 }), [])
    assert.deepEqual(c.allowedColumns({ endpoints: ['shop/web'], from: new Uint32Array(0), to: new Uint32Array(0), port: new Uint16Array(0) }), [])
    done(c)
  })

  test(`${host}: allowedColumns: an engine error is the MeshverdictError allowedMany throws, naming the question`, () => {
    const c = shop()
    const endpoints = ['shop/web', 'shop/api', 'shop/ghost', 'shop/phantom']
    // Questions 2 and 3 name unknown references: the first of them fails the batch.
    const e = throwsCode(() => c.allowedColumns({ endpoints, from: [0, 1, 2, 3], to: [1, 0, 1, 1], port: 8080 }), 'unknown-endpoint')
    assert.ok(e.message.startsWith('from[2] → to[2]: '), e.message)
    const many = throwsCode(() => c.allowedMany([{ from: 'shop/ghost', to: 'shop/api', port: 8080 }]), 'unknown-endpoint')
    assert.ok(many.message.startsWith('queries[0]: '), many.message)
    assert.equal(e.message.slice('from[2] → to[2]: '.length), many.message.slice('queries[0]: '.length))
    assert.equal(e.help, many.help)
    assert.equal(e.constructor, many.constructor)
    // As a destination, on a port column.
    const dest = throwsCode(() => c.allowedColumns({ endpoints, from: [0, 0], to: [1, 3], port: new Uint16Array([8080, 8080]) }), 'unknown-endpoint')
    assert.ok(dest.message.startsWith('from[1] → to[1]: shop/phantom'), dest.message)
    // The same columns without the unknown references answer.
    assert.deepEqual(c.allowedColumns({ endpoints, from: [0, 1], to: [1, 0], port: 8080 }), c.allowedMany([
      { from: 'shop/web', to: 'shop/api', port: 8080 },
      { from: 'shop/api', to: 'shop/web', port: 8080 },
    ]))
    done(c)
  })

  test(`${host}: allowedColumns: a reference is read as it is given, whatever characters it holds`, () => {
    // References may cross joined into one text; one holding the separator (a newline)
    // or other odd characters is still the reference given, and fails as allowedMany
    // fails on it.
    const c = shop()
    for (const odd of ['shop/web\nshop/api', 'shop/api\n', '\n', '', 'shop/web\r', 'shop/\u00e9t\u00e9 \u{1F600}']) {
      const endpoints = ['shop/web', odd, 'shop/api']
      const e = throwsCode(() => c.allowedColumns({ endpoints, from: [0, 1], to: [2, 0], port: 8080 }), errorCode(c, odd))
      const many = throwsCode(() => c.allowedMany([{ from: odd, to: 'shop/web', port: 8080 }]), e.code)
      assert.equal(e.message.slice('from[1] → to[1]: '.length), many.message.slice('queries[0]: '.length), JSON.stringify(odd))
      // Unasked, it is never judged; the references after it keep their indices.
      const want = c.allowedMany([{ from: 'shop/web', to: 'shop/api', port: 8080 }, { from: 'shop/api', to: 'shop/web', port: 8080 }])
      assert.deepEqual(c.allowedColumns({ endpoints, from: [0, 2], to: [2, 0], port: 8080 }), want, JSON.stringify(odd))
    }
    done(c)
  })

  /** The code of the error allowedMany throws for a question from `reference`. */
  function errorCode(c, reference) {
    try {
      c.allowedMany([{ from: reference, to: 'shop/web', port: 8080 }])
    } catch (e) {
      return e.code
    }
    assert.fail(`${JSON.stringify(reference)} was answered`)
  }

  test(`${host}: allowedColumns: with out, the answers are written into the caller's Uint8Array`, () => {
    const c = load(EXAMPLES[0])
    const { endpoints, from, to } = everyPair(c)
    const columns = { endpoints, from: Uint32Array.from(from), to: Uint32Array.from(to), port: 80 }
    const want = c.allowedColumns(columns)
    assert.ok(want.includes(true) && want.includes(false))
    for (const out of [new Uint8Array(from.length), Buffer.alloc(from.length, 9)]) {
      const got = c.allowedColumns(columns, out)
      assert.equal(got, out, 'out itself is returned')
      assert.deepEqual([...got], want.map((a) => (a ? 1 : 0)))
    }
    // Undefined is no out: the answers are booleans.
    assert.deepEqual(c.allowedColumns(columns, undefined), want)
    done(c)
  })

  test(`${host}: allowedColumns: a wrong out is refused before anything is judged, and a failing question leaves it as it was`, () => {
    const c = shop()
    const columns = { endpoints: ['shop/web', 'shop/api'], from: [0, 1], to: [1, 0], port: 8080 }
    for (const [out, type] of [[[0, 0], 'an array'], [new Uint32Array(2), 'a typed array'], [null, 'null'], [2, 'number'], [{ length: 2 }, 'an object']]) {
      const e = throwsArgument(() => c.allowedColumns(columns, out), TypeError)
      assert.equal(e.message, `out must be a Uint8Array (one byte per question), not ${type}`)
    }
    for (const n of [0, 1, 3]) {
      const e = throwsArgument(() => c.allowedColumns(columns, new Uint8Array(n)), RangeError)
      assert.equal(e.message, `out has ${n === 1 ? '1 item' : `${n} items`}, but from has 2: the answer to question i goes to out[i]`)
    }
    // The columns are checked before out's length, which they give.
    const wrong = throwsArgument(() => c.allowedColumns({ ...columns, to: [1] }, new Uint8Array(5)), RangeError)
    assert.doesNotMatch(wrong.message, /^out /)
    // An unknown reference fails the batch and writes nothing.
    const out = new Uint8Array([7, 7, 7])
    throwsCode(() => c.allowedColumns({ endpoints: ['shop/web', 'shop/api', 'shop/ghost'], from: [0, 1, 2], to: [1, 0, 0], port: 8080 }, out), 'unknown-endpoint')
    assert.deepEqual([...out], [7, 7, 7])
    done(c)
  })
}
