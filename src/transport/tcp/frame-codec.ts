// Length-prefixed frames on a byte stream: a 4-byte big-endian unsigned
// payload length, then the payload. The decoder is pull-based (`next()` returns
// one frame at a time) because the size limit changes mid-stream: a connection
// accepts only small frames until its handshake is done, and the frames after
// the handshake may already sit in the same chunk.

import { assert } from '../../ground/assert.js';

export const FRAME_HEADER_BYTES = 4;

/** Read chunks are forgotten in bulk once this many (and half the array) are behind the read position. */
const COMPACT_AFTER_CHUNKS = 64;

/** The largest length the 4-byte header can express. */
export const MAX_ENCODABLE_FRAME_BYTES = 0xffff_ffff;

export type FrameError =
  /** The header announces more than the current limit (a "negative" int32 length lands here too). */
  | { readonly kind: 'frame-too-large'; readonly lengthBytes: number; readonly maxFrameBytes: number }
  /** No batch or handshake frame is ever empty, so a zero length is garbage. */
  | { readonly kind: 'empty-frame' };

export type NextFrame =
  | { readonly ok: true; readonly frame: Uint8Array }
  /** Not enough bytes buffered for the next frame yet. */
  | { readonly ok: true; readonly frame: null }
  | { readonly ok: false; readonly error: FrameError };

export function describeFrameError(error: FrameError): string {
  switch (error.kind) {
    case 'frame-too-large':
      return `frame of ${error.lengthBytes} bytes is over the ${error.maxFrameBytes}-byte limit`;
    case 'empty-frame':
      return 'empty frame';
  }
}

/** One frame in one buffer: header and payload, ready for a single socket write. */
export function encodeFrame(payload: Uint8Array): Buffer {
  assert(payload.byteLength > 0, 'a frame payload is never empty');
  assert(payload.byteLength <= MAX_ENCODABLE_FRAME_BYTES, 'a frame payload fits the 4-byte length');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.byteLength);
  frame.writeUInt32BE(payload.byteLength, 0);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Reassembles frames from chunks of any size. Holds at most the bytes pushed
 * and not yet returned; a frame over `maxFrameBytes` is reported as soon as its
 * header arrives, before any of its payload is buffered, and the decoder stays
 * failed (the stream has lost its framing).
 */
export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  /** Index of the first chunk with unread bytes: an index, not shift(), so many tiny chunks stay linear. */
  private headChunk = 0;
  /** Offset of the first unread byte in chunks[headChunk]. */
  private headOffset = 0;
  private buffered = 0;
  private failure: FrameError | null = null;

  constructor(private maxFrameBytes: number) {
    assert(Number.isInteger(maxFrameBytes) && maxFrameBytes >= 1, 'maxFrameBytes is a positive integer');
  }

  /** Bytes pushed but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  setMaxFrameBytes(maxFrameBytes: number): void {
    assert(Number.isInteger(maxFrameBytes) && maxFrameBytes >= 1, 'maxFrameBytes is a positive integer');
    this.maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0 || this.failure !== null) return;
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
  }

  next(): NextFrame {
    if (this.failure !== null) return { ok: false, error: this.failure };
    if (this.buffered < FRAME_HEADER_BYTES) return { ok: true, frame: null };
    const lengthBytes = this.peekLength();
    if (lengthBytes === 0) return this.fail({ kind: 'empty-frame' });
    if (lengthBytes > this.maxFrameBytes) {
      return this.fail({ kind: 'frame-too-large', lengthBytes, maxFrameBytes: this.maxFrameBytes });
    }
    if (this.buffered < FRAME_HEADER_BYTES + lengthBytes) return { ok: true, frame: null };
    this.skip(FRAME_HEADER_BYTES);
    return { ok: true, frame: this.take(lengthBytes) };
  }

  private fail(error: FrameError): NextFrame {
    this.failure = error;
    this.chunks = [];
    this.headChunk = 0;
    this.headOffset = 0;
    this.buffered = 0;
    return { ok: false, error };
  }

  private peekLength(): number {
    let length = 0;
    let chunkIndex = this.headChunk;
    let offset = this.headOffset;
    for (let i = 0; i < FRAME_HEADER_BYTES; i += 1) {
      let chunk = this.chunks[chunkIndex];
      assert(chunk !== undefined, 'the header is within the buffered bytes');
      while (offset >= chunk.byteLength) {
        chunkIndex += 1;
        offset = 0;
        chunk = this.chunks[chunkIndex];
        assert(chunk !== undefined, 'the header is within the buffered bytes');
      }
      // Multiplication, not <<, so the result stays an unsigned number above 2^31.
      length = length * 256 + (chunk[offset] ?? 0);
      offset += 1;
    }
    return length;
  }

  private skip(count: number): void {
    let remaining = count;
    while (remaining > 0) {
      const chunk = this.chunks[this.headChunk];
      assert(chunk !== undefined, 'skipping within the buffered bytes');
      const available = chunk.byteLength - this.headOffset;
      if (available > remaining) {
        this.headOffset += remaining;
        this.buffered -= remaining;
        return;
      }
      remaining -= available;
      this.buffered -= available;
      this.headChunk += 1;
      this.headOffset = 0;
    }
    this.dropConsumedChunks();
  }

  /** Forget chunks already read, in bulk, so the array does not keep them alive. */
  private dropConsumedChunks(): void {
    if (this.headChunk === this.chunks.length) {
      this.chunks = [];
      this.headChunk = 0;
    } else if (this.headChunk >= COMPACT_AFTER_CHUNKS && this.headChunk * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.headChunk);
      this.headChunk = 0;
    }
  }

  /** The next `count` bytes: a view when one chunk holds them all (the common case), else one copy. */
  private take(count: number): Uint8Array {
    const first = this.chunks[this.headChunk];
    assert(first !== undefined, 'taking within the buffered bytes');
    if (first.byteLength - this.headOffset >= count) {
      const view = first.subarray(this.headOffset, this.headOffset + count);
      this.skip(count);
      return view;
    }
    const out = Buffer.allocUnsafe(count);
    let written = 0;
    while (written < count) {
      const chunk = this.chunks[this.headChunk];
      assert(chunk !== undefined, 'taking within the buffered bytes');
      const n = Math.min(count - written, chunk.byteLength - this.headOffset);
      out.set(chunk.subarray(this.headOffset, this.headOffset + n), written);
      written += n;
      this.skip(n);
    }
    return out;
  }
}

/**
 * The frames in `bytes` as a pure function of the input: every complete frame
 * up to the first error, the error if any, and how many trailing bytes form an
 * incomplete frame. Used by tests and tools; connections use FrameDecoder.
 */
export function decodeFrames(
  bytes: Uint8Array,
  maxFrameBytes: number,
): { readonly frames: Uint8Array[]; readonly error: FrameError | null; readonly incompleteBytes: number } {
  const decoder = new FrameDecoder(maxFrameBytes);
  decoder.push(bytes);
  const frames: Uint8Array[] = [];
  // Each successful step consumes at least one header, so this ends.
  for (;;) {
    const next = decoder.next();
    if (!next.ok) return { frames, error: next.error, incompleteBytes: 0 };
    if (next.frame === null) return { frames, error: null, incompleteBytes: decoder.bufferedBytes };
    frames.push(next.frame);
  }
}
