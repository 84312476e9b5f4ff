// Known-answer tests for modgate's hashing and checksums, which are the
// platform's: node:crypto (SHA-256, SHA-1, HMAC) and node:zlib (CRC-32) on
// Node, and the same modules in workerd with nodejs_compat. Runtime-agnostic:
// test/unit/hashing.test.ts runs these on Node, hashing.workers.test.ts inside
// workerd. Every check goes through modgate's own entry points (dirhash's
// sha256/sha256Stream/hash1, blob ids, the zip writer and the archive reader,
// the access decisions' HMAC), except the FIPS SHA-1 vectors, which no entry
// point hashes bare (blob ids prefix a header).
//
// Expected values are published ones: FIPS 180-4 examples (NIST CSRC),
// RFC 4231, CRC-32/ISO-HDLC's check value, git hash-object, and the h1 sums
// the go command gives (docs/go-rules.md §5).
import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import { hmacSha256Hex } from "../../src/proxy/auth/decisions.js";
import { hash1, sha256, sha256Stream } from "../../src/module/dirhash.js";
import { bytesSource, openArchive } from "../../src/proxy/zip/archive-reader.js";
import { blobId, BlobIdHasher } from "../../src/proxy/zip/blob-id.js";
import type { ModuleFile } from "../../src/proxy/zip/file.js";
import { createModuleZip } from "../../src/proxy/zip/module-zip.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));

