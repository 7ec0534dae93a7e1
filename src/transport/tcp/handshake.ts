// The handshake that authenticates both ends of a connection with the
// cluster's shared secret, in three frames:
//
//   dialer   -> listener  hello   {clusterId, from, to, nonceD, proof(hello)}
//   listener -> dialer    welcome {from, nonceL, proof(welcome)}
//   dialer   -> listener  confirm {proof(confirm)}
//
// proof(x) = HMAC-SHA256(secret, label x, then every field length-prefixed):
//   hello:   clusterId, dialer id, listener id, nonceD
//   welcome: clusterId, listener id, dialer id, nonceD, nonceL
//   confirm: clusterId, dialer id, listener id, nonceD, nonceL
//
// The hello proof lets the listener refuse a stranger (wrong secret, wrong
// cluster, unknown or misaddressed node id) at the first frame, but a recorded
// hello can be replayed, so it proves nothing about freshness. The welcome
// proof covers the dialer's fresh nonce (the listener is live and knows the
// secret); the confirm proof covers the listener's fresh nonce, so only a live
// holder of the secret gets a connection accepted. Labels keep one kind of
// proof from standing in for another; length prefixes keep "ab"+"c" apart
// from "a"+"bc". Nothing is delivered before the confirm is checked.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Packr, Unpackr } from 'msgpackr';
import type { NodeId } from '../../core/types.js';
import { encodeFrame } from './frame-codec.js';
import { MAX_ID_LENGTH, MAX_LOGGED_STRING_LENGTH, NONCE_BYTES } from './limits.js';

/** Bumped when the handshake or the data frames change incompatibly; a mismatch is refused. */
export const PROTOCOL_VERSION = 1;

const PROOF_BYTES = 32;
const LABEL_PREFIX = 'replikit/tcp/v1 ';

export interface Hello {
  readonly kind: 'hello';
  readonly version: number;
  readonly clusterId: string;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly nonce: Uint8Array;
  readonly proof: Uint8Array;
}

export interface Welcome {
  readonly kind: 'welcome';
  readonly version: number;
  readonly from: NodeId;
  readonly nonce: Uint8Array;
  readonly proof: Uint8Array;
}

export interface Confirm {
  readonly kind: 'confirm';
  readonly proof: Uint8Array;
}

export type HandshakeFrame = Hello | Welcome | Confirm;

/** What both ends must agree on; `secret` never leaves the process. */
export interface HandshakeKeys {
  readonly clusterId: string;
  readonly secret: Uint8Array;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

// Plain maps, no records: handshake frames are tiny and decoded from strangers.
const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });

export function newNonce(): Uint8Array {
  return randomBytes(NONCE_BYTES);
}

function proof(secret: Uint8Array, label: string, fields: readonly (string | Uint8Array)[]): Buffer {
  const hmac = createHmac('sha256', secret);
  hmac.update(LABEL_PREFIX + label);
  const length = Buffer.allocUnsafe(4);
  for (const field of fields) {
    const bytes = typeof field === 'string' ? Buffer.from(field, 'utf8') : field;
    length.writeUInt32BE(bytes.byteLength, 0);
    hmac.update(length);
    hmac.update(bytes);
  }
  return hmac.digest();
}

function sameProof(expected: Uint8Array, actual: Uint8Array): boolean {
  // timingSafeEqual throws on different lengths; the length is no secret.
  return actual.byteLength === expected.byteLength && timingSafeEqual(actual, expected);
}

/** An untrusted string as it may appear in a log line: quoted, escaped, and cut short. */
export function quoteForLog(value: string): string {
  const cut = value.length > MAX_LOGGED_STRING_LENGTH ? `${value.slice(0, MAX_LOGGED_STRING_LENGTH)}...` : value;
  return JSON.stringify(cut);
}

export function encodeHandshakeFrame(frame: HandshakeFrame): Buffer {
  return encodeFrame(packr.pack(frame));
}

// ------------------------------------------------------------------- dialer

export function makeHello(keys: HandshakeKeys, from: NodeId, to: NodeId, nonce: Uint8Array): Hello {
  return {
    kind: 'hello',
    version: PROTOCOL_VERSION,
    clusterId: keys.clusterId,
    from,
    to,
    nonce,
    proof: proof(keys.secret, 'hello', [keys.clusterId, from, to, nonce]),
  };
}

