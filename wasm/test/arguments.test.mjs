// Wrong arguments through the WASM host (the suite is shared with node/).
import { argumentsSuite } from '../../tests/hosts/arguments-suite.mjs'
import { meshverdict } from './helpers.mjs'

argumentsSuite({ host: 'wasm', meshverdict })
