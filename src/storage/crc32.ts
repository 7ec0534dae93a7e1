// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), table driven: one
// table lookup per byte. Guards stored records against torn writes and bit rot;
// it is not a defence against deliberate tampering.

const REFLECTED_POLYNOMIAL = 0xedb88320;
const TABLE_SIZE = 256;

const TABLE: Uint32Array = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(TABLE_SIZE);
  for (let byte = 0; byte < TABLE_SIZE; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 1 ? (crc >>> 1) ^ REFLECTED_POLYNOMIAL : crc >>> 1;
    }
    table[byte] = crc >>> 0;
  }
  return table;
}

/** The CRC-32 of `bytes` as an unsigned 32-bit integer (crc32("123456789") === 0xcbf43926). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    // Both indexes are in range by construction; `!` only satisfies noUncheckedIndexedAccess.
    crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
