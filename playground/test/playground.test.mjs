// Browser tests of the built playground (dist/), served on localhost by a tiny static
// server and driven by playwright-core in Debian's /usr/bin/chromium (never a downloaded
// browser). What the page shows is compared with the release CLI on the very same text.
// Also prints bundle sizes, time to first verdict per example and the 300-pod matrix
// time, and writes screenshots of each pane to playground/screenshots/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { check, cliMissing, diagnose, generate, REPO } from './cli.mjs';
import { serve } from './static-server.mjs';

const HERE = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(HERE, 'dist');
const SHOTS = join(HERE, 'screenshots');
const CHROMIUM = process.env.MESHVERDICT_CHROMIUM ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 800 };

const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (scripts/setup.sh --browser installs Debian's chromium)`
  : !existsSync(join(DIST, 'index.html'))
    ? `${DIST} is not built: run playground/build.sh`
    : cliMissing();
if (missing && process.env.CI === 'true') throw new Error(missing);

/** The examples, and questions the test asks through the pickers beyond each preset. */
const EXAMPLES = [
  {
    id: 'linkerd-netpol-broken',
    dataplane: 'calico',
    preset: { from: 'emojivoto/web', to: 'linkerd/linkerd-controller', port: '8086' },
    more: [
      { from: 'linkerd/linkerd-prometheus', to: 'emojivoto/web', port: '4191', protocol: 'TCP' },
      { from: 'emojivoto/web', to: 'emojivoto/voting', port: 'http', protocol: 'TCP' },
      { from: 'default/curl', to: 'svc:linkerd/linkerd-controller-api', port: '8085', protocol: 'TCP' },
    ],
  },
  {
    id: 'linkerd-netpol-fixed',
    dataplane: 'calico',
    preset: { from: 'emojivoto/web', to: 'linkerd/linkerd-controller', port: '8086' },
    more: [
      { from: 'default/curl', to: 'emojivoto/web', port: '80', protocol: 'TCP' },
      { from: 'linkerd/linkerd-controller', to: 'emojivoto/web', port: '4190', protocol: 'TCP' },
    ],
  },
  {
    id: 'linkerd-2.18-port-change',
    dataplane: 'generic',
    preset: { from: 'shop/frontend', to: 'shop/orders', port: '8080' },
    more: [
      { from: 'shop/nightly-report', to: 'shop/orders', port: 'http', protocol: 'TCP' },
      { from: 'shop/frontend', to: 'svc:shop/orders', port: '80', protocol: 'TCP' },
    ],
  },
  {
    id: 'cilium-linkerd',
    dataplane: 'cilium',
    preset: { from: 'cilium-linkerd/client', to: 'cilium-linkerd/podinfo', port: '9898' },
    more: [
      { from: 'cilium-linkerd/client', to: 'cilium-linkerd/podinfo', port: '9999', protocol: 'TCP' },
      { from: 'cilium-linkerd/client', to: 'kube-system/coredns', port: '53', protocol: 'UDP' },
      { from: 'cilium-linkerd/client', to: 'ip:203.0.113.10', port: '443', protocol: 'TCP' },
    ],
  },
];

let chromium;
let browser;
let server;
const report = [];

before(async () => {
  if (missing) return;
  ({ chromium } = await import('playwright-core'));
  server = await serve(DIST);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--no-first-run'],
  });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (report.length) console.log(`\n${report.join('\n')}`);
});

