// zipEntryCount: the file count `modgate resolve` prints, read from a stored
// zip's end-of-central-directory record while streaming it in small chunks.
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { zipEntryCount } from "../../src/proxy/store/zip-entry-count.js";
import type { StoredObject } from "../../src/proxy/store/store.js";

/** A stored object streaming `bytes` in chunks of `chunk` bytes. */
function stored(bytes: Uint8Array, chunk: number): StoredObject {
  return {
    size: bytes.length,
    bytes: async () => bytes,
    stream: () => {
      let at = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= bytes.length) return controller.close();
          controller.enqueue(bytes.subarray(at, at + chunk));
          at += chunk;
        },
      });
    },
  };
}

const files = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`m@v1.0.0/f${i}.go`, new TextEncoder().encode(`package m // ${i}\n`)]));

describe("zipEntryCount", () => {
  for (const [n, chunk] of [
    [0, 7],
    [1, 1],
    [3, 5],
    [250, 4096],
    [70_000, 1 << 16],
  ] as const) {
    it(`${n} files, streamed ${chunk} bytes at a time`, async () => {
      const zip = zipSync(files(n), { level: 0 });
      expect(await zipEntryCount(stored(zip, chunk))).toBe(n);
    });
  }

  it("finds the record before a comment", async () => {
    const zip = zipSync(files(4), { level: 0, comment: "made by hand\u0000PK" } as never);
    expect(await zipEntryCount(stored(zip, 3))).toBe(4);
  });

  it("refuses what is not a whole zip", async () => {
    const zip = zipSync(files(2));
    await expect(zipEntryCount(stored(zip.subarray(0, zip.length - 30), 64))).rejects.toThrow(/not a whole zip/);
  });
});
