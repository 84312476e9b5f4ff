// The zip container modgate writes itself (src/proxy/zip/zip-records.ts, module-zip.ts) and the
// archive reader over the platform's inflate: what the fflate-based versions did, checked here
// by reading the bytes back (zip-module-zip and the e2e zip tests check them against Python and go).
import { zipSync } from "fflate";
import { deflateRawSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import { bytesSource, openArchive, type RandomAccessSource } from "../../src/proxy/zip/archive-reader.js";
import { bytesFile } from "../../src/proxy/zip/file.js";
import { createModuleZip } from "../../src/proxy/zip/module-zip.js";
import { endRecords, entryFlags } from "../../src/proxy/zip/zip-records.js";
import { zipEntryCount } from "../../src/proxy/store/zip-entry-count.js";
import { untilSettled } from "./settle.js";

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const text = async (stream: ReadableStream<Uint8Array>) => new TextDecoder().decode(await readAll(stream));

/** Raw deflate of no bytes: one final block holding only its end code. */
const EMPTY_DEFLATE_RAW = new Uint8Array(deflateRawSync(new Uint8Array(0)));

/**
 * CompressionStream('deflate-raw') over zlib's synchronous raw deflate, run on the whole input
 * at its end: the same bytes as the platform's for the empty files it is used with (checked
 * where it is used), at a fraction of the cost per entry.
 */
class SyncDeflateRaw extends TransformStream<Uint8Array, Uint8Array> {
  constructor(format: string) {
    if (format !== "deflate-raw") throw new Error(`SyncDeflateRaw: ${format}`);
    const input: Uint8Array[] = [];
    super({
      transform: (chunk) => void input.push(chunk),
      flush: (controller) => controller.enqueue(input.length === 0 ? EMPTY_DEFLATE_RAW.slice() : new Uint8Array(deflateRawSync(Buffer.concat(input)))),
    });
  }
}

describe("entryFlags", () => {
  // archive/zip's detectUTF8: printable ASCII except '\' and '~' needs no flag.
  it.each([
    ["example.com/m@v1.0.0/a.go", 0x0008],
    ["m@v1.0.0/}{ !#.go", 0x0008],
    ["m@v1.0.0/é.go", 0x0808],
    ["m@v1.0.0/a~b.go", 0x0808],
    ["m@v1.0.0/a\\b.go", 0x0808],
  ])("%s → %s", (name, flags) => {
    expect(entryFlags(name)).toBe(flags);
  });
});

describe("module zip written by modgate, read back", () => {
  it("round-trips through the archive reader with sizes, CRC-32 and the data descriptor flag", async () => {
    const big = "line of text\n".repeat(50_000);
    const zip = createModuleZip({
      modulePath: "example.com/m",
      version: "v1.0.0",
      files: [bytesFile("go.mod", "module example.com/m\n"), bytesFile("big.txt", big), bytesFile("empty", "")],
    });
    const bytes = await readAll(zip.stream);
    const archive = await openArchive(bytesSource(bytes), { chunkSize: 1000 });
    expect(archive.entries.map((e) => [e.name, e.method, e.size])).toEqual([
      ["example.com/m@v1.0.0/go.mod", 8, 21],
      ["example.com/m@v1.0.0/big.txt", 8, big.length],
      ["example.com/m@v1.0.0/empty", 8, 0],
    ]);
    expect(await text(archive.open(archive.entries[1]!))).toBe(big);
    expect(await text(archive.open(archive.entries[2]!))).toBe("");
    const view = new DataView(bytes.buffer);
    expect(view.getUint16(6, true)).toBe(0x0008);
    expect((await zip.done).size).toBe(bytes.length);
  });

  it("writes zip64 end records from 65535 entries on, as archive/zip does", async () => {
    // 65535 entries is the point, not their bytes: each file is empty, and deflate is zlib's
    // synchronous one behind a plain TransformStream (the platform's CompressionStream costs a
    // zlib stream per entry, about half of the 10-15 s this test took). The zip's bytes are the
    // same: the platform's deflate of an empty entry is checked to be the stand-in's.
    const platform = await readAll(
      new Blob([]).stream().pipeThrough(new CompressionStream("deflate-raw") as unknown as TransformStream<Uint8Array, Uint8Array>),
    );
    expect(platform).toEqual(EMPTY_DEFLATE_RAW);
    vi.stubGlobal("CompressionStream", SyncDeflateRaw);
    try {
      const n = 65_535;
      const files = Array.from({ length: n }, (_, i) => bytesFile(`f${i}`, ""));
      const zip = createModuleZip({ modulePath: "m", version: "v1.0.0", files });
      const bytes = await readAll(zip.stream);
      expect((await zip.done).fileCount).toBe(n);
      const eocd = new DataView(bytes.buffer, bytes.length - 22);
      expect(eocd.getUint32(0, true)).toBe(0x06054b50);
      expect(eocd.getUint16(10, true)).toBe(0xffff);
      // The locator before it points at the zip64 record, whose 64-bit count is the real one.
      expect(new DataView(bytes.buffer, bytes.length - 42).getUint32(0, true)).toBe(0x07064b50);
      expect(
        await zipEntryCount({
          size: bytes.length,
          bytes: async () => bytes,
          stream: () => new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) }),
        }),
      ).toBe(n);
      const archive = await openArchive(bytesSource(bytes));
      expect(archive.entries).toHaveLength(n);
      expect(archive.entries[n - 1]!.name).toBe(`m@v1.0.0/f${n - 1}`);
      expect(await text(archive.open(archive.entries[n - 1]!))).toBe("");
    } finally {
      vi.unstubAllGlobals();
    }
  }, 120_000);

  it("switches to the zip64 end records at 65535 entries exactly, with the count, size and offset in both", () => {
    const plain = new DataView(endRecords(65_534, 1_000, 2_000).buffer);
    expect(plain.byteLength).toBe(22);
    expect([plain.getUint32(0, true), plain.getUint16(8, true), plain.getUint16(10, true), plain.getUint32(12, true), plain.getUint32(16, true)]).toEqual([
      0x06054b50, 65_534, 65_534, 1_000, 2_000,
    ]);
    for (const n of [65_535, 70_000]) {
      const v = new DataView(endRecords(n, 1_000, 2_000).buffer);
      expect(v.byteLength).toBe(56 + 20 + 22);
      // zip64 end of central directory record (APPNOTE 4.3.14)
      expect([v.getUint32(0, true), v.getBigUint64(24, true), v.getBigUint64(32, true), v.getBigUint64(40, true), v.getBigUint64(48, true)]).toEqual([
        0x06064b50,
        BigInt(n),
        BigInt(n),
        1_000n,
        2_000n,
      ]);
      // its locator (4.3.15): where the record starts, right after the central directory
      expect([v.getUint32(56, true), v.getBigUint64(64, true)]).toEqual([0x07064b50, 3_000n]);
      // and the classic record, its 16-bit counts at their maximum
      expect([v.getUint32(76, true), v.getUint16(84, true), v.getUint16(86, true), v.getUint32(88, true), v.getUint32(92, true)]).toEqual([
        0x06054b50, 0xffff, 0xffff, 1_000, 2_000,
      ]);
    }
  });

  it("keeps the 16-bit count below 65535 entries", async () => {
    const files = Array.from({ length: 3 }, (_, i) => bytesFile(`f${i}`, "x"));
    const bytes = await readAll(createModuleZip({ modulePath: "m", version: "v1.0.0", files }).stream);
    expect(new DataView(bytes.buffer, bytes.length - 22).getUint16(10, true)).toBe(3);
    expect(new DataView(bytes.buffer, bytes.length - 42).getUint32(0, true)).not.toBe(0x07064b50);
  });
});