/** FIPS 180-4 examples: "abc", the empty message and the 448-bit two-block message. */
const FIPS = [
  { input: "", sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha1: "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
  { input: "abc", sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sha1: "a9993e364706816aba3e25717850c26c9cd0d89d" },
  {
    input: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
    sha256: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    sha1: "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
  },
];

/** RFC 4231 HMAC-SHA-256: test cases 1, 2 and 6 (a key longer than the block, hashed first). */
const RFC4231 = [
  { name: "case 1", key: "0b".repeat(20), data: hex(utf8("Hi There")), mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
  {
    name: "case 2",
    key: hex(utf8("Jefe")),
    data: hex(utf8("what do ya want for nothing?")),
    mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  },
  {
    name: "case 6",
    key: "aa".repeat(131),
    data: hex(utf8("Test Using Larger Than Block-Size Key - Hash Key First")),
    mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
  },
];

/** git hash-object of the content. */
const BLOB_IDS = [
  { content: "", id: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391" },
  { content: "abc", id: "f2ba8f84ab5c1bce84a7b441cb1959cfc7093b7f" },
  { content: "hello world\n", id: "3b18e512dba79e4c8300dd08aeb37f8e728b8dad" },
];

/** CRC-32 (ISO-HDLC, zip's) check value. */
const CRC_CHECK = { input: "123456789", crc: 0xcbf43926 };

/** A ModuleFile whose content arrives in the given pieces (as an archive entry streams). */
function piecesFile(path: string, pieces: string[]): ModuleFile {
  const chunks = pieces.map(utf8);
  return {
    path,
    kind: "file",
    size: chunks.reduce((n, c) => n + c.length, 0),
    async open() {
      return new ReadableStream<Uint8Array>({
        start(controller) {
          for (const c of chunks) controller.enqueue(c);
          controller.close();
        },
      });
    },
  };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) (out.set(c, at), (at += c.length));
  return out;
}

/** Registers the known-answer tests in the caller's describe. */
export function hashVectorTests(): void {
  it.each(FIPS)("SHA-256 of $input: dirhash's sha256, and sha256Stream fed in every split", ({ input, sha256: want }) => {
    const bytes = utf8(input);
    expect(hex(sha256(bytes))).toBe(want);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const stream = sha256Stream();
      stream.update(bytes.subarray(0, cut));
      stream.update(bytes.subarray(cut));
      expect(hex(stream.digest()), `split at ${cut}`).toBe(want);
    }
    // A plain Uint8Array, like the one HashedFile compares against.
    expect(sha256(bytes)).toEqual(fromHex(want));
  });

  it("SHA-256 of a million 'a's (FIPS 180-4 long example), streamed in 1000 pieces", () => {
    const piece = utf8("a".repeat(1000));
    const stream = sha256Stream();
    for (let i = 0; i < 1000; i++) stream.update(piece);
    expect(hex(stream.digest())).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });

  it.each(FIPS)("SHA-1 of $input (the platform's, under git blob ids)", ({ input, sha1 }) => {
    expect(createHash("sha1").update(utf8(input)).digest("hex")).toBe(sha1);
  });

  it.each(BLOB_IDS)("git blob id of $content: blobId, and BlobIdHasher fed byte by byte", ({ content, id }) => {
    const bytes = utf8(content);
    expect(blobId(bytes)).toBe(id);
    const hasher = new BlobIdHasher(bytes.length);
    for (let i = 0; i < bytes.length; i++) hasher.update(bytes.subarray(i, i + 1));
    expect(hasher.digest()).toBe(id);
  });

  it.each(RFC4231)("HMAC-SHA-256 RFC 4231 $name: the access decisions' hmacSha256Hex", ({ key, data, mac }) => {
    expect(hmacSha256Hex(fromHex(key), fromHex(data))).toBe(mac);
  });

  it("h1 of go.mod and of a zip's files, as the go command computes them", () => {
    const mod = utf8("module example.com/m.git\n");
    expect(hash1([{ name: "go.mod", sha256: sha256(mod) }])).toBe("h1:H+A5oSNRO0pYE2LYIaKt3PIQVoFx+TQz0LoqkEl9I64=");
    expect(hash1([])).toBe("h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  });

  it("the zip writer: CRC-32 check value and h1 over contents streamed in pieces; the archive reader checks the CRC", async () => {
    const zip = createModuleZip({
      modulePath: "example.com/m.git",
      version: "v1.0.0",
      files: [
        piecesFile("go.mod", ["module exa", "mple.com/m.git\n"]),
        piecesFile("a.go", ["package m\n"]),
        // The empty piece: Node 20's zlib.crc32 answers 0 for TextEncoder's "" whatever the running value (zip-records.ts).
        piecesFile("check.txt", ["1234", "", "56789"]),
        piecesFile("empty.txt", []),
      ],
    });
    const bytes = await readAll(zip.stream);
    const summary = await zip.done;
    // dirhash.Hash1 of these files as the go command sums them (go.mod and a.go: docs/go-rules.md §5).
    const digests = [
      { name: "example.com/m.git@v1.0.0/go.mod", sha256: sha256(utf8("module example.com/m.git\n")) },
      { name: "example.com/m.git@v1.0.0/a.go", sha256: sha256(utf8("package m\n")) },
    ];
    expect(hash1(digests)).toBe("h1:PKVvaPDHZC8u7um3eECuJ9tJvsWCyejZQQB69O59RQw=");
    const all = [
      ...digests,
      { name: "example.com/m.git@v1.0.0/check.txt", sha256: sha256(utf8(CRC_CHECK.input)) },
      { name: "example.com/m.git@v1.0.0/empty.txt", sha256: sha256(new Uint8Array()) },
    ];
    expect(summary.h1).toBe(hash1(all));

    const archive = await openArchive(bytesSource(bytes));
    const byName = new Map(archive.entries.map((e) => [e.name, e]));
    const check = byName.get("example.com/m.git@v1.0.0/check.txt")!;
    expect(check.crc32).toBe(CRC_CHECK.crc);
    expect(byName.get("example.com/m.git@v1.0.0/empty.txt")!.crc32).toBe(0);
    // The reader inflates and checks each entry's CRC-32 against the directory's ...
    expect(new TextDecoder().decode(await readAll(archive.open(check)))).toBe(CRC_CHECK.input);
    // ... and refuses one whose CRC-32 does not match.
    await expect(readAll(archive.open({ ...check, crc32: CRC_CHECK.crc ^ 1 }))).rejects.toThrow(/fails its CRC-32 check/);
  });
}