async function fresh() {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

async function open(page, fragment) {
  await page.goto(`${server.url}${fragment ? `#${fragment}` : ''}`);
  await page.waitForSelector('#pane-verdict [data-testid=verdict]');
}

/** What the verdict pane shows, field by field. */
function shownVerdict(page) {
  return page.evaluate(() => {
    const t = (id) => document.querySelector(`#pane-verdict [data-testid=${id}]`)?.textContent ?? null;
    return {
      decision: t('verdict-decision'),
      summary: t('verdict-summary'),
      egress: t('layer-egress-reason'),
      ingress: t('layer-ingress-reason'),
      mesh: t('layer-mesh-reason'),
      wire: t('verdict-wire'),
      explanation: t('verdict-explanation'),
      error: t('verdict-error'),
      command: t('cli-command'),
    };
  });
}

async function ask(page, q) {
  await page.fill('#q-from', q.from);
  await page.fill('#q-to', q.to);
  await page.fill('#q-port', q.port);
  await page.selectOption('#q-protocol', q.protocol);
  await page.click('#q-check');
  await page.waitForFunction(
    ([from, to]) => document.querySelector('#pane-verdict .flow')?.textContent?.includes(`${from} → ${to}`),
    [q.from, q.to],
  );
}

const editorText = (page) => page.evaluate(() => window.meshverdictPlayground.text());

function assertSameVerdict(shown, text, dataplane, q) {
  const cli = check(text, dataplane, q);
  assert.equal(cli.json.type, 'success', `the CLI answers ${JSON.stringify(q)}: ${JSON.stringify(cli.json.error)}`);
  const r = cli.json.result;
  const what = `${q.from} → ${q.to} ${q.port}/${q.protocol ?? 'TCP'}`;
  assert.equal(shown.decision, r.allowed ? '✓ ALLOWED' : '✗ DENIED', what);
  assert.equal(shown.summary, r.summary, what);
  assert.equal(shown.egress, r.egress.reason, what);
  assert.equal(shown.ingress, r.ingress.reason, what);
  assert.equal(shown.mesh, r.mesh?.reason ?? null, what);
  if (r.wirePort) assert.match(shown.wire ?? '', new RegExp(`port ${r.wirePort.port}\\b`), what);
  else assert.equal(shown.wire, null, what);
  assert.equal(shown.explanation?.trim(), cli.text.trim(), `${what}: the explanation is what the CLI prints`);
  const flags = `--dataplane ${dataplane} --from ${q.from} --to ${q.to} --port ${q.port}`;
  assert.ok(shown.command.includes(flags), `${shown.command} holds ${flags}`);
  return r;
}

/** The editor lines that carry a lint marker of `severity`. */
function markedLines(page, severity) {
  return page.evaluate((sev) => {
    const numbers = [...document.querySelectorAll('.cm-lineNumbers .cm-gutterElement')];
    return [...document.querySelectorAll(`.cm-gutter-lint .cm-gutterElement`)]
      .filter((el) => el.querySelector(`.cm-lint-marker-${sev}`))
      .map((el) => {
        const top = el.getBoundingClientRect().top;
        const n = numbers.find((x) => Math.abs(x.getBoundingClientRect().top - top) < 2);
        return Number(n?.textContent);
      });
  }, severity);
}

async function replaceText(page, text) {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

function shot(page, name) {
  return page.screenshot({ path: join(SHOTS, name) });
}

describe('playground', { skip: missing }, () => {
  for (const ex of EXAMPLES) {
    test(`example ${ex.id}: verdicts and diagnostics equal the CLI's`, async () => {
      const { context, page, errors } = await fresh();
      await open(page, `example=${ex.id}`);
      const text = await editorText(page);
      assert.ok(text.includes(`# file: examples/${ex.id}/`), 'the example text is bundled');
      assert.equal(await page.inputValue('#dataplane'), ex.dataplane);

      const preset = { ...ex.preset, protocol: 'TCP' };
      assertSameVerdict(await shownVerdict(page), text, ex.dataplane, preset);
      for (const q of ex.more) {
        await ask(page, q);
        assertSameVerdict(await shownVerdict(page), text, ex.dataplane, q);
      }

      await page.click('#tab-diagnostics');
      await page.waitForSelector('#pane-diagnostics [data-testid=diag-summary]');
      const shown = await page.$$eval('#pane-diagnostics [data-testid=diagnostic][data-kind=diagnostic]', (items) =>
        items.map((li) => ({
          severity: li.querySelector('[data-testid=diag-severity]').textContent,
          code: li.querySelector('[data-testid=diag-code]').textContent,
          message: li.querySelector('[data-testid=diag-message]').textContent,
          line: li.querySelector('[data-line]') ? Number(li.querySelector('[data-line]').dataset.line) : null,
        })),
      );
      const cli = diagnose(text, ex.dataplane);
      assert.equal(cli.type, 'success');
      const expected = cli.result.map((d) => ({ severity: d.severity, code: d.code, message: d.message, line: d.location?.line ?? null }));
      const key = (d) => JSON.stringify(d);
      assert.deepEqual(shown.map(key).sort(), expected.map(key).sort());
      const count = await page.textContent('#diag-count');
      assert.equal(count, expected.length ? String(expected.length) : '');
      // Located diagnostics are markers on their lines too (the location button scrolls the
      // editor there: CodeMirror draws only the lines in view).
      for (const d of expected.filter((x) => x.line)) {
        await page.click(`#pane-diagnostics [data-testid=diagnostic] [data-line="${d.line}"]`);
        assert.ok((await markedLines(page, d.severity)).includes(d.line), `a ${d.severity} marker on line ${d.line}`);
      }
      // Until the engine has `repair`, no fix button is offered.
      const wasm = await import('@meshverdict/wasm');
      if (typeof wasm.Cluster.prototype.repair !== 'function') {
        assert.equal(await page.locator('#pane-diagnostics button', { hasText: 'Fix' }).count(), 0);
      }
      assert.deepEqual(errors, []);
      await context.close();
    });
  }

  test('a YAML syntax error and an invalid object are marked on their lines, as the CLI locates them', async () => {
    const { context, page, errors } = await fresh();
    await open(page, 'example=linkerd-netpol-fixed');
    const syntax = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  namespace: x\nspec:\n  containers: [{name: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b: c\n  namespace: x\n';
    await replaceText(page, syntax);
    await page.waitForFunction(() => document.querySelector('#load-status')?.textContent?.startsWith('✗'));
    const cliSyntax = diagnose(syntax, 'generic');
    assert.equal(cliSyntax.type, 'failure');
    assert.equal(cliSyntax.error.location.line, 12);
    await page.waitForSelector('.cm-lint-marker-error');
    assert.deepEqual(await markedLines(page, 'error'), [12]);
    assert.match(await page.textContent('#load-status'), /parse-error at line 12/);
    assert.match((await shownVerdict(page)).error, /^parse-error: YAML syntax/);

    const invalid = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: a, namespace: x, labels: {app: a}}',
      'spec: {containers: [{name: a}]}',
      '---',
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: np',
      '  namespace: x',
      'spec:',
      '  podSelector: {}',
      '  ingress:',
      '  - from:',
      '    - ipBlock:',
      '        cidr: 10.0.0.0/33',
      '',
    ].join('\n');
    await replaceText(page, invalid);
    await page.waitForFunction(() => document.querySelector('#load-status')?.textContent?.startsWith('✓'));
    const cliInvalid = diagnose(invalid, 'generic');
    const line = cliInvalid.result.find((d) => d.code === 'invalid-policy')?.location?.line;
    assert.equal(line, 16);
    await page.waitForFunction(() => document.querySelector('[data-testid=diag-summary]'));
    assert.deepEqual([...new Set(await markedLines(page, 'error'))], [16]);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a share link round-trips the whole state into a fresh page', async () => {
    const a = await fresh();
    await open(a.page, 'example=cilium-linkerd');
    const q = { from: 'cilium-linkerd/client', to: 'kube-system/coredns', port: '53', protocol: 'UDP' };
    await ask(a.page, q);
    await a.page.click('#tab-matrix');
    await a.page.waitForSelector('#m-namespace option[value="cilium-linkerd"]', { state: 'attached' });
    await a.page.selectOption('#m-namespace', 'cilium-linkerd');
    await a.page.waitForFunction(() => /^\d+ × \d+ endpoints/.test(document.querySelector('[data-testid=matrix-status]')?.textContent ?? ''));
    const statusA = await a.page.textContent('[data-testid=matrix-status]');
    await a.page.click('#btn-share');
    await a.page.waitForFunction(() => document.querySelector('#share-url')?.value);
    const url = await a.page.inputValue('#share-url');
    await a.page.keyboard.press('Escape');
    assert.match(url, /#mv1\.[A-Za-z0-9_-]+$/);
    const textA = await editorText(a.page);
    await a.page.click('#tab-verdict');
    const verdictA = await shownVerdict(a.page);

    const b = await fresh();
    await b.page.goto(url);
    await b.page.waitForFunction(() => /^\d+ × \d+ endpoints/.test(document.querySelector('[data-testid=matrix-status]')?.textContent ?? ''));
    assert.equal(await editorText(b.page), textA);
    assert.equal(await b.page.inputValue('#dataplane'), 'cilium');
    assert.equal(await b.page.getAttribute('#tab-matrix', 'aria-selected'), 'true');
    assert.equal(await b.page.inputValue('#m-namespace'), 'cilium-linkerd');
    assert.equal(
      (await b.page.textContent('[data-testid=matrix-status]')).replace(/\d+ ms/g, 'N ms'),
      statusA.replace(/\d+ ms/g, 'N ms'),
    );
    assert.deepEqual(
      await Promise.all(['#q-from', '#q-to', '#q-port', '#q-protocol'].map((s) => b.page.inputValue(s))),
      [q.from, q.to, q.port, q.protocol],
    );
    await b.page.click('#tab-verdict');
    assert.deepEqual(await shownVerdict(b.page), verdictA);
    assert.deepEqual([...a.errors, ...b.errors], []);
    await a.context.close();
    await b.context.close();
  });

  test('a downloaded bundle opens to the same state in a fresh page', async () => {
    const a = await fresh();
    await open(a.page, 'example=linkerd-2.18-port-change');
    const q = { from: 'shop/nightly-report', to: 'svc:shop/orders', port: '80', protocol: 'TCP' };
    await ask(a.page, q);
    const [download] = await Promise.all([a.page.waitForEvent('download'), a.page.click('#btn-download')]);
    assert.equal(download.suggestedFilename(), 'meshverdict-playground.json');
    const dir = mkdtempSync(join(tmpdir(), 'mv-bundle-'));
    try {
      const file = join(dir, 'meshverdict-playground.json');
      await download.saveAs(file);
      const bundle = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(bundle.format, 1);
      assert.deepEqual(bundle.query, q);
      const b = await fresh();
      await open(b.page, 'example=cilium-linkerd');
      await b.page.setInputFiles('#file-input', file);
      await b.page.waitForFunction((to) => document.querySelector('#pane-verdict .flow')?.textContent?.includes(to), q.to);
      assert.equal(await editorText(b.page), await editorText(a.page));
      assert.equal(await b.page.inputValue('#dataplane'), 'generic');
      assert.deepEqual(await shownVerdict(b.page), await shownVerdict(a.page));
      assert.deepEqual([...a.errors, ...b.errors], []);
      await b.context.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await a.context.close();
  });

  test('dropping several files of a folder on the editor loads them together', async () => {
    const { context, page, errors } = await fresh();
    await open(page, 'example=linkerd-netpol-fixed');
    const files = {
      'apps.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: web}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop, labels: {app: api}}\nspec: {containers: [{name: api, ports: [{containerPort: 8080, name: http}]}]}\n',
      'policy.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api-allow-web, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 8080}]}]\n',
    };
    await page.evaluate((list) => {
      const dt = new DataTransfer();
      for (const [name, text] of Object.entries(list)) dt.items.add(new File([text], name, { type: 'text/yaml' }));
      document.querySelector('.cm-content').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, files);
    await page.waitForFunction(() => window.meshverdictPlayground.text().startsWith('# file: apps.yaml'));
    const text = await editorText(page);
    assert.equal(text, `# file: apps.yaml\n${files['apps.yaml']}---\n# file: policy.yaml\n${files['policy.yaml']}`);
    await page.waitForFunction(() => document.querySelectorAll('#list-from option').length === 2);
    for (const q of [
      { from: 'shop/web', to: 'shop/api', port: 'http', protocol: 'TCP' },
      { from: 'shop/api', to: 'shop/api', port: '8080', protocol: 'TCP' },
    ]) {
      await ask(page, q);
      assertSameVerdict(await shownVerdict(page), text, 'calico', q);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a bad or foreign fragment gives a clear message, never a crash', async () => {
    const pack = (value) => deflateRawSync(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))).toString('base64url');
    const good = {
      format: 1,
      engine: '0',
      dataplane: 'generic',
      yaml: '',
      query: { from: '', to: '', port: '', protocol: 'TCP' },
      pane: 'verdict',
      matrix: { namespace: '', label: '', port: '', protocol: 'TCP' },
      focus: '',
    };
    const cases = [
      ['hello-world', /not a meshverdict playground state/],
      ['mv7.abc', /share format 7; this playground reads format 1/],
      ['mv1.@@@', /damaged: it holds characters/],
      ['mv1.AAAA', /damaged/],
      [`mv1.${pack('not json')}`, /not JSON/],
      [`mv1.${pack({ format: 1 })}`, /missing field engine/],
      [`mv1.${pack({ ...good, extra: 1 })}`, /unknown field extra/],
      [`mv1.${pack({ ...good, query: { ...good.query, port: 80 } })}`, /query\.port must be a string/],
      [`mv1.${pack({ ...good, pane: 'settings' })}`, /unknown pane "settings"/],
      [`mv1.${pack({ ...good, dataplane: 'ebpf' })}`, /dataplane "ebpf"/],
      [`mv1.${pack(' '.repeat(9 * 1024 * 1024))}`, /larger than 8 MB/],
      ['example=nope', /no example "nope"/],
    ];
    const { context, page, errors } = await fresh();
    for (const [fragment, message] of cases) {
      await page.goto('about:blank');
      await open(page, fragment);
      await page.waitForSelector('#notice:not([hidden])');
      assert.match(await page.textContent('#notice-text'), message, fragment.slice(0, 40));
      // The page still works: the last session or the first example is shown instead.
      assert.notEqual((await shownVerdict(page)).decision, null);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('works offline once loaded (service worker)', async () => {
    const { context, page, errors } = await fresh();
    await open(page, 'example=linkerd-2.18-port-change');
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('#pane-verdict [data-testid=verdict]');
    assert.equal((await shownVerdict(page)).decision, '✗ DENIED');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('keyboard: arrow keys move between the tabs', async () => {
    const { context, page } = await fresh();
    await open(page, 'example=linkerd-netpol-fixed');
    await page.focus('#tab-verdict');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('#tab-matrix', 'aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-matrix');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.getAttribute('#tab-diagnostics', 'aria-selected'), 'true');
    await context.close();
  });

  test('the matrix of a generated 300-pod cluster renders, and its cells agree with the CLI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mv-playground-'));
    try {
      generate(300, 60, dir);
      const file = join(dir, 'cluster.yaml');
      const text = readFileSync(file, 'utf8');
      const { context, page, errors } = await fresh();
      await open(page, 'example=linkerd-netpol-broken');
      await page.setInputFiles('#file-input', file);
      await page.waitForFunction(() => document.querySelectorAll('#list-from option').length === 300, null, { timeout: 60_000 });
      assert.equal(await page.inputValue('#dataplane'), 'calico');
      const shownText = await editorText(page);
      assert.equal(shownText, `# file: cluster.yaml\n${text}`);

      const t0 = Date.now();
      await page.click('#tab-matrix');
      await page.waitForSelector('#pane-matrix[data-ready]', { timeout: 120_000 });
      const wall = Date.now() - t0;
      const declaredMs = await page.evaluate(() => window.meshverdictPlayground.matrixMs());
      const status = await page.textContent('[data-testid=matrix-status]');
      assert.match(status, /^300 × 300 endpoints, 270,000 questions on every declared port/);
      await page.waitForSelector('[data-testid=matrix-canvas]');
      await shot(page, '05-matrix-300-pods.png');

      // Cells against the CLI: hover shows what the page holds for the cell.
      const box = await page.locator('[data-testid=matrix-canvas]').boundingBox();
      const { left, top, cell } = await page.evaluate(() => window.meshverdictPlayground.heatmap());
      const pods = (await page.$$eval('#list-from option', (o) => o.map((x) => x.value)));
      for (const [r, c] of [[0, 1], [17, 240], [150, 150], [199, 3], [64, 128]]) {
        await page.mouse.move(box.x + left + (c + 0.5) * cell, box.y + top + (r + 0.5) * cell);
        const hover = await page.textContent('.hover');
        const [from, to] = [pods[r], pods[c]];
        assert.ok(hover.startsWith(`${from} → ${to}: `), hover);
        const ports = [['http', 'TCP'], ['metrics', 'TCP'], ['dns', 'UDP']];
        const allowed = ports.filter(([port, protocol]) => check(shownText, 'calico', { from, to, port, protocol }).json.result.allowed).length;
        const expected = allowed === 3 ? 'allowed on its 3 declared ports' : allowed === 0 ? 'denied on its 3 declared ports' : `allowed on ${allowed} of 3 declared ports`;
        assert.equal(hover.slice(`${from} → ${to}: `.length), expected);
      }

      await page.fill('#m-port', 'http');
      const ready = await page.getAttribute('#pane-matrix', 'data-ready');
      await page.click('#pane-matrix form button[type=submit]');
      await page.waitForFunction((r) => document.querySelector('#pane-matrix')?.dataset.ready !== r, ready, { timeout: 120_000 });
      const oneMs = await page.evaluate(() => window.meshverdictPlayground.matrixMs());
      const oneStatus = await page.textContent('[data-testid=matrix-status]');
      assert.match(oneStatus, /^300 × 300 endpoints, 90,000 questions on http\/TCP/);
      report.push(
        'matrix, generated 300 pods / 60 policies (dataplane calico), computed and drawn in the page:',
        `  every declared port (270,000 questions): ${Math.round(declaredMs)} ms (click to drawn, wall: ${wall} ms)`,
        `  one port, http (90,000 questions):       ${Math.round(oneMs)} ms`,
        `  status: ${status}`,
        `  status: ${oneStatus}`,
      );
      assert.deepEqual(errors, []);
      await context.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('screenshots of each pane, and the time to the first verdict of each example', async () => {
    const { context, page } = await fresh();
    await open(page, 'example=linkerd-netpol-broken');
    await page.waitForSelector('[data-testid=diag-summary]', { state: 'attached' });
    await shot(page, '01-verdict.png');
    await page.click('#tab-matrix');
    await page.waitForSelector('[data-testid=matrix-table]');
    await page.click('[data-testid=matrix-table] button[aria-label^="emojivoto/web → linkerd/linkerd-controller"]');
    await shot(page, '02-matrix.png');
    await page.click('#tab-graph');
    await page.fill('#g-focus', 'linkerd/linkerd-controller');
    await page.check('#g-denied');
    await page.click('#pane-graph form button[type=submit]');
    await page.waitForSelector('[data-testid=graph] .peer');
    await shot(page, '03-graph.png');
    await page.click('#tab-diagnostics');
    await shot(page, '04-diagnostics.png');
    await page.click('#btn-examples');
    await shot(page, '06-examples.png');
    await context.close();

    const timings = [];
    for (const ex of EXAMPLES) {
      const c = await fresh();
      await open(c.page, `example=${ex.id}`);
      const t = await c.page.evaluate(() => performance.getEntriesByName('meshverdict:first-verdict')[0]?.startTime);
      assert.equal(typeof t, 'number');
      timings.push(`  ${ex.id.padEnd(26)} ${Math.round(t)} ms`);
      await c.context.close();
    }
    report.push('time from navigation start to the first verdict shown (cold context, localhost):', ...timings);

    const sizes = readdirSync(join(DIST, 'assets'))
      .filter((f) => /\.(js|wasm|css)$/.test(f))
      .map((f) => {
        const bytes = readFileSync(join(DIST, 'assets', f));
        return { f, raw: statSync(join(DIST, 'assets', f)).size, gz: gzipSync(bytes, { level: 9 }).length };
      })
      .sort((x, y) => y.gz - x.gz);
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
    report.push(
      'bundle (dist/assets, gzip -9):',
      ...sizes.map((s) => `  ${s.f.padEnd(44)} ${kb(s.raw).padStart(11)} raw ${kb(s.gz).padStart(11)} gzip`),
      `  all JS: ${kb(sizes.filter((s) => s.f.endsWith('.js')).reduce((a, s) => a + s.gz, 0))} gzip; .wasm: ${kb(sizes.filter((s) => s.f.endsWith('.wasm')).reduce((a, s) => a + s.gz, 0))} gzip`,
    );
  });
});
