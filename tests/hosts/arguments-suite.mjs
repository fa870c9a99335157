// Wrong arguments in the JavaScript hosts (node/ and wasm/): a wrong type throws a
// `TypeError`, a wrong value a `RangeError`, each carrying `code` (`invalid-request`),
// `message`, `help` and `location` like every meshverdict error; what the engine refuses
// is a `MeshverdictError`. Messages name the argument and what it must be in JavaScript's
// words, identical in both hosts, and never an engine internal (a serde type, a JSON
// position, an option the user never sees). `allowedColumns` names an item of a column by
// its index (`from[3]`).
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

  // allowedColumns({ endpoints, from, to, port, protocol }): every wrong argument names
  // itself (an item by its index), before anything is judged.
  const INDICES = 'must be an array of integers or a typed array of integers (Uint32Array), not '
  const INDEX = 'must be an integer from 0 to 4294967295 (an index into endpoints), not '
  const PORTS = 'must be an integer between 1 and 65535, an array of them or a typed array of integers (Uint16Array, Uint32Array), not '
  const PORT_NUMBER = 'must be an integer between 1 and 65535, not '
  const COLUMNS = 'columns must be an object { endpoints, from, to, port, protocol? }, not '
  const cols = (over) => ({ endpoints: ['x/a', 'x/b'], from: [0, 1], to: [1, 0], port: 80, ...over })
  const without = (key) => {
    const c = cols()
    delete c[key]
    return c
  }
  const columnCases = [
    ['columns null', null, TypeError, `${COLUMNS}null`],
    ['columns undefined', undefined, TypeError, `${COLUMNS}undefined`],
    ['columns an array', [['x/a'], [0], [0], 80], TypeError, `${COLUMNS}an array`],
    ['columns a typed array', new Uint32Array(2), TypeError, `${COLUMNS}a typed array`],
    ['columns a string', 'x/a', TypeError, `${COLUMNS}string`],
    ['a misspelt property', cols({ From: [0, 1] }), TypeError,
      "columns has no property 'From' (did you mean from?); it takes endpoints, from, to, port, protocol"],
    ['an unknown property', cols({ ports: [80, 80] }), TypeError,
      "columns has no property 'ports'; it takes endpoints, from, to, port, protocol"],
    ['endpoints missing', without('endpoints'), TypeError, 'endpoints must be an array of endpoint references (strings), not undefined'],
    ['endpoints a string', cols({ endpoints: 'x/a' }), TypeError, 'endpoints must be an array of endpoint references (strings), not string'],
    ['endpoints[1] a number', cols({ endpoints: ['x/a', 7] }), TypeError, `endpoints[1] ${ENDPOINT}number`],
    ['endpoints[0] null', cols({ endpoints: [null, 'x/b'] }), TypeError, `endpoints[0] ${ENDPOINT}null`],
    ['from missing', without('from'), TypeError, `from ${INDICES}undefined`],
    ['from a string', cols({ from: '0,1' }), TypeError, `from ${INDICES}string`],
    ['to an object', cols({ to: { 0: 1, 1: 0 } }), TypeError, `to ${INDICES}an object`],
    ['to a number', cols({ to: 1 }), TypeError, `to ${INDICES}number`],
    ['from[1] -1', cols({ from: [0, -1] }), RangeError, `from[1] ${INDEX}-1`],
    ['from[1] 1.5 in a Float64Array', cols({ from: new Float64Array([0, 1.5]) }), RangeError, `from[1] ${INDEX}1.5`],
    ['to[1] -1 in an Int32Array', cols({ to: new Int32Array([1, -1]) }), RangeError, `to[1] ${INDEX}-1`],
    ['to[0] 2**32', cols({ to: [2 ** 32, 0] }), RangeError, `to[0] ${INDEX}4294967296`],
    ['from[0] NaN', cols({ from: [NaN, 1] }), RangeError, `from[0] ${INDEX}NaN`],
    ['from[0] Infinity', cols({ from: [Infinity, 1] }), RangeError, `from[0] ${INDEX}Infinity`],
    ['from[1] a string', cols({ from: [0, '1'] }), TypeError, `from[1] ${INDEX}string`],
    ['from[0] null', cols({ from: [null, 1] }), TypeError, `from[0] ${INDEX}null`],
    ['from[0] a hole', cols({ from: [, 1] }), TypeError, `from[0] ${INDEX}undefined`],
    ['from[0] a bigint in a BigUint64Array', cols({ from: new BigUint64Array([0n, 1n]) }), TypeError, `from[0] ${INDEX}bigint`],
    ['to[1] past endpoints', cols({ to: [1, 2] }), RangeError, 'to[1] is 2, but endpoints has 2 items (indices 0 to 1)'],
    ['to shorter than from', cols({ to: new Uint32Array([1]) }), RangeError,
      'to has 1 item, but from has 2: question i is from[i] → to[i] on port[i]'],
    ['a port column shorter than from', cols({ port: new Uint16Array([80]) }), RangeError,
      'port has 1 item, but from has 2: question i is from[i] → to[i] on port[i]'],
    ['port missing', without('port'), TypeError, `port ${PORTS}undefined`],
    ['port null', cols({ port: null }), TypeError, `port ${PORTS}null`],
    ["port 'http'", cols({ port: 'http' }), TypeError, `port ${PORTS}string`],
    ['port 80n', cols({ port: 80n }), TypeError, `port ${PORTS}bigint`],
    ['port 0', cols({ port: 0 }), RangeError, `port ${PORT_NUMBER}0`],
    ['port 70000', cols({ port: 70000 }), RangeError, `port ${PORT_NUMBER}70000`],
    ['port 80.5', cols({ port: 80.5 }), RangeError, `port ${PORT_NUMBER}80.5`],
    ['port -1', cols({ port: -1 }), RangeError, `port ${PORT_NUMBER}-1`],
    ['port NaN', cols({ port: NaN }), RangeError, `port ${PORT_NUMBER}NaN`],
    ['port[1] 70000', cols({ port: [80, 70000] }), RangeError, `port[1] ${PORT_NUMBER}70000`],
    ['port[1] 0 in a Uint32Array', cols({ port: new Uint32Array([80, 0]) }), RangeError, `port[1] ${PORT_NUMBER}0`],
    ['port[0] 8.5', cols({ port: [8.5, 80] }), RangeError, `port[0] ${PORT_NUMBER}8.5`],
    ['port[0] -80 in an Int16Array', cols({ port: new Int16Array([-80, 80]) }), RangeError, `port[0] ${PORT_NUMBER}-80`],
    ["port[1] '80'", cols({ port: [80, '80'] }), TypeError, `port[1] ${PORT_NUMBER}string`],
    ['protocol ICMP', cols({ protocol: 'ICMP' }), RangeError, "protocol must be 'TCP', 'UDP' or 'SCTP' (string, any case), not 'ICMP'"],
    ['protocol 6', cols({ protocol: 6 }), TypeError, "protocol must be 'TCP', 'UDP' or 'SCTP' (string, any case), not number"],
  ]
  for (const [name, columns, type, message] of columnCases) {
    test(`${host}: allowedColumns(${name}) throws ${type.name}`, () => {
      expectArgument(() => cluster().allowedColumns(columns), type, message)
    })
  }

  test(`${host}: allowedColumns: a wrong argument wins over an engine error`, () => {
    const c = cluster()
    // x/nope is unknown to the engine, but nothing is judged before every argument is checked.
    const base = { endpoints: ['x/nope', 'x/a'], from: [0, 1], to: [1, 0], port: 80 }
    expectArgument(() => c.allowedColumns({ ...base, to: [1, 2] }), RangeError, 'to[1] is 2, but endpoints has 2 items (indices 0 to 1)')
    expectArgument(() => c.allowedColumns({ ...base, port: [80, 0] }), RangeError, `port[1] ${PORT_NUMBER}0`)
    expectArgument(() => c.allowedColumns({ ...base, protocol: 'icmp' }), RangeError,
      "protocol must be 'TCP', 'UDP' or 'SCTP' (string, any case), not 'icmp'")
    assert.throws(() => c.allowedColumns(base), (e) => e instanceof MeshverdictError && e.code === 'unknown-endpoint')
    // The well-formed columns of the cases above answer.
    assert.deepEqual(c.allowedColumns(cols()), [true, true])
    assert.deepEqual(c.allowedColumns(cols({ protocol: null })), [true, true])
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
