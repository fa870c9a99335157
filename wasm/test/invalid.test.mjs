// Hostile and wrong inputs through the WASM host (the suite is shared with node/).
import assert from 'node:assert/strict'
import { invalidSuite } from '../../tests/hosts/invalid-suite.mjs'
import { meshverdict } from './helpers.mjs'

const { Cluster } = meshverdict

invalidSuite({
  errorsOf: (text, name) => {
    const cluster = Cluster.fromYaml(text, { name })
    const errors = cluster.errors()
    cluster.free()
    return errors
  },
  checkThrown: (e) => {
    assert.ok(e instanceof Error, `not an Error: ${e}`)
    assert.equal(e.name, 'MeshverdictError')
  },
})
