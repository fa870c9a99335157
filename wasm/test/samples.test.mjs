// Generated clusters and questions, answered as Rust answers them (the suite is shared
// with the other JavaScript host).
import { samplesSuite } from '../../tests/hosts/samples-suite.mjs'
import { meshverdict } from './helpers.mjs'

samplesSuite({ host: 'wasm', meshverdict })
