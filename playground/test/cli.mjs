// The release CLI, the reference the page must agree with: same input text, same flags.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = process.env.MESHVERDICT_CLI ?? `${REPO}target/release/meshverdict`;

export function cliMissing() {
  return existsSync(CLI) ? undefined : `${CLI} is missing: run cargo build --release -p meshverdict-cli (playground/test.sh does)`;
}

function run(args, input) {
  const r = spawnSync(CLI, args, { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}

/** `meshverdict check -f - … -o json` on `text`: the answer envelope. */
export function check(text, dataplane, q) {
  const args = ['check', '-f', '-', '--dataplane', dataplane, '--from', q.from, '--to', q.to, '--port', String(q.port), '--protocol', q.protocol ?? 'TCP'];
  const json = JSON.parse(run([...args, '-o', 'json'], text).stdout);
  const textOut = run(args, text).stdout;
  return { json, text: textOut };
}

/** `meshverdict diagnose -f - -o json` on `text`. */
export function diagnose(text, dataplane) {
  return JSON.parse(run(['diagnose', '-f', '-', '--dataplane', dataplane, '-o', 'json'], text).stdout);
}

export function generate(pods, policies, out) {
  const r = run(['generate', '--pods', String(pods), '--policies', String(policies), '--queries', '1', '--out', out]);
  if (r.status !== 0) throw new Error(`meshverdict generate failed: ${r.stderr}`);
}
