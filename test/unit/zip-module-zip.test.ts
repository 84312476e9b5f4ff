import { describe, expect, it } from "vitest";
import { unzipSync } from "fflate";
import { bytesFile, type ModuleFile } from "../../src/proxy/zip/file.js";
import { createModuleZip } from "../../src/proxy/zip/module-zip.js";
import { hash1, sha256 } from "../../src/module/dirhash.js";
import { compareBytes as compareUtf8 } from "../../src/module/semver.js";
import { untilSettled } from "./settle.js";

const MOD = "module example.com/m.git\n";

/** dirhash.Hash1 of files held in memory; `go.sum`'s `/go.mod` line is hash1OfBytes({ 'go.mod': modBytes }). */
function hash1OfBytes(files: Record<string, string>): string {
  return hash1(Object.entries(files).map(([name, content]) => ({ name, sha256: sha256(new TextEncoder().encode(content)) })));
}

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

describe("h1 (dirhash.Hash1), vectors of docs/go-rules.md §5 (computed by go and Python)", () => {
  it("go.mod sum", () => {
    expect(hash1OfBytes({ "go.mod": MOD })).toBe("h1:H+A5oSNRO0pYE2LYIaKt3PIQVoFx+TQz0LoqkEl9I64=");
  });
  it("zip sum without a directory entry", () => {
    expect(hash1OfBytes({ "example.com/m.git@v1.0.0/go.mod": MOD, "example.com/m.git@v1.0.0/a.go": "package m\n" })).toBe(
      "h1:PKVvaPDHZC8u7um3eECuJ9tJvsWCyejZQQB69O59RQw=",
    );
  });
  it("a directory entry changes it", () => {
    expect(
      hash1OfBytes({
        "example.com/m.git@v1.0.0/go.mod": MOD,
        "example.com/m.git@v1.0.0/a.go": "package m\n",
        "example.com/m.git@v1.0.0/": "",
      }),
    ).toBe("h1:xDO/17gq+xuDv3dLNaz5POsdBdkPRexlHFzmVa2+2fU=");
  });
  it("names sort by UTF-8 bytes, not UTF-16 units", () => {
    // U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16 (FF21 > D83D).
    expect(compareUtf8("\uFF21", "\u{1F600}")).toBeLessThan(0);
    expect("\uFF21" < "\u{1F600}").toBe(false);
  });
  it("refuses a name with a newline", () => {
    expect(() => hash1OfBytes({ "a\nb": "" })).toThrow(/newline/);
  });
});

