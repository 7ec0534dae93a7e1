// Parsing the address lists of the command line, with messages that say
// exactly which part is wrong.

export function parseAddress(text: string, what: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`${what}: expected host:port, got ${JSON.stringify(text)}`);
  const port = Number(match[2]);
  if (port < 0 || port > 65535) throw new Error(`${what}: port ${port} is out of range`);
  return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port };
}

/** "n1=a,n2=b" -> { n1: "a", n2: "b" }; ids must be unique and non-empty. */
export function parseNamedList(text: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const equals = item.indexOf('=');
    if (equals <= 0 || equals === item.length - 1) throw new Error(`${what}: expected id=value, got ${JSON.stringify(item)}`);
    const id = item.slice(0, equals);
    if (out[id] !== undefined) throw new Error(`${what}: ${id} appears twice`);
    out[id] = item.slice(equals + 1);
  }
  if (Object.keys(out).length === 0) throw new Error(`${what} is empty`);
  return out;
}
