// Damage that `load` cannot repair by dropping a log tail: the hard state, the
// snapshot or the node's bootstrap record is unreadable. The node must not
// start from a guess; an operator wipes its directory and lets it rejoin.

export class StorageCorruptionError extends Error {
  override readonly name = 'StorageCorruptionError';
}
