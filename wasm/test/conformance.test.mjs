// Every conformance case through the WASM host (the suite is shared with node/).
import { conformanceSuite } from '../../tests/hosts/conformance-suite.mjs'
import { meshverdict } from './helpers.mjs'

conformanceSuite({ host: 'wasm', runCase: meshverdict.runCase })
