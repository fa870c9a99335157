'use strict'
// meshverdict for Node: a thin wrapper over the native addon (src/lib.rs, loaded by
// loader.js for this platform).
//
// The addon reads and checks the arguments itself (with the messages every meshverdict
// host shares) and returns failures as data, `{ kind, error }`; this file throws them: a
// wrong type as a `TypeError`, a wrong value as a `RangeError`, anything the engine says
// as a `MeshverdictError`, each with the same `code`, `message`, `help` and `location`.
// Verdict batches cross as arrays of objects (or, `allowedColumns`, as columns of
// integers in Uint32Arrays) and come back as one Uint8Array. No verdict logic lives here.

const fs = require('node:fs')
const path = require('node:path')
const { fileURLToPath } = require('node:url')
const native = require('./loader.js').load()

/** An error of meshverdict, as every host reports it: `code`, `message`, `help`, `location`. */
class MeshverdictError extends Error {
  constructor(error, warnings) {
    const e = error && typeof error === 'object' ? error : { code: 'internal', message: String(error) }
    super(e.message)
    this.name = 'MeshverdictError'
    /** The stable meshverdict error code, e.g. `unknown-endpoint`. */
    this.code = e.code
    this.help = e.help
    this.location = e.location
    this.warnings = Array.isArray(warnings) ? warnings : []
  }

  /** The error as data, the way `errors()` returns them. */
  toJSON() {
    const out = { code: this.code, message: this.message }
    if (this.help !== undefined) out.help = this.help
    if (this.location !== undefined) out.location = this.location
    return out
  }
}

/** A failure of the addon as the error to throw. */
function toError(failure) {
  const info = JSON.parse(failure.error)
  if (failure.kind === 'engine') return new MeshverdictError(info)
  const e = failure.kind === 'type' ? new TypeError(info.message) : new RangeError(info.message)
  e.code = info.code
  e.help = info.help
  e.location = info.location
  return e
}

function isFailure(x) {
  return x !== null && typeof x === 'object' && typeof x.kind === 'string' && typeof x.error === 'string'
}

/** The value of an addon call, or its failure thrown. */
function settle(out) {
  if (isFailure(out)) throw toError(out)
  return out
}

/** The result of a JSON answer (`{ type, result | error }`), or its error thrown: a
 * request of the wrong shape (`problem: 'type'`) as a TypeError, a wrong value in it
 * (`problem: 'value'`) as a RangeError, anything else as a MeshverdictError. */
function unwrap(text) {
  const answer = JSON.parse(text)
  if (answer.type === 'success') return answer.result
  if (answer.problem === 'type' || answer.problem === 'value') {
    throw toError({ kind: answer.problem === 'type' ? 'type' : 'range', error: JSON.stringify(answer.error) })
  }
  throw new MeshverdictError(answer.error, answer.warnings)
}

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** Bytes as text; bytes that are not UTF-8 throw the located parse-error of loading them. */
function utf8(bytes, name) {
  try {
    return UTF8.decode(bytes)
  } catch {
    settle(native.load(bytes, { name }))
    throw new MeshverdictError({ code: 'parse-error', message: `${name}: not UTF-8` })
  }
}

/** Manifests of a request (`diff`'s other tree) in the engine's form: `{ yaml, name? }` or
 * `{ files: [{ name, yaml }] }`. Text, bytes, a `file:` URL (a file or a folder, read as
 * `fromPath` reads it), an array of `{ name, yaml }`, or that form itself; anything else
 * goes as it is, and the engine says what is wrong with it. */
