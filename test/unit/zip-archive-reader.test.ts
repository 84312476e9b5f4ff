import { describe, expect, it } from "vitest";
import { zipSync } from "fflate";
import { bytesSource, openArchive, type ArchiveReader } from "../../src/proxy/zip/archive-reader.js";

// Frozen output of git 2.39.5: `git archive --format=zip --prefix=p-main-abc/ main` of a commit with
// a.txt ("hello\n"), a symlink l -> a.txt, an executable d/x.sh ("hi\n") and a submodule gitlink sub
// (test/e2e/zip-archive-reader.e2e.test.ts checks the reader against live git output).
const GIT_ARCHIVE = Uint8Array.from(
  atob(
    "UEsDBAoAAAAAAKqxblcAAAAAAAAAAAAAAAALAAkAcC1tYWluLWFiYy9VVAUAAQDxU2VQSwMECgAAAAAAqrFuVyAwOjYGAAAABgAA" +
      "ABAACQBwLW1haW4tYWJjL2EudHh0VVQFAAEA8VNlaGVsbG8KUEsDBAoAAAAAAKqxblcAAAAAAAAAAAAAAAANAAkAcC1tYWluLWFi" +
      "Yy9kL1VUBQABAPFTZVBLAwQKAAAAAACqsW5Xenpv7QMAAAADAAAAEQAJAHAtbWFpbi1hYmMvZC94LnNoVVQFAAEA8VNlaGkKUEsD" +
      "BAoAAAAAAKqxble69+vBBQAAAAUAAAAMAAkAcC1tYWluLWFiYy9sVVQFAAEA8VNlYS50eHRQSwMECgAAAAAAqrFuVwAAAAAAAAAA" +
      "AAAAAA8ACQBwLW1haW4tYWJjL3N1Yi9VVAUAAQDxU2VQSwECAAAKAAAAAACqsW5XAAAAAAAAAAAAAAAACwAJAAAAAAAAABAAAAAA" +
      "AAAAcC1tYWluLWFiYy9VVAUAAQDxU2VQSwECAAAKAAAAAACqsW5XIDA6NgYAAAAGAAAAEAAJAAAAAAABAAAAAAAyAAAAcC1tYWlu" +
      "LWFiYy9hLnR4dFVUBQABAPFTZVBLAQIAAAoAAAAAAKqxblcAAAAAAAAAAAAAAAANAAkAAAAAAAAAEAAAAG8AAABwLW1haW4tYWJj" +
      "L2QvVVQFAAEA8VNlUEsBAhcDCgAAAAAAqrFuV3p6b+0DAAAAAwAAABEACQAAAAAAAQAAAO2BowAAAHAtbWFpbi1hYmMvZC94LnNo" +
      "VVQFAAEA8VNlUEsBAhcDCgAAAAAAqrFuV7r368EFAAAABQAAAAwACQAAAAAAAQAAAP+h3gAAAHAtbWFpbi1hYmMvbFVUBQABAPFT" +
      "ZVBLAQIAAAoAAAAAAKqxblcAAAAAAAAAAAAAAAAPAAkAAAAAAAAAEAAAABYBAABwLW1haW4tYWJjL3N1Yi9VVAUAAQDxU2VQSwUG" +
      "AAAAAAYABgCeAQAATAEAACgAOGI5ZTYxODgxYWY5MmY4YmQyYTJlNGJlNmYzNzk2NjYyYzllYjBlMw==",
  ),
  (c) => c.charCodeAt(0),
);

async function text(archive: ArchiveReader, name: string): Promise<string> {
  const entry = archive.entries.find((e) => e.name === name)!;
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  for await (const c of archive.open(entry) as unknown as AsyncIterable<Uint8Array>) chunks.push(decoder.decode(c, { stream: true }));
  return chunks.join("");
}