describe("archive reader over the platform inflate", () => {
  it("inflates only as fast as it is read: a slow reader stops the reads from the source", async () => {
    // Text that deflates about 4:1, so inflating is cheap and a reader that does not wait would
    // swallow the whole entry at once; read 1 KiB of stored bytes at a time.
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${(i * 7919) % 1_000_003} of a generated file\n`).join("");
    const zip = zipSync({ "p/big": [new TextEncoder().encode(lines), { level: 9 }] });
    const inner = bytesSource(zip);
    const entry = (await openArchive(inner)).entries[0]!;
    expect(entry.compressedSize).toBeGreaterThan(256 * 1024);
    let readFromSource = 0;
    const counting: RandomAccessSource = {
      size: inner.size,
      read: async (offset, length) => {
        readFromSource += length;
        return inner.read(offset, length);
      },
    };
    const reader = (await openArchive(counting, { chunkSize: 1024 })).open(entry).getReader();
    readFromSource = 0;
    await reader.read();
    // Unread from here: the reads from the source must stop (counted in bytes, not waited for in time).
    // Node's zlib takes up to 16 KiB before its write waits; a pipe or an eager feed reads it all.
    expect(await untilSettled(() => readFromSource)).toBeLessThan(64 * 1024);
    await reader.cancel();
  });

  it("names the entry when its deflate data is damaged", async () => {
    const zip = zipSync({ "p/a.txt": [new TextEncoder().encode("hello ".repeat(1000)), { level: 9 }] });
    const archive = await openArchive(bytesSource(zip));
    const entry = archive.entries[0]!;
    const damaged = zip.slice();
    // The first byte of the data after the local header: BTYPE 11 is reserved, an invalid block.
    damaged[30 + "p/a.txt".length] = 0xff;
    const bad = await openArchive(bytesSource(damaged));
    await expect(readAll(bad.open(entry))).rejects.toThrow(/archive: p\/a\.txt /);
  });
});
