// What the store records of a zip it keeps, at `<version>.ziphash`: its h1
// (go.sum's line, `modgate resolve`'s Sum) and its size in bytes, one a line:
//
//   h1:<base64>\n
//   <size>\n
//
// Records written before the size was kept hold the first line only; they
// are read as having no size. A zip whose size is not its record's is
// damaged: never served, built again (caching-repo.ts), and
// `modgate store verify` re-hashes every zip against its record.
import type { ModuleZipSummary } from "../zip/module-zip.js";

export interface ZipRecord {
  h1: string;
  /** Bytes of the zip; undefined in a record written before sizes were kept. */
  size?: number;
}

/** The store key of a zip's record, from the zip's key (as the go command's download cache names it). */
export function zipRecordKey(zipKey: string): string {
  return `${zipKey}hash`;
}

export function encodeZipRecord(summary: Pick<ModuleZipSummary, "h1" | "size">): Uint8Array {
  return new TextEncoder().encode(`${summary.h1}\n${summary.size}\n`);
}

/** undefined when the bytes are not a record (damaged). */
export function parseZipRecord(bytes: Uint8Array): ZipRecord | undefined {
  const lines = new TextDecoder().decode(bytes).split("\n");
  if (lines.at(-1) === "") lines.pop();
  const [h1, size, ...rest] = lines.map((l) => l.trim());
  if (h1 === undefined || !/^h1:[A-Za-z0-9+/]{43}=$/.test(h1) || rest.length > 0) return undefined;
  if (size === undefined) return { h1 };
  if (!/^\d{1,15}$/.test(size)) return undefined;
  return { h1, size: Number(size) };
}
