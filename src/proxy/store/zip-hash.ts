// The h1 of a stored module zip, as the go command computes it when it
// checks a download against go.sum (x/mod/sumdb/dirhash HashZip: Hash1 over
// every entry of the zip, by name). The zip is spooled (a file on Node) and
// read through the zip library's archive reader, one entry streamed at a
// time, each inflated and checked against its CRC-32: a 500 MiB zip costs no
// memory. `modgate store verify` holds it against the recorded h1.
import { openArchive } from "../zip/archive-reader.js";
import { hash1, sha256Stream, type HashedFile } from "../../module/dirhash.js";
import type { Spool } from "../repo/gitlab-zip.js";
import type { StoredObject } from "./store.js";

/** The zip's h1; throws when it is not a readable zip (cut short, an entry that fails its CRC-32, ...). */
export async function storedZipHash(zip: StoredObject, spool: Spool): Promise<string> {
  try {
    const reader = zip.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await spool.write(value);
    }
  } catch (err) {
    await spool.abort();
    throw err;
  }
  const source = await spool.finish();
  try {
    const archive = await openArchive(source);
    const files: HashedFile[] = [];
    for (const entry of archive.entries) {
      const hash = sha256Stream();
      const reader = archive.open(entry).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        hash.update(value);
      }
      files.push({ name: entry.name, sha256: hash.digest() });
    }
    return hash1(files);
  } finally {
    await source.dispose();
  }
}
