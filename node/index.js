'use strict'
// meshverdict for Node: a thin wrapper over the napi-rs addon (native.js, generated).
//
// The addon is the host-neutral JSON API of meshverdict-bindings and nothing else: every
// request crosses as JSON text and every answer comes back as the bindings' answer,
// `{"type":"success","result":…,"warnings":[…]}` or `{"type":"failure","error":{…}}`.
// This file only turns those answers into values, and failures into thrown `Error`s
// that carry the meshverdict `code`, `help` and `location`. No verdict logic lives here.

const native = require('./native.js')

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

  /** The error as data, the way the bindings give it (`errors()` returns these). */
  toJSON() {
    const out = { code: this.code, message: this.message }
    if (this.help !== undefined) out.help = this.help
    if (this.location !== undefined) out.location = this.location
    return out
  }
}

// JSON text of a request. A value JSON cannot carry (a BigInt, a cycle) is a bad request;
// everything else, even `undefined` (sent as `null`), is judged by the bindings.
function request(value) {
  let text
  try {
    text = JSON.stringify(value)
  } catch (e) {
    throw new MeshverdictError({ code: 'invalid-request', message: `request: not representable as JSON: ${e.message}` })
  }
  return text === undefined ? 'null' : text
}

// The result of a bindings answer, or its error thrown.
function settle(answer) {
  if (answer.type === 'success') return answer.result
  throw new MeshverdictError(answer.error, answer.warnings)
}

function unwrap(answerText) {
  return settle(JSON.parse(answerText))
}

const CONSTRUCT = Symbol('meshverdict.Cluster')

/** Manifests loaded into a cluster, kept between questions. */
class Cluster {
  #native
  #warnings

  /** @private Use `Cluster.fromYaml`. */
  constructor(token, handle) {
    if (token !== CONSTRUCT) throw new TypeError('use Cluster.fromYaml(text, { dataplane, name })')
    this.#native = handle
    this.#warnings = handle.warnings()
  }

  /**
   * Loads multi-document YAML or JSON (what `kubectl get -o yaml` prints).
   * Throws a MeshverdictError (`parse-error`, `limit-exceeded`, `invalid-field`,
   * `invalid-request` for an unknown dataplane, …).
   */
  static fromYaml(text, options) {
    // Options go to the bindings as they are, so a misspelt one is an `invalid-request`.
    const loaded = native.loadJson(request({ ...(options ?? {}), yaml: text }))
    if (typeof loaded === 'string') unwrap(loaded)
    return new Cluster(CONSTRUCT, loaded)
  }

  /** Warnings of the load (skipped kinds, assumptions). */
  get warnings() {
    return JSON.parse(this.#warnings)
  }

  /** `generic`, `calico` or `cilium`. */
  get dataplane() {
    return this.#native.dataplane()
  }

  /** One verdict with its explanation; throws a MeshverdictError on a bad question. */
  verdict(query) {
    return unwrap(this.#native.verdict(request(query)))
  }

  /**
   * Many verdicts in one call, each `{ allowed, summary }`. An item that cannot be
   * answered (e.g. an unknown endpoint) becomes a MeshverdictError object in its place:
   * it is returned, not thrown. A malformed list (not an array, an item with an unknown
   * or missing field) throws.
   */
  verdicts(queries) {
    const answers = JSON.parse(this.#native.verdicts(request(queries)))
    if (!Array.isArray(answers)) return settle(answers)
    return answers.map((a) => (a.type === 'success' ? a.result : new MeshverdictError(a.error, a.warnings)))
  }

  /** Just `allowed` for each question, in order; the first error anywhere is thrown. */
  allowedMany(queries) {
    const out = this.#native.allowedMany(request(queries))
    if (typeof out === 'string') unwrap(out)
    return out
  }

  /** The analysis: `[{ code, severity, message, help, flows, policies, location }]`. */
  diagnostics() {
    return unwrap(this.#native.diagnostics())
  }

  /**
   * Objects the API server or Cilium would reject, each a located error as data
   * (`{ code, message, help, location }`); verdicts that read them are refused.
   */
  errors() {
    return JSON.parse(this.#native.errors())
  }
}

/**
 * Runs one conformance case file (FORMAT.md): `{ name, source, passed, failed, results,
 * failures }`, `failures` being the failed items as `{ id, detail }`. Throws when the text
 * holds no `kind: Expectations` document (`invalid-case`).
 */
function runCase(text, name) {
  const report = unwrap(native.runCase(request({ yaml: text, name })))
  report.failures = report.results.filter((r) => !r.passed).map(({ id, detail }) => ({ id, detail }))
  return report
}

module.exports.Cluster = Cluster
module.exports.MeshverdictError = MeshverdictError
module.exports.runCase = runCase