function manifestsOf(value, argument) {
  if (typeof value === 'string') return { yaml: value }
  if (value instanceof Uint8Array) return { yaml: utf8(value, argument) }
  if (value instanceof URL) {
    const where = fileURLToPath(value)
    const st = fs.statSync(where, { throwIfNoEntry: false })
    if (!st) throw new MeshverdictError({ code: 'invalid-request', message: `${where}: no such file or folder` })
    if (!st.isDirectory()) return { yaml: utf8(fs.readFileSync(where), where), name: where }
    const { names, texts, skipped } = readFolder(where)
    if (names.length === 0) throw toError(native.Folder.nothingToLoad(where, skipped.map((s) => [s.path, s.kind])))
    return { files: names.map((name, i) => ({ name, yaml: utf8(texts[i], name) })) }
  }
  if (Array.isArray(value)) {
    return { files: value.map((f) => (f && typeof f === 'object' && f.yaml instanceof Uint8Array ? { ...f, yaml: utf8(f.yaml, String(f.name)) } : f)) }
  }
  if (value && typeof value === 'object' && value.yaml instanceof Uint8Array) {
    return { ...value, yaml: utf8(value.yaml, value.name ?? argument) }
  }
  return value
}

const QUERY_KEYS = ['from', 'to', 'port', 'protocol']

// A misspelt key (`protocl`) must not pass for a TCP question. Checked here, where it
// costs nanoseconds, rather than by listing every object's keys through the addon.
function checkKeys(q, argument) {
  if (q === null || typeof q !== 'object') return
  for (const k in q) {
    if (k !== 'from' && k !== 'to' && k !== 'port' && k !== 'protocol') {
      throw toError(native.unknownKey(argument, k, QUERY_KEYS))
    }
  }
}

// ------------------------------------------------------------------ lazy verdicts
//
// `cluster.verdict(q)` decides the flow at once, but judges its reasons only when one of
// them is first read: they cost four to five times the decision, and many callers read
// only `allowed`. The port and the summary cross alone when one of them is read first;
// the rest of the answer (the endpoints, every layer with its policies and rules, the
// explanation) is built when one of those is read. A cluster does not change once
// loaded, so the later judgement is the one an eager verdict would hold. The verdict is
// a Proxy over a plain object (prototype `Object.prototype`): reading a detail, `in`,
// `Object.keys`, spreading and `JSON.stringify` see every key of the answer, in the
// order of the CLI's `-o json`; the first of them (or any write) replaces the object's
// content with the whole answer, after which the Proxy only forwards. `console.log`
// shows the whole answer too. The twin of `js/host.js` in the WASM package (the two
// packages ship apart; tests/hosts/verdict-suite.mjs holds both to one behaviour);
// there, a freed cluster is handled too.

/** The protocols in the order of the addon's `decide`. */
const PROTOCOLS = ['TCP', 'UDP', 'SCTP']

/** The keys built on demand: every key of a verdict (`VerdictResult`) but `allowed` and
 * `protocol`. */
const DETAIL_KEYS = new Set(['from', 'to', 'port', 'wirePort', 'egress', 'ingress', 'mesh', 'backends', 'members', 'dataplane', 'warnings', 'summary', 'explanation'])

const PENDING = Symbol('meshverdict.verdict.pending')
const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/** Replaces the content of a pending verdict (the Proxy's target) with its whole answer. */
function settleVerdict(target) {
  const pending = target[PENDING]
  if (pending === undefined) return
  const full = JSON.parse(settle(ask(pending, 'verdict')))
  delete target[PENDING]
  delete target[INSPECT]
  for (const k of Object.keys(target)) delete target[k]
  Object.assign(target, full)
}

/** `verdict` or `brief` of the addon for a pending verdict's question (packed, when it
 * was decided packed: the same text reads the same way again). */
function ask(pending, what) {
  const { native, packed, question } = pending
  if (what === 'verdict') return packed === null ? native.verdict(question) : native.verdictPacked(packed)
  return packed === null ? native.brief(question) : native.briefPacked(packed)
}

/** Node's `util.inspect` shows a Proxy's target (calling this with the Proxy as `this`):
 * show the whole answer. */
function inspectVerdict(_depth, options, inspect) {
  const target = this[PENDING]?.target ?? this
  settleVerdict(target)
  return inspect(target, options)
}

/** The details read without building the others (the addon judges the verdict again
 * for the rest, if they are read). */
const BRIEF_KEYS = new Set(['port', 'summary'])

/** Whether `key` of a pending verdict is in its details. */
function needsDetails(target, key) {
  return typeof key === 'string' && target[PENDING] !== undefined && DETAIL_KEYS.has(key)
}

