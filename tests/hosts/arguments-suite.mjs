// Wrong arguments in the JavaScript hosts (node/ and wasm/): a wrong type throws a
// `TypeError`, a wrong value a `RangeError`, each carrying `code` (`invalid-request`),
// `message`, `help` and `location` like every meshverdict error; what the engine refuses
// is a `MeshverdictError`. Messages name the argument and what it must be in JavaScript's
// words, identical in both hosts, and never an engine internal (a serde type, a JSON
// position, an option the user never sees).
//
//   argumentsSuite({ host, meshverdict })   meshverdict: the package's exports
import { test } from 'node:test'
import assert from 'node:assert/strict'

const SMALL = `
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {containers: [{name: c, ports: [{containerPort: 80, name: http}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x}
spec: {containers: [{name: c}]}
`

const PORT = 'must be an integer between 1 and 65535 or a port name (string), not '
const ENDPOINT = "must be an endpoint reference (string) such as 'shop/web', 'ip:10.0.0.1' or 'svc:shop/api', not "
const LEAKS = /untagged enum|PortRef|VerdictRequest|LoadRequest|line \d+ column \d+|serde|expected struct|`yaml`/

export function argumentsSuite({ host, meshverdict }) {
  const { Cluster, MeshverdictError, runCase } = meshverdict
  const cluster = () => Cluster.fromYaml(SMALL, { name: 'small.yaml' })

  function expectArgument(fn, type, message) {
    let caught
    try {
      fn()
    } catch (e) {
      caught = e
    }
    assert.ok(caught, `nothing thrown; expected ${type.name}: ${message}`)
    assert.equal(caught.constructor, type, `${caught.constructor?.name}: ${caught.message}`)
    assert.equal(caught.message, message)
    assert.equal(caught.code, 'invalid-request')
    assert.ok('help' in caught && 'location' in caught, 'the fields every meshverdict error has')
    assert.equal(caught.location, undefined)
    assert.ok(!(caught instanceof MeshverdictError), 'an argument error is no engine error')
    assert.doesNotMatch(caught.message, LEAKS)
    return caught
  }

  const q = (over) => ({ from: 'x/a', to: 'x/b', port: 80, ...over })

  const verdictCases = [
    ['port 8080.5', q({ port: 8080.5 }), RangeError, `query.port ${PORT}8080.5`],
    ['port true', q({ port: true }), TypeError, `query.port ${PORT}boolean`],
    ['port null', q({ port: null }), TypeError, `query.port ${PORT}null`],
    ['port missing', { from: 'x/a', to: 'x/b' }, TypeError, `query.port ${PORT}undefined`],
    ['port 70000', q({ port: 70000 }), RangeError, `query.port ${PORT}70000`],
    ['port -1', q({ port: -1 }), RangeError, `query.port ${PORT}-1`],
    ['port 0', q({ port: 0 }), RangeError, `query.port ${PORT}0`],
    ['port NaN', q({ port: NaN }), RangeError, `query.port ${PORT}NaN`],
    ['port bigint', q({ port: 80n }), TypeError, `query.port ${PORT}bigint`],
    ['port object', q({ port: {} }), TypeError, `query.port ${PORT}an object`],
    ['port array', q({ port: [80] }), TypeError, `query.port ${PORT}an array`],
    ["port ''", q({ port: '' }), RangeError, `query.port ${PORT}''`],
    ['from number', q({ from: 1 }), TypeError, `query.from ${ENDPOINT}number`],
    ['to undefined', { from: 'x/a', port: 80 }, TypeError, `query.to ${ENDPOINT}undefined`],
    ['protocol ICMP', q({ protocol: 'ICMP' }), RangeError, "query.protocol must be 'TCP', 'UDP' or 'SCTP' (string, any case), not 'ICMP'"],
    ['protocol 6', q({ protocol: 6 }), TypeError, "query.protocol must be 'TCP', 'UDP' or 'SCTP' (string, any case), not number"],
    ['misspelt key', q({ protocl: 'UDP' }), TypeError, "query has no property 'protocl'; it takes from, to, port, protocol"],
    ['a string', 'x/a', TypeError, 'query must be an object { from, to, port, protocol? }, not string'],
    ['undefined', undefined, TypeError, 'query must be an object { from, to, port, protocol? }, not undefined'],
  ]
  for (const [name, query, type, message] of verdictCases) {
    test(`${host}: verdict(${name}) throws ${type.name}`, () => {
      expectArgument(() => cluster().verdict(query), type, message)
    })
  }

  test(`${host}: the port's help says how to give one`, () => {
    const e = expectArgument(() => cluster().verdict(q({ port: 8080.5 })), RangeError, `query.port ${PORT}8080.5`)
    assert.match(e.help, /8080/)
    assert.match(e.help, /'http'/)
  })

  test(`${host}: a batch names the item`, () => {
    const c = cluster()
    for (const call of ['allowedMany', 'verdicts']) {
      expectArgument(() => c[call]([q(), q({ port: 1.5 })]), RangeError, `port of queries[1] ${PORT}1.5`)
      expectArgument(() => c[call]([q(), q({ from: null })]), TypeError, `from of queries[1] ${ENDPOINT}null`)
      expectArgument(() => c[call]([q(), 7]), TypeError, 'queries[1] must be an object { from, to, port, protocol? }, not number')
      expectArgument(() => c[call]([q(), q({ colour: 'red' })]), TypeError, "queries[1] has no property 'colour'; it takes from, to, port, protocol")
      expectArgument(() => c[call]('x/a'), TypeError, 'queries must be an array of queries { from, to, port, protocol? }, not string')
    }
  })

  test(`${host}: a batch crosses packed or object by object, with the same answers and errors`, () => {
    const c = cluster()
    const plain = [q(), q({ from: 'x/b', to: 'x/a' }), q({ port: 'http', to: 'x/a', from: 'x/b' }), q({ protocol: 'udp' }), q({ port: '80' })]
    const want = plain.map((x) => c.verdict(x).allowed)
    assert.deepEqual(c.allowedMany(plain), want)
    assert.deepEqual(c.verdicts(plain).map((b) => b.allowed), want)
    // A separator inside a field cannot be packed: the objects are read instead.
    const odd = [...plain, q({ from: 'x/\0a' })]
    assert.deepEqual(c.verdicts(odd).slice(0, plain.length).map((b) => b.allowed), want)
    assert.ok(c.verdicts(odd)[plain.length] instanceof MeshverdictError)
    // A class instance and a query with inherited keys go through the object path too.
    class Q { constructor() { this.from = 'x/a'; this.to = 'x/b'; this.port = 80 } }
    assert.deepEqual(c.allowedMany([new Q()]), [true])
    // Values are checked on either path, with the same message.
    expectArgument(() => c.allowedMany([q(), q({ protocol: 'icmp' })]), RangeError,
      "protocol of queries[1] must be 'TCP', 'UDP' or 'SCTP' (string, any case), not 'icmp'")
    expectArgument(() => c.allowedMany([q({ from: 'x/\0' }), q({ protocol: 'icmp' })]), RangeError,
      "protocol of queries[1] must be 'TCP', 'UDP' or 'SCTP' (string, any case), not 'icmp'")
    expectArgument(() => c.allowedMany([q(), q({ port: '' })]), RangeError, `port of queries[1] ${PORT}''`)
  })

  test(`${host}: engine errors of a batch are MeshverdictErrors that name the item`, () => {
    let caught
    try {
      cluster().allowedMany([q(), q({ to: 'x/nope' })])
    } catch (e) {
      caught = e
    }
    assert.ok(caught instanceof MeshverdictError)
    assert.equal(caught.code, 'unknown-endpoint')
    assert.match(caught.message, /^queries\[1\]: /)
  })

  test(`${host}: load options`, () => {
    expectArgument(() => Cluster.fromYaml('', { dataPlane: 'cilium' }), TypeError,
      "options has no property 'dataPlane' (did you mean dataplane?); it takes dataplane, name, limits")
    expectArgument(() => Cluster.fromYaml('', { dataplane: 'calico-ebpf' }), RangeError,
      "options.dataplane must be 'auto', 'generic', 'calico' or 'cilium' (string), not 'calico-ebpf'")
    expectArgument(() => Cluster.fromYaml('', 'cilium'), TypeError,
      'options must be an object with the properties dataplane, name and limits (each optional), not string')
    expectArgument(() => Cluster.fromYaml('', { name: 7 }), TypeError, 'options.name must be a string, not number')
    expectArgument(() => Cluster.fromYaml(42), TypeError, 'text must be YAML or JSON text (a string, or a Uint8Array in UTF-8), not number')
    expectArgument(() => Cluster.fromYaml(undefined), TypeError, 'text must be YAML or JSON text (a string, or a Uint8Array in UTF-8), not undefined')
    expectArgument(() => Cluster.fromYaml('', { limits: { max_objects: 1 } }), TypeError,
      "options.limits has no property 'max_objects' (did you mean maxObjects?); it takes maxObjects, maxDepth, maxAliasNodes")
    expectArgument(() => Cluster.fromYaml('', { limits: { maxDepth: 0 } }), RangeError, 'options.limits.maxDepth must be an integer of at least 1, not 0')
    expectArgument(() => Cluster.fromYaml('', { limits: 5 }), TypeError,
      'options.limits must be an object with the properties maxObjects, maxDepth and maxAliasNodes (each optional), not number')
    expectArgument(() => runCase(null), TypeError, 'text must be YAML or JSON text (a string, or a Uint8Array in UTF-8), not null')
  })

  test(`${host}: limits are applied`, () => {
    let caught
    try {
      Cluster.fromYaml(SMALL, { limits: { maxObjects: 1 } })
    } catch (e) {
      caught = e
    }
    assert.ok(caught instanceof MeshverdictError, String(caught))
    assert.equal(caught.code, 'limit-exceeded')
    assert.equal(Cluster.fromYaml(SMALL, { limits: { maxObjects: 2, maxDepth: 16, maxAliasNodes: 10 } }).verdict(q()).allowed, true)
  })

  test(`${host}: bytes that are not UTF-8 are a located parse error`, () => {
    const bytes = new TextEncoder().encode('kind: Pod\nmetadata: {name: x}\n')
    bytes[27] = 0xff
    let caught
    try {
      Cluster.fromYaml(bytes, { name: 'latin1.yaml' })
    } catch (e) {
      caught = e
    }
    assert.ok(caught instanceof MeshverdictError, String(caught))
    assert.equal(caught.code, 'parse-error')
    assert.deepEqual(
      { source: caught.location.source, line: caught.location.line, offset: caught.location.offset },
      { source: 'latin1.yaml', line: 2, offset: 27 },
    )
    assert.match(caught.message, /UTF-8/)
    // The same text as a string loads.
    assert.ok(Cluster.fromYaml(new TextEncoder().encode(SMALL)).verdict(q()).allowed)
  })
}
