// Invariants crash the node: a broken invariant means the code is wrong, and
// going on would risk the data. Expected failures are returned values instead.

export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

export function unreachable(value: never, message = 'unreachable'): never {
  throw new InvariantError(`${message}: ${JSON.stringify(value)}`);
}
