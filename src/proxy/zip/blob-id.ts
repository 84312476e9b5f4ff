import { createHash } from "node:crypto";

/**
 * Git's object id of a blob: SHA-1 of `blob <decimal length>\0` followed by the content
 * (git's hash_object_file / `git hash-object`). GitLab's tree listing gives these ids, so
 * comparing them with the bytes of an archive entry tells whether the archive changed the
 * file (export-subst, eol conversion) without downloading the blob. Also the id `ident`
 * writes into `$Id$`.
 */
export class BlobIdHasher {
  private readonly hash = createHash("sha1");
  private written = 0;

  /** `size` must be known up front: the header that starts the hash carries it. */
  constructor(private readonly size: number) {
    this.hash.update(new TextEncoder().encode(`blob ${size}\0`));
  }

  update(chunk: Uint8Array): this {
    this.written += chunk.length;
    this.hash.update(chunk);
    return this;
  }

  /** Lowercase hex id; throws if the content was not `size` bytes (the header would be a lie). */
  digest(): string {
    if (this.written !== this.size) {
      throw new Error(`blob id: declared ${this.size} bytes but hashed ${this.written}`);
    }
    return this.hash.digest("hex");
  }
}

/** The blob id of bytes held in memory. */
export function blobId(content: Uint8Array): string {
  return new BlobIdHasher(content.length).update(content).digest();
}
