// How many files a stored module zip holds, read from its end-of-central-
// directory record (APPNOTE.TXT 4.3.16, and 4.3.14 for zip64): the zip is
// streamed once and only its tail is kept, so a 500 MiB zip costs no memory.
// `modgate resolve` prints the count next to the h1.
import type { StoredObject } from "./store.js";

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
/** The record, a comment of up to 65535 bytes after it, and a zip64 locator before it. */
const TAIL_BYTES = EOCD_SIZE + 0xffff + ZIP64_LOCATOR_SIZE;

export async function zipEntryCount(zip: StoredObject): Promise<number> {
  const tail = await lastBytes(zip.stream(), TAIL_BYTES);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let at = tail.length - EOCD_SIZE; at >= 0; at--) {
    if (view.getUint32(at, true) !== EOCD_SIGNATURE) continue;
    const entries = view.getUint16(at + 10, true);
    if (entries !== 0xffff) return entries;
    // 0xffff means "see the zip64 record": its locator sits just before this record.
    const locator = at - ZIP64_LOCATOR_SIZE;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR_SIGNATURE) return entries;
    const recordOffset = Number(view.getBigUint64(locator + 8, true));
    return zip64EntryCount(zip, recordOffset);
  }
  throw new Error("the stored zip has no end-of-central-directory record: it is not a whole zip");
}

async function zip64EntryCount(zip: StoredObject, recordOffset: number): Promise<number> {
  const head = await bytesAt(zip.stream(), recordOffset, 56);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 56 || view.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) throw new Error("the stored zip's zip64 record is missing");
  return Number(view.getBigUint64(32, true));
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
