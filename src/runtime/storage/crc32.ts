import * as zlib from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3, the polynomial zlib and ZooKeeper's Adler-free logs use) of `bytes`, continuing
 * `previous`, the CRC of the bytes before them (so a CRC can be computed piece by piece). node:zlib has a native
 * crc32 from Node 20.15 and 22.2; older Nodes fall back to the table-driven version below.
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return nativeCrc32 === undefined ? crc32Table(bytes, previous) : nativeCrc32(bytes, previous) >>> 0;
}

const nativeCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let value = byte;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[byte] = value >>> 0;
  }
  return table;
}

/** The portable table-driven CRC-32, one byte per step; `previous` is the CRC of the bytes before these. */
export function crc32Table(bytes: Uint8Array, previous = 0): number {
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let index = 0; index < bytes.length; index++) crc = TABLE[(crc ^ bytes[index]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
