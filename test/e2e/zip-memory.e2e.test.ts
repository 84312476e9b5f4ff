// A 200 MiB file streams through createModuleZip with bounded memory: the zip is produced only
// as fast as it is read, and neither the file nor the zip is held whole. Memory figures are
// printed, not asserted (they depend on the machine); what is asserted is that the zip inflates
// back to the same bytes and that h1 is right.
import { Unzip, UnzipInflate } from "fflate";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { hash1 } from "../../src/module/dirhash.js";
import { createModuleZip } from "../../src/proxy/zip/module-zip.js";

const SIZE = 200 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** A ReadableStream of SIZE bytes of varied text, made on demand, hashing what it hands out. */
function syntheticFile(expected: ReturnType<typeof sha256.create>): ReadableStream<Uint8Array> {
  let made = 0;
  let line = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (made >= SIZE) {
        controller.close();
        return;
      }
      const text = new TextEncoder().encode(Array.from({ length: 2048 }, () => `line ${line++} of a big generated file\n`).join(""));
      const chunk = text.subarray(0, Math.min(CHUNK, SIZE - made));
      made += chunk.length;
      expected.update(chunk);
      controller.enqueue(chunk);
    },
  });
}

describe("createModuleZip memory", () => {
  it("streams a 200 MiB file with bounded memory", async () => {
    const expected = sha256.create();
    const zip = createModuleZip({
      modulePath: "example.com/big",
      version: "v1.0.0",
      files: [{ path: "big.txt", kind: "file", size: SIZE, open: async () => syntheticFile(expected) }],
    });
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    let zipBytes = 0;
    const roundTrip = sha256.create();
    let inflated = 0;
    const unzip = new Unzip((file) => {
      file.ondata = (err, data) => {
        if (err) throw err;
        inflated += data.length;
        roundTrip.update(data);
      };
      file.start();
    });
    unzip.register(UnzipInflate);
    let n = 0;
    for await (const chunk of zip.stream as unknown as AsyncIterable<Uint8Array>) {
      zipBytes += chunk.length;
      unzip.push(chunk);
      if (++n % 64 === 0) {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      }
    }
    unzip.push(new Uint8Array(0), true);
    const summary = await zip.done;
    const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
    console.log(
      `createModuleZip 200 MiB: zip ${mib(zipBytes)}; rss ${mib(before.rss)} → peak ${mib(peakRss)}; heapUsed ${mib(before.heapUsed)} → peak ${mib(peakHeap)}`,
    );
    expect(inflated).toBe(SIZE);
    const expectedDigest = expected.digest();
    const sum = bytesToHex(expectedDigest);
    expect(bytesToHex(roundTrip.digest())).toBe(sum);
    expect(summary).toEqual({ h1: hash1([{ name: "example.com/big@v1.0.0/big.txt", sha256: expectedDigest }]), fileCount: 1, size: zipBytes });
  });
});