const VERDICT = {
  get(target, key, receiver) {
    if (needsDetails(target, key)) {
      const pending = target[PENDING]
      if (!BRIEF_KEYS.has(key)) settleVerdict(target)
      else {
        // The port and the summary cross alone.
        if (pending.brief === undefined) pending.brief = settle(ask(pending, 'brief'))
        return pending.brief[key]
      }
    }
    return Reflect.get(target, key, receiver)
  },
  has(target, key) {
    if (target[PENDING] !== undefined && (key === PENDING || key === INSPECT)) return false
    if (target[PENDING] !== undefined && BRIEF_KEYS.has(key)) return true
    if (needsDetails(target, key)) settleVerdict(target)
    return Reflect.has(target, key)
  },
  ownKeys(target) {
    settleVerdict(target)
    return Reflect.ownKeys(target)
  },
  getOwnPropertyDescriptor(target, key) {
    if (target[PENDING] !== undefined && (key === PENDING || key === INSPECT)) return undefined
    if (needsDetails(target, key)) settleVerdict(target)
    return Reflect.getOwnPropertyDescriptor(target, key)
  },
  set(target, key, value, receiver) {
    settleVerdict(target)
    return Reflect.set(target, key, value, receiver)
  },
  defineProperty(target, key, descriptor) {
    settleVerdict(target)
    return Reflect.defineProperty(target, key, descriptor)
  },
  deleteProperty(target, key) {
    settleVerdict(target)
    return Reflect.deleteProperty(target, key)
  },
  preventExtensions(target) {
    settleVerdict(target)
    return Reflect.preventExtensions(target)
  },
  setPrototypeOf(target, proto) {
    settleVerdict(target)
    return Reflect.setPrototypeOf(target, proto)
  },
}

/** A verdict: `allowed` and `protocol` now, the rest from the addon when read. */
function lazyVerdict(native, query, packed, allowed, protocol) {
  const target = { allowed, protocol }
  // The question as it was asked, for when the details are judged (the caller's object
  // may change in the meantime): packed, or copied.
  let question = null
  if (packed === null) {
    question = { from: query.from, to: query.to, port: query.port }
    if (query.protocol !== undefined) question.protocol = query.protocol
  }
  target[PENDING] = { native, packed, question, target, brief: undefined }
  target[INSPECT] = inspectVerdict
  return new Proxy(target, VERDICT)
}

// A batch as one string (see meshverdict_bindings::args::packed_queries): one crossing
// instead of four property reads per question. Only plain, well-typed queries are packed;
// anything else (a wrong type, an unknown key) returns null and goes through the addon's
// object path, which says exactly what is wrong.
const SEPARATOR = '\0'
function pack(queries) {
  if (!Array.isArray(queries)) return null
  const n = queries.length
  const parts = new Array(n * 4)
  for (let i = 0, j = 0; i < n; i++) {
    const q = queries[i]
    if (!plain(q)) return null
    parts[j++] = q.from
    parts[j++] = q.to
    parts[j++] = typeof q.port === 'number' ? String(q.port) : q.port
    parts[j++] = q.protocol ?? ''
  }
  return parts.join(SEPARATOR)
}

/** One query as one string, or null (see `pack`). */
function packOne(q) {
  if (!plain(q)) return null
  return `${q.from}\0${q.to}\0${q.port}\0${q.protocol ?? ''}`
}

/** A query `pack` may pack: an object with only its own keys, each of its type. */
function plain(q) {
  if (q === null || typeof q !== 'object' || Array.isArray(q)) return false
  for (const k in q) if (k !== 'from' && k !== 'to' && k !== 'port' && k !== 'protocol') return false
  const { from, to, port, protocol } = q
  if (typeof from !== 'string' || typeof to !== 'string') return false
  if (typeof port === 'number') {
    if (!Number.isInteger(port) || port < 1 || port > 65535) return false
  } else if (typeof port !== 'string') return false
  return protocol === undefined || protocol === null || typeof protocol === 'string'
}

