import { Sha256, sha256, toHex } from '../../core/sha.js';

/** One file's contribution to an h1: its name in the zip and the hex SHA-256 of its content. */
export interface FileDigest {
  name: string;
  sha256Hex: string;
}

/** Byte-wise order of UTF-8 strings. JS `<` compares UTF-16 units, which differs above U+FFFF vs U+E000–U+FFFF. */
export function compareUtf8(a: string, b: string): number {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) {
    if (ea[i] !== eb[i]) return ea[i]! - eb[i]!;
  }
  return ea.length - eb.length;
}

/**
 * x/mod/sumdb/dirhash.Hash1: sort names byte-wise (Go's slices.Sort on strings), one line
 * `hex(sha256(content))  name\n` per file, then "h1:" + base64(sha256(all lines)).
 * A name with a newline is refused, as dirhash refuses it (it would forge another line).
 */
export function hash1(files: readonly FileDigest[]): string {
  const sorted = [...files].sort((a, b) => compareUtf8(a.name, b.name));
  const summary = new Sha256();
  const encoder = new TextEncoder();
  for (const file of sorted) {
    if (file.name.includes('\n')) throw new Error(`dirhash: filenames with newlines are not supported: ${JSON.stringify(file.name)}`);
    summary.update(encoder.encode(`${file.sha256Hex}  ${file.name}\n`));
  }
  return `h1:${base64(summary.digest())}`;
}

/** h1 of files held in memory; `go.sum`'s `/go.mod` line is hash1OfBytes({ 'go.mod': modBytes }). */
export function hash1OfBytes(files: Record<string, Uint8Array | string>): string {
  const encoder = new TextEncoder();
  return hash1(
    Object.entries(files).map(([name, content]) => ({
      name,
      sha256Hex: toHex(sha256(typeof content === 'string' ? encoder.encode(content) : content)),
    })),
  );
}

/** Standard base64 with padding (Go's base64.StdEncoding), without Node's Buffer. */
export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
