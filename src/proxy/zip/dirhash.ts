// The zip library's view of dirhash.Hash1 (hex digests, bytes in memory).
// The rule itself — sort by UTF-8 bytes, one line per file, base64 of the
// SHA-256 — is written once, in src/module/dirhash.ts.
import { hash1 as hash1OfDigests, sha256 } from '../../module/dirhash.js';
import { compareBytes } from '../../module/semver.js';

/** One file's contribution to an h1: its name in the zip and the hex SHA-256 of its content. */
export interface FileDigest {
  name: string;
  sha256Hex: string;
}

/** Byte-wise order of UTF-8 strings (Go's string order), which JS `<` is not above U+FFFF. */
export const compareUtf8 = compareBytes;

export function hash1(files: readonly FileDigest[]): string {
  return hash1OfDigests(files.map((f) => ({ name: f.name, sha256: fromHex(f.sha256Hex) })));
}

/** h1 of files held in memory; `go.sum`'s `/go.mod` line is hash1OfBytes({ 'go.mod': modBytes }). */
export function hash1OfBytes(files: Record<string, Uint8Array | string>): string {
  const encoder = new TextEncoder();
  return hash1OfDigests(
    Object.entries(files).map(([name, content]) => ({ name, sha256: sha256(typeof content === 'string' ? encoder.encode(content) : content) })),
  );
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
