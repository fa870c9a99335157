// Every conformance case through the napi host (the suite is shared with wasm/).
import { conformanceSuite } from '../../tests/hosts/conformance-suite.mjs'
import { meshverdict } from './helpers.mjs'

conformanceSuite({ host: 'node', runCase: meshverdict.runCase })
