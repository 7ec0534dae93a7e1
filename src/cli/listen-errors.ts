// A busy or forbidden address said in one line with the way out, not a stack trace.

interface ListenError {
  readonly code?: string;
  readonly port?: number;
  readonly address?: string;
}

/** One line for an error from listen(), or null when it is not about the address. */
export function listenProblem(error: unknown, wayOut: (port: number) => string): string | null {
  const { code, port, address } = listenErrorOf(error);
  if (typeof port !== 'number') return null;
  const where = `${address ?? 'the address'}:${port}`;
  if (code === 'EADDRINUSE') return `port ${port} is in use (${where}): ${wayOut(port)}`;
  if (code === 'EACCES') return `no permission to listen on ${where}: ${wayOut(port)}`;
  if (code === 'EADDRNOTAVAIL') return `${address ?? 'the address'} is not an address of this machine`;
  return null;
}

/** The error's own fields, or the ones its message names when it crossed a thread as text ("listen EADDRINUSE: address already in use 127.0.0.1:5001"). */
function listenErrorOf(error: unknown): ListenError {
  const fields = (error ?? {}) as ListenError;
  if (typeof fields.port === 'number') return fields;
  const message = error instanceof Error ? error.message : String(error);
  const match = /listen (E[A-Z]+)\b.* (\[?[0-9a-fA-F.:]+?\]?):(\d+)\b/.exec(message);
  if (!match) return fields;
  return { code: match[1] as string, address: match[2] as string, port: Number(match[3]) };
}