describe("createModuleZip", () => {
  it("writes the files under module@version/, no directory entries, and the h1 of §5", async () => {
    const zip = createModuleZip({
      modulePath: "example.com/m.git",
      version: "v1.0.0",
      files: [bytesFile("go.mod", MOD), bytesFile("a.go", "package m\n")],
    });
    const bytes = await readAll(zip.stream);
    const summary = await zip.done;
    expect(summary).toEqual({ h1: "h1:PKVvaPDHZC8u7um3eECuJ9tJvsWCyejZQQB69O59RQw=", fileCount: 2, size: bytes.length });
    const entries = unzipSync(bytes);
    expect(Object.keys(entries)).toEqual(["example.com/m.git@v1.0.0/go.mod", "example.com/m.git@v1.0.0/a.go"]);
    expect(new TextDecoder().decode(entries["example.com/m.git@v1.0.0/a.go"])).toBe("package m\n");
  });

  it("flags non-ASCII names as UTF-8 (general purpose bit 11)", async () => {
    const zip = createModuleZip({ modulePath: "example.com/m", version: "v1.0.0", files: [bytesFile("é.go", "x")] });
    const bytes = await readAll(zip.stream);
    await zip.done;
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(0, true)).toBe(0x04034b50);
    expect(view.getUint16(6, true) & 0x800).toBe(0x800);
  });

  it("fails when a file yields other than its declared size", async () => {
    const liar: ModuleFile = { ...bytesFile("a.go", "package m\n"), size: 3 };
    const zip = createModuleZip({ modulePath: "example.com/m", version: "v1.0.0", files: [liar] });
    await expect(readAll(zip.stream)).rejects.toThrow(/more than the 3 bytes/);
    await expect(zip.done).rejects.toThrow(/a.go/);
  });

  it("refuses symlinks and duplicate paths (callers pass checkFiles(...).valid)", async () => {
    const link = createModuleZip({ modulePath: "example.com/m", version: "v1.0.0", files: [bytesFile("l", "x", "symlink")] });
    await expect(readAll(link.stream)).rejects.toThrow(/symlink, not a regular file/);
    const dup = createModuleZip({ modulePath: "example.com/m", version: "v1.0.0", files: [bytesFile("a", "x"), bytesFile("a", "y")] });
    await expect(readAll(dup.stream)).rejects.toThrow(/listed twice/);
  });

  it("settles done whenever the reader cancels: rejected at every chunk boundary before the last, resolved once all is read", async () => {
    // Incompressible files fed in 128 KiB pieces: more than Node's zlib holds before a write waits for
    // its output to be read, so some cancellations find the writer waiting on the deflate stream.
    const noise = (seed: number, n: number): Uint8Array => {
      const out = new Uint8Array(n);
      let x = seed;
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        out[i] = x & 0xff;
      }
      return out;
    };
    const contents = [1, 2, 3, 4].map((seed) => noise(seed, 512 << 10));
    const piece = 128 << 10;
    const files = (): ModuleFile[] =>
      contents.map((content, i) => ({
        path: `f${i}.bin`,
        kind: "file",
        size: content.length,
        async open() {
          let at = 0;
          return new ReadableStream<Uint8Array>({
            pull(controller) {
              if (at >= content.length) return controller.close();
              controller.enqueue(content.slice(at, at + piece));
              at += piece;
            },
          });
        },
      }));
    const newZip = () => createModuleZip({ modulePath: "example.com/m", version: "v1.0.0", files: files() });

    let chunks = 0;
    const whole = newZip();
    for await (const _ of whole.stream as unknown as AsyncIterable<Uint8Array>) chunks++;
    await whole.done;
    expect(chunks).toBeGreaterThan(20);

    // Cancel after k chunks, one zip at a time; each outcome is collected, then all are awaited at once
    // with a generous deadline, so a done that never settles shows as "pending" instead of a timeout.
    const outcomes: Promise<string>[] = [];
    for (let k = 0; k <= chunks; k++) {
      const zip = newZip();
      outcomes.push(
        zip.done.then(
          () => "resolved",
          () => "rejected",
        ),
      );
      const reader = zip.stream.getReader();
      for (let i = 0; i < k; i++) await reader.read();
      await reader.cancel();
    }
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (deadline = setTimeout(resolve, 20_000)));
    const settled = outcomes.map((o) => Promise.race([o, late.then(() => "pending")]));
    const got = await Promise.all(settled);
    clearTimeout(deadline);
    const expected = got.map((_, k) => (k < chunks ? "rejected" : "resolved"));
    expect(got.map((o, k) => `${k}: ${o}`)).toEqual(expected.map((o, k) => `${k}: ${o}`));
  }, 60_000);

  it("produces only as fast as it is read (bounded memory): an unread stream stops pulling the file (compressible input may run ahead: its output is small)", async () => {
    // Counted in bytes, never in time. The file is incompressible, so the zip grows as fast as
    // the file is read, and its stream pulls only when the producer reads (highWaterMark 0):
    // `pulled` is what the producer has asked for, `consumed` what the test has read of the zip.
    const CHUNK = 64 << 10;
    // The zip stream holds 1 MiB ahead of its reader, deflate a chunk or two: 3 MiB is far past that.
    const BOUND = 3 << 20;
    // The file's bytes from here on never come: a producer that reaches it waits on the file.
    const GATE = BOUND + (1 << 20);
    const pool = new Uint8Array(1 << 20); // repeats every 1 MiB, far past deflate's 32 KiB window
    for (let at = 0; at < pool.length; at += CHUNK) crypto.getRandomValues(pool.subarray(at, at + CHUNK));
    let pulled = 0;
    let consumed = 0;
    let maxLead = 0;
    let atGate = false;
    let reachedGate!: () => void;
    const gate = new Promise<void>((resolve) => (reachedGate = resolve));
    let fileCancelled = false;
    const file: ModuleFile = {
      path: "big",
      kind: "file",
      size: 2 * GATE,
      async open() {
        return new ReadableStream<Uint8Array>(
          {
            pull(controller) {
              if (pulled >= GATE) {
                atGate = true;
                reachedGate();
                return new Promise<void>(() => {}); // until the producer cancels
              }
              maxLead = Math.max(maxLead, pulled - consumed);
              controller.enqueue(pool.subarray(pulled % pool.length, (pulled % pool.length) + CHUNK));
              pulled += CHUNK;
            },
            cancel() {
              fileCancelled = true;
            },
          },
          { highWaterMark: 0 },
        );
      },
    };
    const zip = createModuleZip({ modulePath: "example.com/m", version: "v1.0.0", files: [file] });
    const reader = zip.stream.getReader();
    const read = async (): Promise<void> => {
      const { done, value } = await reader.read();
      if (!done) consumed += value.length;
    };
    await read();
    // Unread from here: the producer fills the stream's buffer and must stop there, short of the gate.
    expect(await untilSettled(() => pulled)).toBeLessThan(BOUND);
    // Read on until the producer waits on the file: at each pull it was within BOUND of the reader.
    while (!atGate) await Promise.race([read(), gate]);
    expect(maxLead).toBeLessThan(BOUND);
    // Cancelled while it waits on the file, the producer stops, and cancels the file's stream.
    await reader.cancel();
    await expect(zip.done).rejects.toThrow(/cancelled/);
    expect(fileCancelled).toBe(true);
  });
});

describe("small files are deflated in one call", () => {
  /** The first entry's deflated bytes, found through the central directory (no zip comment). */
  function firstEntryData(zip: Uint8Array): Uint8Array {
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    const cd = view.getUint32(zip.length - 22 + 16, true);
    const compressed = view.getUint32(cd + 20, true);
    const start = 30 + view.getUint16(26, true) + view.getUint16(28, true);
    return zip.subarray(start, start + compressed);
  }

  for (const size of [0, 1, 1600, 200_000]) {
    it(`a ${size}-byte file: the bytes a CompressionStream makes (zlib level 6), and the file back`, async () => {
      const content = new TextEncoder().encode("package m // filler\n".repeat(Math.ceil(size / 20)).slice(0, size));
      const zip = createModuleZip({ modulePath: "example.com/m", version: "v1.0.0", files: [bytesFile("a.go", content)] });
      const bytes = await readAll(zip.stream);
      await zip.done;
      const streamed = await readAll(new Blob([content]).stream().pipeThrough(new CompressionStream("deflate-raw")));
      expect(Buffer.from(firstEntryData(bytes)).equals(Buffer.from(streamed))).toBe(true);
      expect(Buffer.from(unzipSync(bytes)["example.com/m@v1.0.0/a.go"]!).equals(Buffer.from(content))).toBe(true);
    });
  }
});
