/**
 * Raw deflate (RFC 1951, what zip entries hold), the platform's zlib, so no deflate code ships in
 * the Worker bundle (issue 12): as Web streams (CompressionStream/DecompressionStream
 * 'deflate-raw', present in Node 20 and workerd) for entries too large to hold, and in one call
 * (node:zlib's deflateRawSync/inflateRawSync, in workerd with nodejs_compat) for small ones. A
 * stream per entry costs about a millisecond of set-up and hand-offs, a one-call deflate of a
 * source file tens of microseconds: most of a cold zip's CPU went to the streams. Both use zlib's
 * default level 6, the level of compress/flate's DefaultCompression that x/mod/zip.Create uses,
 * and the same window and memory settings, so the bytes are the same either way.
 * The casts: TypeScript's DOM types accept any BufferSource on the writable side; zip code only
 * ever writes and reads Uint8Array.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";

/** Entries up to this size (inflated and deflated) are deflated and inflated in one call, held whole. */
export const ONE_CALL_BYTES = 256 * 1024;

/** The raw deflate of `bytes`, at once. */
export function deflateRawBytes(bytes: Uint8Array): Uint8Array {
  const out = deflateRawSync(bytes);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * `bytes` inflated at once; a RangeError when they inflate past `maxSize` (zlib stops there: a
 * small entry cannot inflate into a large allocation), zlib's error when they are damaged.
 */
export function inflateRawBytes(bytes: Uint8Array, maxSize: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = inflateRawSync(bytes, { maxOutputLength: Math.max(1, maxSize + 1) });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") throw new RangeError(`inflates past ${maxSize} bytes`);
    throw err;
  }
  if (out.byteLength > maxSize) throw new RangeError(`inflates past ${maxSize} bytes`);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
export function deflateRaw(): TransformStream<Uint8Array, Uint8Array> {
  return new CompressionStream("deflate-raw") as unknown as TransformStream<Uint8Array, Uint8Array>;
}

export function inflateRaw(): TransformStream<Uint8Array, Uint8Array> {
  return new DecompressionStream("deflate-raw") as unknown as TransformStream<Uint8Array, Uint8Array>;
}
