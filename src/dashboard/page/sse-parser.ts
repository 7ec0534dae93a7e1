// Server-Sent Events read from a fetch body, as the EventSource of a browser
// would read them (the WHATWG "event stream interpretation"): lines end in
// LF, CRLF or CR; `event:`, `data:` (joined with LF when repeated), `retry:`
// and `id:` fields; lines starting with ":" are comments; a blank line
// dispatches. The page reads its stream with fetch, not EventSource, because
// EventSource cannot send an Authorization header (dom/stream.ts).

export interface SseEvent {
  /** `message` when the block named none. */
  readonly event: string;
  readonly data: string;
}

export interface SseParser {
  /** Feeds the next piece of decoded text; whole events go to `onEvent` as their blank line arrives. */
  push(text: string): void;
}

export function createSseParser(onEvent: (event: SseEvent) => void, onRetry: (ms: number) => void = () => undefined): SseParser {
  let buffer = '';
  let eventName = '';
  let data: string[] = [];
  /** A CR ended the last piece: an LF starting this one belongs to it. */
  let afterCr = false;

  function line(text: string): void {
    if (text === '') {
      if (data.length > 0) onEvent({ event: eventName || 'message', data: data.join('\n') });
      eventName = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventName = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value));
  }

  return {
    push(text) {
      buffer += afterCr && text.startsWith('\n') ? text.slice(1) : text;
      afterCr = false;
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        if (!match) break;
        // A CR at the very end may be the first half of a CRLF still on its way.
        if (match[0] === '\r' && match.index === buffer.length - 1) {
          line(buffer.slice(0, match.index));
          buffer = '';
          afterCr = true;
          break;
        }
        line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    },
  };
}
