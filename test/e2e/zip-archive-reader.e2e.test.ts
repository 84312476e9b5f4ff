// The archive reader on real `git archive --format=zip` output (what GitLab's
// /repository/archive.zip returns through Gitaly): deflated and stored entries, the streamed
// big-file path (data descriptors), symlinks, directories, submodule gitlinks, an executable,
// an empty file, a non-ASCII name, and Zip64 end records past 65535 entries.
import { execFileSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedGitEnv, makeTempDir, removeDir, requireTools, toolPath } from "./harness/index.js";
import { bytesSource, openArchive, type ArchiveEntry, type ArchiveReader } from "../../src/proxy/zip/archive-reader.js";

const haveGit = requireTools("git");

/** Deterministic bytes that deflate cannot shrink (xorshift). */
function noise(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function readEntry(archive: ArchiveReader, entry: ArchiveEntry): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of archive.open(entry) as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  return Buffer.concat(chunks);
}

describe.skipIf(!haveGit)("archive reader on git archive --format=zip", () => {
  let dir: string;
  const git = (repo: string, args: string[], input?: Buffer) =>
    execFileSync(toolPath("git"), args, { cwd: repo, env: isolatedGitEnv(), input, maxBuffer: 1 << 28 });

  async function repoWith(name: string, files: { path: string; mode: string; content?: Buffer; gitlink?: string }[]): Promise<string> {
    const repo = join(dir, name);
    await mkdir(repo);
    git(repo, ["init", "-q", "--bare"]);
    const parts: Buffer[] = [Buffer.from("commit refs/heads/main\ncommitter e2e <e2e@modgate.invalid> 1700000000 +0000\ndata 2\nc\n")];
    for (const f of files) {
      if (f.gitlink) parts.push(Buffer.from(`M 160000 ${f.gitlink} ${f.path}\n`));
      else parts.push(Buffer.from(`M ${f.mode} inline ${f.path}\ndata ${f.content!.length}\n`), f.content!, Buffer.from("\n"));
    }
    git(repo, ["fast-import", "--quiet"], Buffer.concat(parts));
    return repo;
  }

  beforeAll(async () => {
    dir = await makeTempDir("zip-archive");
  });
  afterAll(async () => {
    if (dir) await removeDir(dir);
  });

  it("lists entries as git wrote them and streams each one back byte for byte", async () => {
    const big = Buffer.from("all work and no play\n".repeat(150_000)); // ~3 MiB, compressible
    const files = [
      { path: "big.txt", mode: "100644", content: big },
      { path: "noise.bin", mode: "100644", content: noise(300_000) },
      { path: "empty", mode: "100644", content: Buffer.alloc(0) },
      { path: "run.sh", mode: "100755", content: Buffer.from("#!/bin/sh\n") },
      { path: "dir/nested/ünï.go", mode: "100644", content: Buffer.from("package ünï\n") },
      { path: "link", mode: "120000", content: Buffer.from("dir/nested") },
      { path: "lib", mode: "160000", gitlink: "2222222222222222222222222222222222222222" },
    ];
    const repo = await repoWith("plain", files);
    // A low bigFileThreshold sends big.txt down git's streaming path (sizes in a data descriptor).
    const zip = git(repo, ["-c", "core.bigFileThreshold=1m", "archive", "--format=zip", "--prefix=top/", "main"]);
    const archive = await openArchive(bytesSource(new Uint8Array(zip)), { chunkSize: 4096 });
    const byName = new Map(archive.entries.map((e) => [e.name, e]));
    expect([...byName.keys()].sort()).toEqual(
      [
        "top/",
        "top/big.txt",
        "top/noise.bin",
        "top/empty",
        "top/run.sh",
        "top/dir/",
        "top/dir/nested/",
        "top/dir/nested/ünï.go",
        "top/link",
        "top/lib/",
      ].sort(),
    );
    for (const f of files.filter((f) => !f.gitlink)) {
      const entry = byName.get(`top/${f.path}`)!;
      expect(entry.isDirectory).toBe(false);
      expect(entry.isSymlink, f.path).toBe(f.mode === "120000");
      expect(entry.size).toBe(f.content!.length);
      expect(Buffer.compare(await readEntry(archive, entry), f.content!), f.path).toBe(0);
    }
    expect(byName.get("top/lib/")!.isDirectory).toBe(true);
    expect(byName.get("top/dir/")!.isDirectory).toBe(true);
    expect(byName.get("top/run.sh")!.unixMode).toBe(0o100755);
    expect(byName.get("top/big.txt")!.method).toBe(8);
    expect(byName.get("top/big.txt")!.compressedSize).toBeLessThan(big.length / 10);
    expect(byName.get("top/noise.bin")!.method).toBe(0);
  });

  it("refuses an entry whose data is damaged (CRC-32 check)", async () => {
    const repo = await repoWith("damaged", [{ path: "a.txt", mode: "100644", content: Buffer.from("hello hello hello\n") }]);
    const zip = new Uint8Array(git(repo, ["archive", "--format=zip", "-0", "main"]));
    const archive = await openArchive(bytesSource(zip));
    const entry = archive.entries.find((e) => e.name === "a.txt")!;
    // Stored (-0): flip one content byte after the local header.
    const view = new DataView(zip.buffer, zip.byteOffset);
    const dataAt = entry.localHeaderOffset + 30 + view.getUint16(entry.localHeaderOffset + 26, true) + view.getUint16(entry.localHeaderOffset + 28, true);
    zip[dataAt] = zip[dataAt]! ^ 0xff;
    await expect(readEntry(archive, entry)).rejects.toThrow(/CRC-32/);
  });

  it("follows Zip64 end records past 65535 entries", async () => {
    const files = Array.from({ length: 66_000 }, (_, i) => ({ path: `d${i % 100}/f${i}`, mode: "100644", content: Buffer.from(`${i}\n`) }));
    const repo = await repoWith("many", files);
    const zip = git(repo, ["archive", "--format=zip", "main"]);
    const archive = await openArchive(bytesSource(new Uint8Array(zip)));
    expect(archive.entries.filter((e) => !e.isDirectory)).toHaveLength(66_000);
    const last = archive.entries.find((e) => e.name === "d99/f65999")!;
    expect((await readEntry(archive, last)).toString()).toBe("65999\n");
  });
});
