// What a JavaScript host throws, asserted one way for node/ and wasm/:
//
//   const { throwsCode, throwsArgument } = throwing(MeshverdictError)
//   throwsCode(fn, code)           fn must throw a MeshverdictError with `code`; returns it
//   throwsArgument(fn, type)       fn must throw `type` (TypeError or RangeError) for a wrong
//                                  argument, never a MeshverdictError; returns it
import assert from 'node:assert/strict'

function thrown(fn, expected) {
  try {
    fn()
  } catch (e) {
    return e
  }
  return assert.fail(`did not throw (expected ${expected})`)
}

export function throwing(MeshverdictError) {
  function throwsCode(fn, code) {
    const e = thrown(fn, code)
    assert.ok(e instanceof Error, `not an Error: ${e}`)
    assert.ok(e instanceof MeshverdictError, `not a MeshverdictError: ${e}`)
    assert.equal(e.name, 'MeshverdictError')
    assert.equal(e.code, code, `${e.code}: ${e.message}`)
    assert.equal(typeof e.message, 'string')
    assert.ok(e.message.length > 0)
    assert.ok(Array.isArray(e.warnings))
    return e
  }
  function throwsArgument(fn, type) {
    const e = thrown(fn, type.name)
    assert.equal(e.constructor, type, `${e.constructor?.name}: ${e.message}`)
    assert.ok(!(e instanceof MeshverdictError))
    assert.equal(e.code, 'invalid-request')
    assert.equal(e.location, undefined)
    assert.ok(e.message.length > 0)
    return e
  }
  return { throwsCode, throwsArgument }
}
