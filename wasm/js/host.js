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
  const parts = new Array(n * 4)
  for (let i = 0, j = 0; i < n; i++) {
    const q = queries[i]
    if (q === null || typeof q !== 'object' || Array.isArray(q)) return null
    for (const k in q) if (k !== 'from' && k !== 'to' && k !== 'port' && k !== 'protocol') return null
    const { from, to, port, protocol } = q
    if (typeof from !== 'string' || typeof to !== 'string') return null
    if (typeof port === 'number') {
      if (!Number.isInteger(port) || port < 1 || port > 65535) return null
    } else if (typeof port !== 'string') return null
    if (protocol !== undefined && protocol !== null && typeof protocol !== 'string') return null
    parts[j++] = from
    parts[j++] = to
    parts[j++] = typeof port === 'number' ? String(port) : port
    parts[j++] = protocol ?? ''
  }
  return parts.join('\0')
}

/** One query as one string, or null (see `pack`). */
export function packOne(query) {
  return pack([query])
}

/** Decisions as booleans: one byte per question, 1 for allowed. */
export function booleans(bytes) {
  const out = new Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] === 1
  return out
}
