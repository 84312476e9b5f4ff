// The "h1:" checksum of go.sum and the checksum database
// (golang.org/x/mod/sumdb/dirhash Hash1; docs/go-rules.md §5): SHA-256 over the lines
// "<hex sha256 of file>  <name>\n", the files sorted by name as Go sorts
// strings — byte-wise over UTF-8, which differs from JS's UTF-16 order for
// names with characters above U+FFFF — then base64 with padding.
import { createHash, type Hash } from "node:crypto";
import { ModuleError, goQuote } from "./errors.js";
import { compareBytes } from "./semver.js";

export interface HashedFile {
  /** The name as hashed: "go.mod" for a .mod file, "<module>@<version>/<path>" for zip entries. */
  name: string;
  /** SHA-256 of the file's bytes (32 bytes). */
  sha256: Uint8Array;
}

const encoder = new TextEncoder();

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * dirhash.Hash1 over already-hashed files. Throws `dirhash: filenames with
 * newlines are not supported` (a name with "\n" could forge a summary line).
 */
export function hash1(files: readonly HashedFile[]): string {
  const sorted = [...files].sort((a, b) => compareBytes(a.name, b.name));
  for (const f of sorted) {
    if (f.name.includes("\n")) throw new ModuleError("dirhash: filenames with newlines are not supported");
  }
  const summary = createHash("sha256");
  for (const f of sorted) {
    if (f.sha256.length !== 32) throw new ModuleError(`dirhash: ${goQuote(f.name)}: want a 32-byte SHA-256, got ${f.sha256.length} bytes`);
    summary.update(encoder.encode(`${hex(f.sha256)}  ${f.name}\n`));
  }
  return "h1:" + summary.digest("base64");
}

/** The go.sum "/go.mod" line's hash: Hash1 of one file named "go.mod" (modfetch goModSum). */
export function goModHash(mod: Uint8Array | string): string {
  const bytes = typeof mod === "string" ? encoder.encode(mod) : mod;
  return hash1([{ name: "go.mod", sha256: sha256(bytes) }]);
}

/** SHA-256 of bytes held in memory (node:crypto, on Node and in workerd with nodejs_compat). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return bytesOf(createHash("sha256").update(bytes));
}

export interface Sha256Stream {
  update(bytes: Uint8Array): void;
  /** The 32-byte digest; the stream cannot be updated afterwards. */
  digest(): Uint8Array;
}

/** Incremental SHA-256, for hashing zip entries as they stream by (crypto.subtle has no streaming digest; node:crypto's createHash has). */
export function sha256Stream(): Sha256Stream {
  const h = createHash("sha256");
  return {
    update(bytes) {
      h.update(bytes);
    },
    digest() {
      return bytesOf(h);
    },
  };
}

/** The digest as a plain Uint8Array (node:crypto gives a Buffer, which compares unequal to one). */
function bytesOf(hash: Hash): Uint8Array {
  const b = hash.digest();
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
