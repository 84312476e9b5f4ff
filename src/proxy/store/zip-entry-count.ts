// How many files a stored module zip holds, read from its end-of-central-
// directory record (APPNOTE.TXT 4.3.16, and 4.3.14 for zip64) and its
// central directory: the zip is streamed and only its tail and one header at
// a time are kept, so a 500 MiB zip costs no memory.
// `modgate resolve` prints the count next to the h1.
import type { StoredObject } from "./store.js";

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const CD_SIGNATURE = 0x02014b50;
const CD_HEADER_SIZE = 46;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
/** The record, a comment of up to 65535 bytes after it, and a zip64 locator before it. */
const TAIL_BYTES = EOCD_SIZE + 0xffff + ZIP64_LOCATOR_SIZE;

export async function zipEntryCount(zip: StoredObject): Promise<number> {
  const tail = await lastBytes(zip.stream(), TAIL_BYTES);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let at = tail.length - EOCD_SIZE; at >= 0; at--) {
    if (view.getUint32(at, true) !== EOCD_SIGNATURE) continue;
    const locator = at - ZIP64_LOCATOR_SIZE;
    if (locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR_SIGNATURE) {
      return zip64EntryCount(zip, Number(view.getBigUint64(locator + 8, true)));
    }
    // The record's 16-bit count wraps past 65535 files in a zip without zip64
    // records (Go's archive/zip accepts that: it compares the counts modulo
    // 65536), so the central directory's headers are counted instead.
    return countHeaders(zip.stream(), view.getUint32(at + 16, true), view.getUint32(at + 12, true));
  }
  throw new Error("the stored zip has no end-of-central-directory record: it is not a whole zip");
}

async function zip64EntryCount(zip: StoredObject, recordOffset: number): Promise<number> {
  const head = await bytesAt(zip.stream(), recordOffset, 56);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 56 || view.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) throw new Error("the stored zip's zip64 record is missing");
  return Number(view.getBigUint64(32, true));
}

/** Central directory file headers (APPNOTE 4.3.12) in [offset, offset+size), streamed. */
async function countHeaders(stream: ReadableStream<Uint8Array>, offset: number, size: number): Promise<number> {
  let count = 0;
  let pending: Uint8Array = new Uint8Array(0);
  let pos = 0;
  let seen = 0;
  const reader = stream.getReader();
  while (seen < size) {
    const { done, value } = await reader.read();
    if (done) break;
    const start = Math.max(0, offset - pos);
    pos += value.length;
    if (start >= value.length) continue;
    const part = value.subarray(start, start + (size - seen));
    seen += part.length;
    pending = pending.length === 0 ? part : concat([pending, part], pending.length + part.length);
    let at = 0;
    while (pending.length - at >= CD_HEADER_SIZE) {
      const view = new DataView(pending.buffer, pending.byteOffset + at, CD_HEADER_SIZE);
      if (view.getUint32(0, true) !== CD_SIGNATURE) throw new Error("the stored zip's central directory is damaged");
      const length = CD_HEADER_SIZE + view.getUint16(28, true) + view.getUint16(30, true) + view.getUint16(32, true);
      if (pending.length - at < length) break;
      at += length;
      count++;
    }
    pending = pending.subarray(at);
  }
  await reader.cancel().catch(() => {});
  if (seen < size || pending.length > 0) throw new Error("the stored zip's central directory is cut short");
  return count;
}

/** The last `n` bytes of a stream, keeping at most about 2n in memory. */
async function lastBytes(stream: ReadableStream<Uint8Array>, n: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let held = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    held += value.length;
    while (chunks.length > 1 && held - chunks[0]!.length >= n) held -= chunks.shift()!.length;
  }
  const all = concat(chunks, held);
  return all.subarray(Math.max(0, all.length - n));
}

/** `length` bytes from `offset` of a stream. */
async function bytesAt(stream: ReadableStream<Uint8Array>, offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let pos = 0;
  let filled = 0;
  const reader = stream.getReader();
  while (filled < length) {
    const { done, value } = await reader.read();
    if (done) break;
    const start = Math.max(0, offset - pos);
    if (start < value.length) {
      const part = value.subarray(start, start + (length - filled));
      out.set(part, filled);
      filled += part.length;
    }
    pos += value.length;
  }
  await reader.cancel().catch(() => {});
  return out.subarray(0, filled);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
