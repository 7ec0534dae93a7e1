// Reads a request body as JSON within the limits: the declared length is
// checked before a byte is read, the running total while streaming, and a
// body that stops arriving gets 408 instead of holding the handler forever.

import type { IncomingMessage } from 'node:http';
import { badRequest, clip, HttpError } from './http-error.js';
import type { HttpLimits } from './limits.js';

/** The client went away mid-body: there is no one left to answer. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/** Marks "no body sent" for routes where a body is optional. */
export const NO_BODY: unique symbol = Symbol('no body');

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** application/json, or any application/<x>+json; parameters such as charset are ignored. */
function isJsonMediaType(contentType: string): boolean {
  const mediaType = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(mediaType);
}

/**
 * The body parsed as JSON. A missing Content-Type is taken as JSON (curl -T,
 * hand-written clients); any other non-JSON type is refused with 415.
 */
export async function readJsonBody(req: IncomingMessage, limits: HttpLimits, required: boolean): Promise<unknown> {
  const contentType = req.headers['content-type'];
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    throw new HttpError(415, 'Unsupported Content-Type', `expected application/json, got ${JSON.stringify(clip(contentType))}`);
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxBodyBytes) {
    throw tooLarge(limits);
  }
  const bytes = await readBytes(req, limits);
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw badRequest('the body is not valid UTF-8');
  }
  if (text.trim().length === 0) {
    if (required) throw new HttpError(400, 'Missing body', 'send the JSON value as the request body');
    return NO_BODY;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'Invalid JSON', error instanceof Error ? error.message : undefined);
  }
}

function tooLarge(limits: HttpLimits): HttpError {
  return new HttpError(413, 'Body too large', `a body is at most ${limits.maxBodyBytes} bytes`);
}

function readBytes(req: IncomingMessage, limits: HttpLimits): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const timer = setTimeout(
      () => finish(new HttpError(408, 'Body timeout', `the body did not arrive within ${limits.bodyTimeoutMs} ms`)),
      limits.bodyTimeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      received += chunk.byteLength;
      if (received > limits.maxBodyBytes) {
        finish(tooLarge(limits));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(null);
    const onClose = (): void => {
      if (!req.complete) finish(new ClientGoneError('the client closed the connection mid-body'));
    };
    const onError = (): void => finish(new ClientGoneError('the request stream failed'));
    function finish(error: Error | null): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onError);
      if (error) {
        // Stop reading until the answer is written; writeReply then drains what is left.
        req.pause();
        reject(error);
      } else {
        resolve(Buffer.concat(chunks, received));
      }
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onError);
  });
}
