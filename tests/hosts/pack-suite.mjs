// The npm packages as users get them (node/ and wasm/): the tarballs `npm pack` makes,
// installed into an empty project (offline, nothing else in it), where the README's
// snippet runs as an ES module, as CommonJS and type-checks as strict TypeScript. The
// tarball carries the LICENSE, and its README links only to files the tarball ships or to
// absolute URLs.
//
//   packSuite({ host, tarballs, packageName, readme, tsc, lib, check })
//     tarballs   () => [paths]: the tarballs to install (the first is the package)
//     readme     the package's README.md (its ```js block is the snippet)
//     tsc        path of a TypeScript compiler (the host's devDependency)
//     lib        the `lib` of the fresh project's tsconfig (default es2022 and dom)
//     check(out) asserts on the snippet's stdout
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** The ```js block of a README: the snippet users copy. */
export function snippet(readme) {
  const blocks = [...readFileSync(readme, 'utf8').matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1])
  assert.ok(blocks.length >= 1, `${readme} has a \`\`\`js block`)
  return blocks[0]
}

/** The snippet as CommonJS: its `import { a, b } from 'x'` lines as `require`s. */
export function asCommonJs(code) {
  return code.replace(/^import \{([^}]+)\} from '([^']+)'$/gm, (_, names, from) => `const {${names}} = require('${from}')`)
}

/** Markdown link targets of a text, without in-page anchors. */
export function links(markdown) {
  const out = []
  for (const m of markdown.matchAll(/\]\(([^)\s]+)\)|^\[[^\]]+\]:\s*(\S+)/gm)) {
    const target = m[1] ?? m[2]
    if (!target.startsWith('#')) out.push(target)
  }
  return out
}

function tarList(tarball) {
  const r = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''))
}

export function packSuite({ host, tarballs, packageName, readme, tsc, lib = ['es2022', 'dom'], check }) {
  let dir
  let installed = null

  function project() {
    if (installed) return installed
    dir = mkdtempSync(path.join(tmpdir(), `meshverdict-${host}-fresh-`))
    writeFileSync(path.join(dir, 'package.json'), '{"name": "fresh", "private": true}\n')
    const r = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs()], { cwd: dir, encoding: 'utf8' })
    assert.equal(r.status, 0, `npm install: ${r.stderr}`)
    installed = dir
    return dir
  }

  test.after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  test(`${host}: the tarball ships its LICENSE, and its README links resolve`, () => {
    const [main] = tarballs()
    const files = tarList(main)
    assert.ok(files.includes('LICENSE'), files.join(' '))
    const license = spawnSync('tar', ['-xzOf', main, 'package/LICENSE'], { encoding: 'utf8' }).stdout
    assert.match(license, /Apache License\s+Version 2\.0, January 2004/)
    const text = readFileSync(readme, 'utf8')
    for (const target of links(text)) {
      if (/^https?:\/\//.test(target)) continue
      const file = target.split('#')[0].replace(/^\.\//, '')
      assert.ok(files.includes(file), `README links ${target}, which the tarball does not ship (${files.join(', ')})`)
    }
    const pj = JSON.parse(spawnSync('tar', ['-xzOf', main, 'package/package.json'], { encoding: 'utf8' }).stdout)
    assert.match(JSON.stringify(pj.repository), /https:\/\/github\.com\/meshverdict\/meshverdict/)
    assert.equal(pj.license, 'Apache-2.0')
  })

  const results = {}
  for (const [kind, file, transform] of [
    ['ESM', 'snippet.mjs', (c) => c],
    ['CommonJS', 'snippet.cjs', asCommonJs],
  ]) {
    test(`${host}: the README snippet runs in a fresh project (${kind})`, { timeout: 180_000 }, () => {
      const cwd = project()
      writeFileSync(path.join(cwd, file), transform(snippet(readme)))
      const r = spawnSync(process.execPath, [file], { cwd, encoding: 'utf8', timeout: 120_000 })
      assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`)
      check(r.stdout)
      results[kind] = r.stdout
      if (results.ESM && results.CommonJS) assert.equal(results.CommonJS, results.ESM)
    })
  }

  test(`${host}: the README snippet type-checks as strict TypeScript in a fresh project`, { timeout: 180_000 }, () => {
    const cwd = project()
    writeFileSync(path.join(cwd, 'snippet.mts'), snippet(readme))
    writeFileSync(
      path.join(cwd, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib, types: [], skipLibCheck: false },
        files: ['snippet.mts'],
      }),
    )
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd, encoding: 'utf8' })
    assert.equal(r.status, 0, `tsc: ${r.stdout}${r.stderr}`)
  })

  return { project, packageName }
}
