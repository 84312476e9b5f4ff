/**
 * Raw deflate (RFC 1951, what zip entries hold) as Web streams: the platform's
 * CompressionStream/DecompressionStream 'deflate-raw', present in Node 20 and workerd, so no
 * deflate code ships in the Worker bundle (issue 12). Both run zlib; deflate uses zlib's default
 * level 6, the level of compress/flate's DefaultCompression that x/mod/zip.Create uses.
 * The casts: TypeScript's DOM types accept any BufferSource on the writable side; zip code only
 * ever writes and reads Uint8Array.
 */
export function deflateRaw(): TransformStream<Uint8Array, Uint8Array> {
  return new CompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>;
}

export function inflateRaw(): TransformStream<Uint8Array, Uint8Array> {
  return new DecompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>;
}
