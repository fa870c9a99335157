// The share format: the whole state in the URL fragment, so a link carries everything
// and nothing is sent anywhere (browsers never send the fragment).
//
//   #mv1.<base64url(deflate-raw(JSON))>
//
// The JSON is `{ format: 1, engine, dataplane, yaml, query, pane, matrix, focus }`.
// Import is strict: a fragment that is not ours, not decodable, too large, or with a
// missing, unknown or mistyped field is refused with a message, never half-applied.

import { PANES, PROTOCOLS, type AppState, type Pane } from './state';

export const FORMAT = 1;
export const PREFIX = `mv${FORMAT}.`;
/** Most a payload may inflate to: a bound against a crafted link. */
export const MAX_PAYLOAD = 8 * 1024 * 1024;

export interface SharePayload {
  format: number;
  engine: string;
  dataplane: string;
  yaml: string;
  query: AppState['query'];
  pane: Pane;
  matrix: AppState['matrix'];
  focus: string;
}

export class ShareError extends Error {}

export function toPayload(state: AppState, engine: string): SharePayload {
  return {
    format: FORMAT,
    engine,
    dataplane: state.dataplane,
    yaml: state.yaml,
    query: { ...state.query },
    pane: state.pane,
    matrix: { ...state.matrix },
    focus: state.focus,
  };
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, limit: number): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(stream).getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new ShareError(`the shared state is larger than ${limit / 1024 / 1024} MB once unpacked`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function toBase64url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new ShareError('the link is damaged: it holds characters that base64url never uses');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new ShareError('the link is damaged: its data is not base64url');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The fragment (without `#`) that carries this state. */
export async function encodeFragment(payload: SharePayload): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(payload));
  return PREFIX + toBase64url(await pipe(json, new CompressionStream('deflate-raw'), Infinity));
}

/** Whether a fragment claims to be a share link (of any format version). */
export function looksShared(fragment: string): boolean {
  return /^mv\d+\./.test(fragment);
}

export async function decodeFragment(fragment: string): Promise<SharePayload> {
  const version = /^mv(\d+)\./.exec(fragment);
  if (!version) throw new ShareError('this link does not hold a meshverdict playground state');
  if (Number(version[1]) !== FORMAT) {
    throw new ShareError(`this link uses share format ${version[1]}; this playground reads format ${FORMAT}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await pipe(fromBase64url(fragment.slice(PREFIX.length)), new DecompressionStream('deflate-raw'), MAX_PAYLOAD);
  } catch (e) {
    if (e instanceof ShareError) throw e;
    throw new ShareError('the link is damaged: its data does not decompress (was it cut short?)');
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ShareError('the link is damaged: its data is not JSON text');
  }
  return validate(value);
}

type Shape = 'string' | 'number' | { [key: string]: Shape };

const SHAPE: { [key: string]: Shape } = {
  format: 'number',
  engine: 'string',
  dataplane: 'string',
  yaml: 'string',
  query: { from: 'string', to: 'string', port: 'string', protocol: 'string' },
  pane: 'string',
  matrix: { namespace: 'string', label: 'string', port: 'string', protocol: 'string' },
  focus: 'string',
};

function check(value: unknown, shape: Shape, at: string): void {
  if (typeof shape === 'string') {
    if (typeof value !== shape) throw new ShareError(`the shared state is invalid: ${at} must be a ${shape}`);
    return;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ShareError(`the shared state is invalid: ${at || 'it'} must be an object`);
  }
  const keys = Object.keys(value);
  for (const k of keys) {
    if (!(k in shape)) throw new ShareError(`the shared state is invalid: unknown field ${at ? `${at}.` : ''}${k}`);
  }
  for (const [k, s] of Object.entries(shape)) {
    if (!keys.includes(k)) throw new ShareError(`the shared state is invalid: missing field ${at ? `${at}.` : ''}${k}`);
    check((value as Record<string, unknown>)[k], s, at ? `${at}.${k}` : k);
  }
}

/** Checks every field of an imported state (a link or a downloaded bundle). */
export function validate(value: unknown): SharePayload {
  check(value, SHAPE, '');
  const p = value as SharePayload;
  if (p.format !== FORMAT) throw new ShareError(`the shared state is format ${p.format}; this playground reads format ${FORMAT}`);
  if (!(PANES as readonly string[]).includes(p.pane)) throw new ShareError(`the shared state is invalid: unknown pane "${p.pane}"`);
  if (!/^[a-z]+$/.test(p.dataplane)) throw new ShareError(`the shared state is invalid: dataplane "${p.dataplane}"`);
  for (const [at, proto] of [['query', p.query.protocol], ['matrix', p.matrix.protocol]] as const) {
    if (!(PROTOCOLS as readonly string[]).includes(proto)) throw new ShareError(`the shared state is invalid: ${at}.protocol "${proto}"`);
  }
  return p;
}