function checkAllKeys(queries) {
  if (!Array.isArray(queries)) return
  for (let i = 0; i < queries.length; i++) {
    const q = queries[i]
    if (q === null || typeof q !== 'object') continue
    for (const k in q) {
      if (k !== 'from' && k !== 'to' && k !== 'port' && k !== 'protocol') checkKeys(q, `queries[${i}]`)
    }
  }
}

const COLUMN_KEYS = ['endpoints', 'from', 'to', 'port', 'protocol']

/** Decisions as booleans: one byte per question, 1 for allowed. */
function booleans(bytes) {
  const out = new Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] === 1
  return out
}

/** Whether `items` is an array of strings only (which `join` keeps as they are). */
function textItems(items) {
  if (!Array.isArray(items)) return false
  for (let i = 0; i < items.length; i++) if (typeof items[i] !== 'string') return false
  return true
}

/**
 * A column of integers (`from`, `to`, a port column) as a Uint32Array, which the addon
 * reads where it is: a Uint32Array as it is, another typed array or an array copied when
 * every item is a whole number from 0 to 2**32-1; else null, and the addon reads the
 * column itself, which names the item that is wrong.
 */
function integers(column) {
  if (column instanceof Uint32Array) return column
  if (column instanceof Uint8Array || column instanceof Uint16Array || column instanceof Uint8ClampedArray) return new Uint32Array(column)
  if (!Array.isArray(column) && !(ArrayBuffer.isView(column) && !(column instanceof DataView))) return null
  const n = column.length
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    const x = column[i]
    if (typeof x !== 'number' || !(x >= 0 && x <= 4294967295) || !Number.isInteger(x)) return null
    out[i] = x
  }
  return out
}

// ------------------------------------------------------------------ folders

/** Every file below `root`, sorted, as [path, relative path with /]: hidden entries left
 * out, each folder once (symbolic links followed), as the CLI walks. */
function walk(root) {
  const out = []
  const seen = new Set()
  const visit = (dir, rel) => {
    const real = fs.realpathSync(dir)
    if (seen.has(real)) return
    seen.add(real)
    const names = fs.readdirSync(dir).sort()
    for (const name of names) {
      if (native.Folder.isHidden(name)) continue
      const full = path.join(dir, name)
      const sub = rel ? `${rel}/${name}` : name
      const st = fs.statSync(full, { throwIfNoEntry: false })
      if (st?.isDirectory()) visit(full, sub)
      else if (st?.isFile()) out.push([full, sub])
    }
  }
  visit(root, '')
  return out
}

function readFolder(root) {
  const files = walk(root)
  const plan = new native.Folder(files.map(([, rel]) => rel))
  const names = []
  const texts = []
  const skipped = []
  for (const [full, rel] of files) {
    let kind = plan.byName(rel)
    if (kind === 'manifests') {
      const bytes = fs.readFileSync(full)
      kind = plan.classify(rel, bytes)
      if (kind === 'manifests') {
        names.push(full)
        texts.push(bytes)
        continue
      }
    }
    if (kind !== 'other') skipped.push({ path: full, kind, reason: native.Folder.reason(kind) })
  }
  return { names, texts, skipped }
}

// ------------------------------------------------------------------ cluster

const CONSTRUCT = Symbol('meshverdict.Cluster')

/** Manifests loaded into a cluster, kept between questions. */
class Cluster {
  #native
  #warnings
  #skipped

  /** @private Use `Cluster.fromYaml` or `Cluster.fromPath`. */
  constructor(token, handle, skipped) {
    if (token !== CONSTRUCT) throw new TypeError('use Cluster.fromYaml(text, { dataplane, name, limits }) or Cluster.fromPath(path, …)')
    this.#native = handle
    this.#warnings = handle.warnings()
    this.#skipped = skipped ?? []
  }

  /**
   * Loads multi-document YAML or JSON (a string, or a Uint8Array in UTF-8).
   * Options: `dataplane` (`auto` by default), `name` (for error locations), `limits`.
   */
  static fromYaml(text, options) {
    return new Cluster(CONSTRUCT, settle(native.load(text, options)))
  }

