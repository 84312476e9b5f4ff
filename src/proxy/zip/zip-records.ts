/**
 * The records of a zip file as the module zip writer needs them (APPNOTE.TXT 4.3; the choices
 * follow Go's archive/zip writer, which x/mod/zip.Create uses): deflated entries whose CRC-32
 * and sizes follow the data in a data descriptor, so an entry streams without being held; a
 * central directory; and the end records, with the zip64 ones only when the entry count needs
 * them. Written here rather than taken from a zip library to keep the Worker bundle small
 * (issue 12); deflate itself is the platform's CompressionStream, CRC-32 node:zlib's.
 */
import { crc32 } from "node:zlib";

const LOCAL_SIG = 0x04034b50;
const DESCRIPTOR_SIG = 0x08074b50;
const CENTRAL_SIG = 0x02014b50;
const EOCD_SIG = 0x06054b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;

/** "Version 2.0": deflate and data descriptors (archive/zip's zipVersion20); zip64 records need 4.5. */
const VERSION_20 = 20;
const VERSION_45 = 45;
const METHOD_DEFLATE = 8;
/** General purpose bit 3: CRC-32 and sizes are in the data descriptor after the data. */
const FLAG_DATA_DESCRIPTOR = 0x0008;
/** General purpose bit 11 (EFS): the name is UTF-8. */
const FLAG_UTF8 = 0x0800;
/**
 * 1980-01-01 00:00 in MS-DOS form: a fixed date so the same files always give the same zip
 * bytes (x/mod/zip leaves the time unset too; h1 never depends on it).
 */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const UINT16_MAX = 0xffff;
const UINT32_MAX = 0xffffffff;

/**
 * CRC-32 (IEEE, as zip stores it) of `bytes` continued from `crc` (0 to start): node:zlib's, on
 * Node and in workerd (nodejs_compat). An empty chunk leaves it as is: Node 20's crc32 answers 0
 * for an empty view of a zero-length ArrayBuffer (TextEncoder's "", an empty stream chunk),
 * whatever value it was given, as zlib's crc32() does for a null buffer.
 */
export function updateCrc32(crc: number, bytes: Uint8Array): number {
  return bytes.length === 0 ? crc : crc32(bytes, crc);
}

/** What the central directory repeats about one entry once its data is written. */
export interface WrittenEntry {
  name: Uint8Array;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/**
 * The flags of an entry named `name`. Bit 11 is set as archive/zip's detectUTF8 does: when the
 * name has a character outside the printable ASCII that CP-437 and UTF-8 share (below 0x20,
 * above 0x7d, or a backslash: Shift-JIS and EUC-KR readers show '~' and the backslash as overline and currency signs),
 * so readers that default to a local code page decode it right.
 */
export function entryFlags(name: string): number {
  return /[^\x20-\x5b\x5d-\x7d]/.test(name) ? FLAG_DATA_DESCRIPTOR | FLAG_UTF8 : FLAG_DATA_DESCRIPTOR;
}

/** Local file header (APPNOTE 4.3.7): CRC-32 and sizes are zero, the data descriptor follows the data. */
export function localHeader(name: Uint8Array, flags: number): Uint8Array {
  const out = new Uint8Array(30 + name.length);
  const v = view(out);
  v.setUint32(0, LOCAL_SIG, true);
  v.setUint16(4, VERSION_20, true);
  v.setUint16(6, flags, true);
  v.setUint16(8, METHOD_DEFLATE, true);
  v.setUint16(10, DOS_TIME, true);
  v.setUint16(12, DOS_DATE, true);
  // 14..25: CRC-32, compressed and uncompressed sizes, all zero (bit 3); 26: name length; 28: no extra field.
  v.setUint16(26, name.length, true);
  out.set(name, 30);
  return out;
}

/** Data descriptor (APPNOTE 4.3.9), with its optional signature, as archive/zip writes it. */
export function dataDescriptor(entry: Pick<WrittenEntry, "crc32" | "compressedSize" | "size">): Uint8Array {
  const out = new Uint8Array(16);
  const v = view(out);
  v.setUint32(0, DESCRIPTOR_SIG, true);
  v.setUint32(4, entry.crc32, true);
  v.setUint32(8, entry.compressedSize, true);
  v.setUint32(12, entry.size, true);
  return out;
}

/** Central directory file header (APPNOTE 4.3.12); creator 0 (MS-DOS) and no attributes, as archive/zip's Create. */
export function centralHeader(entry: WrittenEntry): Uint8Array {
  const out = new Uint8Array(46 + entry.name.length);
  const v = view(out);
  v.setUint32(0, CENTRAL_SIG, true);
  v.setUint16(4, VERSION_20, true);
  v.setUint16(6, VERSION_20, true);
  v.setUint16(8, entry.flags, true);
  v.setUint16(10, METHOD_DEFLATE, true);
  v.setUint16(12, DOS_TIME, true);
  v.setUint16(14, DOS_DATE, true);
  v.setUint32(16, entry.crc32, true);
  v.setUint32(20, entry.compressedSize, true);
  v.setUint32(24, entry.size, true);
  v.setUint16(28, entry.name.length, true);
  // 30..41: extra and comment lengths, disk number, internal and external attributes: all zero.
  v.setUint32(42, entry.localHeaderOffset, true);
  out.set(entry.name, 46);
  return out;
}

/**
 * The end of the archive: the end of central directory record (APPNOTE 4.3.16), preceded by
 * the zip64 end record and locator (4.3.14, 4.3.15) when there are 65535 entries or more — the
 * condition archive/zip's writer uses; the 16-bit count then holds 0xffff.
 */
export function endRecords(count: number, directorySize: number, directoryOffset: number): Uint8Array {
  const zip64 = count >= UINT16_MAX;
  const out = new Uint8Array((zip64 ? 56 + 20 : 0) + 22);
  const v = view(out);
  let at = 0;
  if (zip64) {
    v.setUint32(0, ZIP64_EOCD_SIG, true);
    v.setBigUint64(4, 44n, true); // size of the rest of this record
    v.setUint16(12, VERSION_45, true);
    v.setUint16(14, VERSION_45, true);
    // 16..23: this disk and the directory's disk, both 0.
    v.setBigUint64(24, BigInt(count), true);
    v.setBigUint64(32, BigInt(count), true);
    v.setBigUint64(40, BigInt(directorySize), true);
    v.setBigUint64(48, BigInt(directoryOffset), true);
    v.setUint32(56, ZIP64_LOCATOR_SIG, true);
    // 60: the disk holding the zip64 record (0); 64: its offset; 72: one disk in all.
    v.setBigUint64(64, BigInt(directoryOffset + directorySize), true);
    v.setUint32(72, 1, true);
    at = 76;
  }
  v.setUint32(at, EOCD_SIG, true);
  v.setUint16(at + 8, Math.min(count, UINT16_MAX), true);
  v.setUint16(at + 10, Math.min(count, UINT16_MAX), true);
  v.setUint32(at + 12, directorySize, true);
  v.setUint32(at + 16, directoryOffset, true);
  return out;
}

/**
 * The 32-bit fields hold every offset and size of a module zip: x/mod/zip caps its files at
 * 500 MiB together (MaxZipFile, checked by checkFiles). A caller past that gets an error, never
 * a zip with wrapped offsets.
 */
export function checkFits32(value: number, what: string): void {
  if (value > UINT32_MAX) throw new Error(`module zip: ${what} passes 4 GiB; module zips are limited to 500 MiB (run checkFiles first)`);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
