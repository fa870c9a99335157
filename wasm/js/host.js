// The JavaScript half of the WASM host: the error class every call throws, and the loops
// that are cheaper in JavaScript than across the boundary. Imported by src/js.rs;
// build.sh re-exports MeshverdictError from every build's entry module, so that
// `import { MeshverdictError } from '@meshverdict/wasm'` and `instanceof` work as in
// the Node package.

/** An error of meshverdict, as every host reports it: `code`, `message`, `help`, `location`. */
export class MeshverdictError extends Error {
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

/** A wrong argument: a TypeError (`type`) or a RangeError, with the fields of every error. */
export function argumentError(kind, error) {
  const e = kind === 'type' ? new TypeError(error.message) : new RangeError(error.message)
  e.code = error.code
  e.help = error.help
  e.location = error.location
  return e
}

/** The first property of a query that is none of from/to/port/protocol: [index, key], or
 * null. `index` is -1 for a single query. */
export function unknownKey(queries, single) {
  const list = single ? [queries] : queries
  if (!Array.isArray(list)) return null
  for (let i = 0; i < list.length; i++) {
    const q = list[i]
    if (q === null || typeof q !== 'object') continue
    for (const k in q) {
      if (k !== 'from' && k !== 'to' && k !== 'port' && k !== 'protocol') return [single ? -1 : i, k]
    }
  }
  return null
}

/**
 * A batch as one string (see meshverdict_bindings::args::packed_queries): one crossing
 * instead of four property reads per question. Only plain, well-typed queries are packed;
 * anything else returns null, and the module reads the objects themselves, which says
 * exactly what is wrong.
 */
export function pack(queries) {
  if (!Array.isArray(queries)) return null
  const n = queries.length
  // The fields as parts of one join: faster in V8 than a string per query.
  const parts = new Array(n * 4)
  for (let i = 0, j = 0; i < n; i++) {
    const q = queries[i]
    if (!plain(q)) return null
    parts[j++] = q.from
    parts[j++] = q.to
    parts[j++] = typeof q.port === 'number' ? String(q.port) : q.port
    parts[j++] = q.protocol ?? ''
  }
  return parts.join('\0')
}

/** One query as one string, or null (see `pack`). */
export function packOne(q) {
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

/** The first property of a batch by columns that is none of its own, or null. */
export function unknownColumnKey(columns) {
  for (const k in columns) {
    if (k !== 'endpoints' && k !== 'from' && k !== 'to' && k !== 'port' && k !== 'protocol') return k
  }
  return null
}

/**
 * A column of integers (`from`, `to`, a port column) as a Uint32Array, which the module
 * copies into its memory at once: a Uint32Array as it is, another typed array or an
 * array converted when every item is a whole number from 0 to 2**32-1; else null, and the
 * module reads the column item by item, which names the item that is wrong.
 */
export function integers(column) {
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

/** Decisions as booleans: one byte per question, 1 for allowed. */
export function booleans(bytes) {
  const out = new Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] === 1
  return out
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
// shows the whole answer too. The twin of the lazy verdicts of `node/index.js` (the two
// packages ship apart); tests/hosts/verdict-suite.mjs holds both to one behaviour.

/** The keys built on demand: every key of a verdict (`VerdictResult`) but `allowed` and
 * `protocol`. */
const DETAIL_KEYS = new Set(['from', 'to', 'port', 'wirePort', 'egress', 'ingress', 'mesh', 'backends', 'members', 'dataplane', 'warnings', 'summary', 'explanation'])

const PENDING = Symbol('meshverdict.verdict.pending')
const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/** Replaces the content of a pending verdict (the Proxy's target) with its whole answer. */
function settleVerdict(target) {
  const pending = target[PENDING]
  if (pending === undefined) return
  const full = pending.source.details(pending.serial, pending.question)
  delete target[PENDING]
  delete target[INSPECT]
  for (const k of Object.keys(target)) delete target[k]
  Object.assign(target, full)
}

/** Node's `util.inspect` shows a Proxy's target (calling this with the Proxy as `this`):
 * show the whole answer. */
function inspectVerdict(_depth, options, inspect) {
  const target = this[PENDING]?.target ?? this
  settleVerdict(target)
  return inspect(target, options)
}

/** The details read without building the others: judged, and kept for them. */
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
        // The port and the summary cross alone (the module keeps the verdict judged).
        if (pending.brief === undefined) pending.brief = pending.source.brief(pending.serial, pending.question)
        return key === 'port' ? pending.brief[0] : pending.brief[1]
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

/** A verdict: `allowed` and `protocol` now, the rest from `source` when read. */
export function lazyVerdict(source, serial, query, allowed, protocol) {
  const target = { allowed, protocol }
  // The question as it was asked, for when the details are judged (the caller's object
  // may change in the meantime); `source` is the cluster's, shared by its verdicts.
  const question = { from: query.from, to: query.to, port: query.port }
  if (query.protocol !== undefined) question.protocol = query.protocol
  target[PENDING] = { source, serial, question, target, brief: undefined }
  target[INSPECT] = inspectVerdict
  return new Proxy(target, VERDICT)
}