  /**
   * Loads a file, or every manifest below a folder as the CLI's `-f` reads it: `*.yaml`,
   * `*.yml`, `*.json`, recursively, hidden entries left out; Helm charts, values and
   * templates and kustomizations skipped (listed in `skippedFiles`).
   */
  static fromPath(where, options) {
    if (where instanceof URL) where = fileURLToPath(where)
    if (typeof where !== 'string') throw toError(native.argumentType('path', 'path', where))
    const st = fs.statSync(where, { throwIfNoEntry: false })
    if (!st) throw new MeshverdictError({ code: 'invalid-request', message: `${where}: no such file or folder` })
    if (st.isDirectory()) {
      const { names, texts, skipped } = readFolder(where)
      if (names.length === 0) throw toError(native.Folder.nothingToLoad(where, skipped.map((s) => [s.path, s.kind])))
      return new Cluster(CONSTRUCT, settle(native.loadFiles(names, texts, options)), skipped)
    }
    // Locations name the file, unless the options name it otherwise (or are no object,
    // which the addon reports).
    let withName = options
    if (options === undefined || options === null) withName = { name: where }
    else if (typeof options === 'object' && !Array.isArray(options) && options.name === undefined) withName = { ...options, name: where }
    return new Cluster(CONSTRUCT, settle(native.load(fs.readFileSync(where), withName)))
  }

