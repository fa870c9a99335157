// Wrong arguments through the napi host (the suite is shared with wasm/).
import { argumentsSuite } from '../../tests/hosts/arguments-suite.mjs'
import { meshverdict } from './helpers.mjs'

argumentsSuite({ host: 'node', meshverdict })
