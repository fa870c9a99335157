// cluster.verdict in the JavaScript hosts (node/ and wasm/): the flow is decided at once,
// the rest of the answer judged when first read, and the answer reads as one plain object
// whatever is read first. (What a freed WASM cluster does is in wasm/test/api.test.mjs.)
//
//   verdictSuite({ host, meshverdict, load, shop, done })
//     load(rel)   the cluster of a bundled example folder (`examples/…`), as the CLI reads it
//     shop()      a cluster where shop/web may reach shop/api on TCP 8080 only
//     done(c)     what the host does with a cluster it no longer needs
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { throwing } from './throws.mjs'

const KEYS = ['allowed', 'from', 'to', 'port', 'protocol', 'wirePort', 'egress', 'ingress', 'mesh', 'backends', 'members', 'dataplane', 'warnings', 'summary', 'explanation']

export function verdictSuite({ host, meshverdict, load, shop, done }) {
  const { throwsCode } = throwing(meshverdict.MeshverdictError)
  const q1 = { from: 'shop/web', to: 'shop/api', port: 8080 }
  const q2 = { from: 'shop/web', to: 'shop/api', port: 9090 }

  test(`${host}: verdict: every way of reading it first sees the same plain object`, () => {
    const c = shop()
    const want1 = JSON.parse(JSON.stringify(c.verdict(q1)))
    const want2 = JSON.parse(JSON.stringify(c.verdict(q2)))
    assert.deepEqual(Object.keys(want1), ['allowed', 'from', 'to', 'port', 'protocol', 'egress', 'ingress', 'dataplane', 'summary', 'explanation'])
    assert.equal(want1.allowed, true)
    assert.equal(want2.allowed, false)
    assert.match(want1.explanation, /^ALLOWED/)
    const firsts = {
      allowed: (v) => v.allowed,
      protocol: (v) => v.protocol,
      port: (v) => v.port,
      summary: (v) => v.summary,
      explanation: (v) => v.explanation,
      'in (absent key)': (v) => 'mesh' in v,
      'in (present key)': (v) => 'egress' in v,
      'Object.keys': (v) => Object.keys(v),
      spread: (v) => ({ ...v }),
      'JSON.stringify': (v) => JSON.stringify(v),
      'util.inspect': (v) => inspect(v),
      getOwnPropertyDescriptor: (v) => Object.getOwnPropertyDescriptor(v, 'summary'),
      'Object.entries': (v) => Object.entries(v),
      'a write': (v) => { v.note = 'mine' },
    }
    for (const [name, first] of Object.entries(firsts)) {
      for (const [q, want] of [[q1, want1], [q2, want2]]) {
        const v = c.verdict(q)
        first(v)
        const wanted = name === 'a write' ? { ...want, note: 'mine' } : want
        assert.deepEqual(Object.keys(v), Object.keys(wanted), `${name} first`)
        assert.deepEqual({ ...v }, wanted, `${name} first`)
        assert.equal(Object.getPrototypeOf(v), Object.prototype, `${name} first: a plain object`)
        assert.equal(Object.getOwnPropertySymbols(v).length, 0, `${name} first: nothing of the pending state shows`)
      }
    }
    // Before anything else is read: `allowed`, `protocol`, an unknown key, no symbols.
    const v = c.verdict(q2)
    assert.equal(v.allowed, false)
    assert.equal(v.protocol, 'TCP')
    assert.equal(v.colour, undefined)
    assert.equal('colour' in v, false)
    assert.equal(Object.getOwnPropertySymbols(v).length, 0)
    assert.equal(v.summary, want2.summary)
    done(c)
  })

  test(`${host}: verdict: the question is copied when asked, and any order of reading is the same`, () => {
    const c = shop()
    const want1 = JSON.parse(JSON.stringify(c.verdict(q1)))
    const want2 = JSON.parse(JSON.stringify(c.verdict(q2)))
    const asked = { ...q2 }
    const v = c.verdict(asked)
    asked.port = 8080
    asked.to = 'shop/nope'
    assert.equal(v.port, 9090)
    assert.equal(v.explanation, want2.explanation)
    const a = c.verdict(q1)
    const b = c.verdict({ ...q2, protocol: 'tcp' })
    assert.deepEqual(b, want2)
    assert.deepEqual(a, want1)
    // A named port and a lower-case protocol: the port is the number the name stands for.
    const named = c.verdict({ from: 'shop/web', to: 'shop/api', port: 'http', protocol: 'tcp' })
    assert.equal(named.protocol, 'TCP')
    assert.equal(named.allowed, true)
    assert.equal(named.port, 8080)
    const udp = c.verdict({ ...q1, protocol: 'udp' })
    assert.equal(udp.protocol, 'UDP')
    assert.equal(udp.allowed, false)
    assert.equal(udp.summary.startsWith('denied'), true)
    done(c)
  })

  test(`${host}: verdict: what cannot be decided throws when asked, not when read`, () => {
    const c = shop()
    throwsCode(() => c.verdict({ from: 'shop/ghost', to: 'shop/api', port: 80 }), 'unknown-endpoint')
    throwsCode(() => c.verdict({ from: 'shop/web', to: 'shop/api', port: 'grpc' }), 'invalid-request')
    throwsCode(() => c.verdict({ from: 'shop/web', to: 'svc:shop/nope', port: 80 }), 'unknown-endpoint')
    // A field holding the character a host packs questions with is read as given.
    const e = throwsCode(() => c.verdict({ from: 'shop/web\0x', to: 'shop/api', port: 8080 }), 'unknown-endpoint')
    assert.ok(e.message.includes('shop/web\0x'), e.message)
    const v = c.verdict({ from: 'shop/web', to: 'shop/api', port: 8080, protocol: null })
    assert.equal(v.allowed, true)
    assert.equal(v.protocol, 'TCP')
    assert.equal(v.port, 8080)
    done(c)
  })

  test(`${host}: verdict: on the bundled examples, every pair's decision and summary are what verdicts() answers`, () => {
    const seen = { asked: 0, allowed: 0, mesh: 0, wirePort: 0, backends: 0, warnings: 0 }
    for (const example of ['examples/linkerd-2.18-port-change', 'examples/linkerd-netpol-broken']) {
      const c = load(example)
      const refs = c.endpoints().map((e) => e.reference)
      const questions = []
      for (const from of refs.filter((r) => !r.startsWith('svc:'))) {
        for (const to of refs) for (const port of [80, 8080, 4143, 8086]) questions.push({ from, to, port })
      }
      const briefs = c.verdicts(questions)
      questions.forEach((q, i) => {
        const brief = briefs[i]
        const what = `${example}: ${q.from} → ${q.to}:${q.port}`
        if (brief instanceof Error) {
          throwsCode(() => c.verdict(q), brief.code)
          return
        }
        seen.asked++
        const v = c.verdict(q)
        assert.equal(v.allowed, brief.allowed, what)
        assert.equal(v.summary, brief.summary, what)
        const keys = Object.keys(v)
        assert.deepEqual(keys, KEYS.filter((k) => keys.includes(k)), `${what}: the keys in the order of the answer`)
        for (const k of KEYS) assert.equal(k in c.verdict(q), keys.includes(k), `${what}: ${k} in the verdict, read first`)
        seen.allowed += v.allowed ? 1 : 0
        for (const k of ['mesh', 'wirePort', 'backends', 'warnings']) seen[k] += k in v ? 1 : 0
      })
      done(c)
    }
    // Both answers and every optional key, or the loop proved little.
    assert.ok(seen.asked > 100 && seen.allowed > 0 && seen.allowed < seen.asked, JSON.stringify(seen))
    for (const k of ['mesh', 'wirePort', 'backends', 'warnings']) assert.ok(seen[k] > 0, `${k}: ${JSON.stringify(seen)}`)
  })
}