  /** Warnings of the load (skipped kinds, assumptions). */
  get warnings() {
    return JSON.parse(this.#warnings)
  }

  /** Files of a folder that were not loaded (Helm, kustomize): `{ path, kind, reason }`. */
  get skippedFiles() {
    return this.#skipped.map((s) => ({ ...s }))
  }

  /** `generic`, `calico` or `cilium`: given, or (`auto`) what the input shows. */
  get dataplane() {
    return this.#native.dataplane
  }

  /** Why that dataplane. */
  get dataplaneReason() {
    return this.#native.dataplaneReason
  }

  /**
   * One verdict with its explanation. The flow is decided at once; the rest of the
   * answer (the port, the summary, the layers, the explanation) is judged when one of
   * them is first read (see `lazyVerdict`).
   */
  verdict(query) {
    // One string when the query packs (its details are asked with the same string), else
    // the object, read by the addon property by property.
    let packed = packOne(query)
    let decision = packed === null ? null : this.#native.decidePacked(packed)
    if (decision === null || decision === undefined) {
      packed = null
      checkKeys(query, 'query')
      decision = this.#native.decide(query)
    }
    decision = settle(decision)
    return lazyVerdict(this.#native, query, packed, (decision & 1) === 1, PROTOCOLS[decision >> 1])
  }

  /**
   * Many verdicts in one call, each `{ allowed, summary }`. An item that cannot be
   * answered (e.g. an unknown endpoint) becomes a MeshverdictError in its place: it is
   * returned, not thrown. A wrong argument throws.
   */
  verdicts(queries) {
    const packed = pack(queries)
    let out = packed === null ? null : this.#native.verdictsPacked(packed, queries.length)
    if (out === null || out === undefined) {
      checkAllKeys(queries)
      out = this.#native.verdicts(queries)
    }
    const items = JSON.parse(settle(out))
    return items.map((x) => (x.error ? new MeshverdictError(x.error) : x))
  }

  /** Just `allowed` for each question, in order; the first error anywhere is thrown. */
  allowedMany(queries) {
    const packed = pack(queries)
    let out = packed === null ? null : this.#native.allowedManyPacked(packed, queries.length)
    if (out === null || out === undefined) {
      checkAllKeys(queries)
      out = this.#native.allowedMany(queries)
    }
    const bytes = settle(out)
    return booleans(bytes)
  }

  /**
   * `allowed` for each question of a batch by columns, in order: question `i` is
   * `endpoints[from[i]] → endpoints[to[i]]` on `port` (one number) or `port[i]`, all on
   * `protocol` (TCP by default). Each reference is read once however many questions name
   * it. A wrong argument (its type, an item, an index past `endpoints`, columns of
   * different lengths) throws before anything is judged; else the first error of the
   * engine is thrown (`from[17] → to[17]: …`). With `out` (a Uint8Array as long as
   * `from`), the answers are written into it, 1 for allowed, and it is returned; a
   * failing question leaves it as it was.
   */
  allowedColumns(columns, out) {
    // `out` is checked first; its length once the columns are read (they say how many).
    if (out !== undefined && !(out instanceof Uint8Array)) throw toError(native.argumentType('out', 'answers', out))
    if (columns === null || typeof columns !== 'object' || Array.isArray(columns) || (ArrayBuffer.isView(columns) && !(columns instanceof DataView))) {
      throw toError(native.argumentType('columns', 'columns', columns))
    }
    for (const k in columns) {
      if (!COLUMN_KEYS.includes(k)) throw toError(native.unknownKey('columns', k, COLUMN_KEYS))
    }
    const { endpoints, protocol } = columns
    const from = integers(columns.from) ?? columns.from
    const to = integers(columns.to) ?? columns.to
    const port = typeof columns.port === 'number' ? columns.port : (integers(columns.port) ?? columns.port)
    // The references cross as one string when they are strings (one crossing, not one
    // per reference); the addon answers nothing when the count does not match (a
    // reference with a newline), and the array is read item by item.
    const outLength = out?.length
    const joined = textItems(endpoints)
      ? this.#native.allowedColumnsJoined(endpoints.join('\n'), endpoints.length, from, to, port, protocol, outLength)
      : null
    const bytes = settle(joined ?? this.#native.allowedColumns(endpoints, from, to, port, protocol, outLength))
    if (out !== undefined) {
      out.set(bytes)
      return out
    }
    return booleans(bytes)
  }

  /** An entry point of the engine by name: its result, or its error thrown. */
  #call(entry, request) {
    return unwrap(this.#native.call(entry, JSON.stringify(request ?? null)))
  }

  /** The analysis: `[{ code, severity, message, help, flows, policies, location }]`. */
  diagnostics() {
    return this.#call('diagnostics')
  }

  /** Objects the API server or Cilium would reject, each a located error as data. */
  errors() {
    return this.#call('errors')
  }

  /**
   * Every allowed source → destination with its ports: `meshverdict matrix -o json`
   * (`{ format: 'compact' }`: `-o compact`). Options as the CLI's flags: `by`,
   * `namespace`, `from`, `to`, `port`, `protocol`, `noExternals`.
   */
  matrix(options) {
    return this.#call('matrix', options)
  }

  /** For each workload, who beyond its namespace may reach it: `meshverdict exposure -o json`. */
  exposure(options) {
    return this.#call('exposure', options)
  }

  /**
   * What a change opens and closes (`meshverdict diff -o json`): this cluster is the tree
   * before the change and `after` the manifests after it (or, with `before`, the other way
   * round), loaded as this cluster was.
   */
  diff(options) {
    let request = options
    if (options !== null && typeof options === 'object' && !Array.isArray(options)) {
      request = { ...options }
      for (const side of ['after', 'before']) if (request[side] !== undefined) request[side] = manifestsOf(request[side], side)
      if (request.forbid !== undefined) request.forbid = manifestsOf(request.forbid, 'forbid')
    }
    return this.#call('diff', request)
  }

  /**
   * Least-privilege policies for intents, proven before they are returned
   * (`meshverdict synthesize -o json`). `intents`: the text of Intents documents or their
   * parsed form; none: the Intents documents among the manifests.
   */
  synthesize(options) {
    return this.#call('synthesize', options)
  }

  /** The smallest additive change that gives the mesh back the flows it needs (`meshverdict repair -o json`). */
  repair(options) {
    return this.#call('repair', options)
  }

  /** Every Pod, workload and Service a question may name, for pickers. */
  endpoints() {
    return this.#call('endpoints')
  }
}

/**
 * Runs one conformance case file: `{ name, source, passed, failed, results, failures }`.
 * Throws `invalid-case` when the text holds no `kind: Expectations` document.
 */
function runCase(text, name) {
  return JSON.parse(settle(native.runCase(text, name)))
}

module.exports.Cluster = Cluster
module.exports.MeshverdictError = MeshverdictError
module.exports.runCase = runCase
