// Hostile and wrong inputs through the napi host (the suite is shared with wasm/).
import assert from 'node:assert/strict'
import { invalidSuite } from '../../tests/hosts/invalid-suite.mjs'
import { meshverdict } from './helpers.mjs'

const { Cluster, MeshverdictError } = meshverdict

invalidSuite({
  errorsOf: (text, name) => Cluster.fromYaml(text, { name }).errors(),
  checkThrown: (e) => assert.ok(e instanceof MeshverdictError && e instanceof Error, `not a MeshverdictError: ${e}`),
})
