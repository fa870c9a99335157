// The terminal command lines that give what the page shows, for the same input saved as
// cluster.yaml: the bridge from the playground back to CI.

import { SOURCE_NAME } from './engine';
import type { Query } from './engine-types';

/** POSIX shell quoting: bare when safe, else single quotes. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function checkCommand(q: Query, dataplane: string): string {
  const args = ['meshverdict', 'check', '-f', SOURCE_NAME, '--dataplane', dataplane, '--from', q.from.trim(), '--to', q.to.trim(), '--port', q.port.trim()];
  if (q.protocol !== 'TCP') args.push('--protocol', q.protocol);
  return args.map(shellQuote).join(' ');
}

export function diagnoseCommand(dataplane: string): string {
  return ['meshverdict', 'diagnose', '-f', SOURCE_NAME, '--dataplane', dataplane].map(shellQuote).join(' ');
}
