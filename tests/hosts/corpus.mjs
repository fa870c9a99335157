// Where the corpus is, for the JavaScript hosts' tests (node/ and wasm/): the same
// folders and rules as the Rust tests (core/tests/common.rs).
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** `MESHVERDICT_SHARED_CASES`, else `<repo>/../shared/conformance/cases`. */
export function sharedCasesDir() {
  const env = process.env.MESHVERDICT_SHARED_CASES
  return env ? path.resolve(env) : path.resolve(repoRoot, '..', 'shared', 'conformance', 'cases')
}

export const isCI = process.env.CI === 'true'

export function isDir(p) {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

/** Every `*.yaml` / `*.yml` below `dir`, recursively (symbolic links followed), sorted. */
export function yamlFiles(dir) {
  const out = []
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      const kind = e.isSymbolicLink() ? statSync(p, { throwIfNoEntry: false }) : e
      if (kind?.isDirectory()) walk(p)
      else if (kind?.isFile() && /\.ya?ml$/.test(e.name)) out.push(p)
    }
  }
  if (isDir(dir)) walk(dir)
  return out.sort()
}