/** The dialer's check of the listener's answer to its hello. */
export function checkWelcome(keys: HandshakeKeys, frame: unknown, dialer: NodeId, expectedListener: NodeId, dialerNonce: Uint8Array): Checked<Welcome> {
  if (!isWelcome(frame)) return { ok: false, reason: 'malformed welcome' };
  if (frame.version !== PROTOCOL_VERSION) return { ok: false, reason: `protocol version ${frame.version}, not ${PROTOCOL_VERSION}` };
  if (frame.from !== expectedListener) {
    return { ok: false, reason: `listener says it is ${quoteForLog(frame.from)}, expected ${quoteForLog(expectedListener)}` };
  }
  const expected = proof(keys.secret, 'welcome', [keys.clusterId, expectedListener, dialer, dialerNonce, frame.nonce]);
  if (!sameProof(expected, frame.proof)) return { ok: false, reason: 'bad welcome proof (wrong secret or cluster id)' };
  return { ok: true, value: frame };
}

export function makeConfirm(keys: HandshakeKeys, dialer: NodeId, listener: NodeId, dialerNonce: Uint8Array, listenerNonce: Uint8Array): Confirm {
  return { kind: 'confirm', proof: proof(keys.secret, 'confirm', [keys.clusterId, dialer, listener, dialerNonce, listenerNonce]) };
}

// ----------------------------------------------------------------- listener

/** The listener's check of a dialer's first frame; `isKnownPeer` says whose connections it accepts. */
export function checkHello(keys: HandshakeKeys, frame: unknown, listener: NodeId, isKnownPeer: (id: NodeId) => boolean): Checked<Hello> {
  if (!isHello(frame)) return { ok: false, reason: 'malformed hello' };
  if (frame.version !== PROTOCOL_VERSION) return { ok: false, reason: `protocol version ${frame.version}, not ${PROTOCOL_VERSION}` };
  if (frame.clusterId !== keys.clusterId) {
    return { ok: false, reason: `cluster id ${quoteForLog(frame.clusterId)} is not ours (${quoteForLog(keys.clusterId)})` };
  }
  if (frame.to !== listener) return { ok: false, reason: `hello is addressed to ${quoteForLog(frame.to)}, not to us` };
  if (!isKnownPeer(frame.from)) return { ok: false, reason: `unknown node id ${quoteForLog(frame.from)}` };
  const expected = proof(keys.secret, 'hello', [keys.clusterId, frame.from, listener, frame.nonce]);
  if (!sameProof(expected, frame.proof)) {
    return { ok: false, reason: `bad hello proof from ${quoteForLog(frame.from)} (wrong secret)` };
  }
  return { ok: true, value: frame };
}

export function makeWelcome(keys: HandshakeKeys, listener: NodeId, dialer: NodeId, dialerNonce: Uint8Array, listenerNonce: Uint8Array): Welcome {
  return {
    kind: 'welcome',
    version: PROTOCOL_VERSION,
    from: listener,
    nonce: listenerNonce,
    proof: proof(keys.secret, 'welcome', [keys.clusterId, listener, dialer, dialerNonce, listenerNonce]),
  };
}

export function checkConfirm(
  keys: HandshakeKeys,
  frame: unknown,
  dialer: NodeId,
  listener: NodeId,
  dialerNonce: Uint8Array,
  listenerNonce: Uint8Array,
): Checked<Confirm> {
  if (!isConfirm(frame)) return { ok: false, reason: 'malformed confirm' };
  const expected = proof(keys.secret, 'confirm', [keys.clusterId, dialer, listener, dialerNonce, listenerNonce]);
  if (!sameProof(expected, frame.proof)) return { ok: false, reason: `bad confirm proof from ${quoteForLog(dialer)}` };
  return { ok: true, value: frame };
}

// ------------------------------------------------------------------ parsing

/** A handshake frame's payload as an object, or the reason it is not one; never throws. */
export function decodeHandshakePayload(payload: Uint8Array): Checked<unknown> {
  try {
    return { ok: true, value: unpackr.unpack(payload) };
  } catch (error) {
    return { ok: false, reason: `undecodable handshake frame (${error instanceof Error ? error.message : String(error)})` };
  }
}

type Fields = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

function isBytes(value: unknown, length: number): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength === length;
}

function isHello(value: unknown): value is Hello {
  return (
    isRecord(value) &&
    value.kind === 'hello' &&
    typeof value.version === 'number' &&
    isId(value.clusterId) &&
    isId(value.from) &&
    isId(value.to) &&
    isBytes(value.nonce, NONCE_BYTES) &&
    isBytes(value.proof, PROOF_BYTES)
  );
}

function isWelcome(value: unknown): value is Welcome {
  return (
    isRecord(value) &&
    value.kind === 'welcome' &&
    typeof value.version === 'number' &&
    isId(value.from) &&
    isBytes(value.nonce, NONCE_BYTES) &&
    isBytes(value.proof, PROOF_BYTES)
  );
}

function isConfirm(value: unknown): value is Confirm {
  return isRecord(value) && value.kind === 'confirm' && isBytes(value.proof, PROOF_BYTES);
}