describe("openArchive", () => {
  it("reads git archive entries: directories, gitlinks, symlinks, modes", async () => {
    const archive = await openArchive(bytesSource(GIT_ARCHIVE), { chunkSize: 3 });
    const summary = archive.entries.map((e) => [e.name, e.isDirectory, e.isSymlink, e.unixMode?.toString(8)]);
    expect(summary).toEqual([
      ["p-main-abc/", true, false, undefined],
      ["p-main-abc/a.txt", false, false, undefined],
      ["p-main-abc/d/", true, false, undefined],
      ["p-main-abc/d/x.sh", false, false, "100755"],
      ["p-main-abc/l", false, true, "120777"],
      ["p-main-abc/sub/", true, false, undefined],
    ]);
    expect(await text(archive, "p-main-abc/a.txt")).toBe("hello\n");
    expect(await text(archive, "p-main-abc/l")).toBe("a.txt");
    expect(await text(archive, "p-main-abc/d/x.sh")).toBe("hi\n");
  });

  it("says what is wrong with something that is not a zip", async () => {
    await expect(openArchive(bytesSource(new TextEncoder().encode("<html>502 Bad Gateway</html>")))).rejects.toThrow(/not a zip/);
    await expect(openArchive(bytesSource(new Uint8Array(3)))).rejects.toThrow(/too short/);
  });

  it("reads deflated entries written by another zip writer", async () => {
    const content = "abc ".repeat(10_000);
    const zip = zipSync({ "x/y.txt": [new TextEncoder().encode(content), { level: 9 }] });
    const archive = await openArchive(bytesSource(zip), { chunkSize: 100 });
    expect(archive.entries.map((e) => [e.name, e.method])).toEqual([["x/y.txt", 8]]);
    expect(await text(archive, "x/y.txt")).toBe(content);
  });

  it("refuses a truncated archive entry", async () => {
    const zip = zipSync({ "a.txt": [new TextEncoder().encode("hello world"), { level: 0 }] });
    const archive = await openArchive(bytesSource(zip));
    const entry = { ...archive.entries[0]!, size: 99 };
    const read = async () => {
      for await (const _ of archive.open(entry) as unknown as AsyncIterable<Uint8Array>) void _;
    };
    await expect(read()).rejects.toThrow(/directory says 99/);
  });
});

describe("archive entries small enough to inflate in one call", () => {
  const deflated = (content: Uint8Array) => zipSync({ "x/y.txt": [content, { level: 9 }] });

  it("hand on what a streamed read gives, in one piece", async () => {
    const content = new TextEncoder().encode("one call ".repeat(20_000)); // 180 KB: under 256 KiB
    const archive = await openArchive(bytesSource(deflated(content)));
    const chunks: Uint8Array[] = [];
    for await (const c of archive.open(archive.entries[0]!) as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
    expect(chunks).toHaveLength(1);
    expect(Buffer.from(chunks[0]!).equals(Buffer.from(content))).toBe(true);
  });

  it("refuse an entry that inflates past what the directory says, without inflating it all", async () => {
    // 16 MB of zeros deflate to ~16 KB: small on the wire, a bomb once inflated.
    const archive = await openArchive(bytesSource(deflated(new Uint8Array(16 << 20))));
    const entry = { ...archive.entries[0]!, size: 1000 };
    const read = async () => {
      for await (const _ of archive.open(entry) as unknown as AsyncIterable<Uint8Array>) void _;
    };
    await expect(read()).rejects.toThrow(/inflates past the 1000 bytes the directory says/);
  });

  it("refuse damaged data, naming the entry", async () => {
    const zip = deflated(new TextEncoder().encode("hello ".repeat(1000)));
    const archive = await openArchive(bytesSource(zip));
    const entry = archive.entries[0]!;
    const view = new DataView(zip.buffer, zip.byteOffset);
    const dataAt = entry.localHeaderOffset + 30 + view.getUint16(entry.localHeaderOffset + 26, true) + view.getUint16(entry.localHeaderOffset + 28, true);
    zip[dataAt] = 0xff; // an invalid block type
    const read = async () => {
      for await (const _ of archive.open(entry) as unknown as AsyncIterable<Uint8Array>) void _;
    };
    await expect(read()).rejects.toThrow(/^archive: x\/y\.txt (cannot be inflated \(damaged archive\)|fails its CRC-32 check)/);
  });
});
