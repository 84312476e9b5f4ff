// Finding 5 ("whole files read before any size check"): every GitLab body is
// read under a byte cap, checked against Content-Length first and enforced
// while streaming; what a body over its cap means depends on what it is.
// Bodies here are made lazily (zeros, as many as asked for): nothing large is
// ever allocated, and the counters say how much of them was produced.
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { BodyTooLargeError, GitlabClient, MAX_JSON_BYTES, readCapped } from "../../src/gitlab/client.js";
import { GitlabUnavailable } from "../../src/gitlab/failure.js";
import { NotExistError } from "../../src/module/errors.js";
import { readRawFile, readZipFromGitlab, type ZipRuntime } from "../../src/proxy/repo/gitlab-zip.js";
import { bytesSource } from "../../src/proxy/zip/archive-reader.js";
import { MAX_GO_MOD, REASONS } from "../../src/proxy/zip/check-files.js";
import { ATTR_MAX_FILE_SIZE } from "../../src/proxy/zip/gitattributes.js";

const GITLAB = "https://gitlab.example.com";
const CHUNK = 64 * 1024;
/** A body larger than every cap below (made lazily; an uncapped reader would hold all of it). */
const BIG = 64 << 20;
/** git's attr.c ATTR_MAX_FILE_SIZE, spelled out (not imported) so the test says what git says. */
const GIT_ATTR_MAX = 100 * 1024 * 1024;

/** A body of `total` bytes (of `fill`), made 64 KiB at a time as it is read; `produced` counts what was made. */
function lazyBody(total: number, fill = 0): { stream: ReadableStream<Uint8Array>; produced: () => number } {
  let made = 0;
  const chunk = new Uint8Array(CHUNK).fill(fill);
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (made >= total) return controller.close();
        const n = Math.min(CHUNK, total - made);
        made += n;
        controller.enqueue(n === CHUNK ? chunk.slice() : chunk.slice(0, n));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, produced: () => made };
}

const client = (fetchFn: typeof fetch) => new GitlabClient({ url: GITLAB, token: "t", apiTimeoutMs: 5000, maxConcurrentCalls: 4, fetch: fetchFn });

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe("readCapped", () => {
  it("refuses a Content-Length over the cap before reading a byte", async () => {
    const body = lazyBody(BIG);
    const err = await failure(readCapped(new Response(body.stream, { headers: { "content-length": String(1 << 30) } }), "blob", 1 << 20));
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect(err).toMatchObject({ endpoint: "blob", limit: 1 << 20, declared: 1 << 30 });
    expect(body.produced()).toBe(0);
  });

  it("stops a body without Content-Length as soon as it passes the cap", async () => {
    const body = lazyBody(BIG);
    const err = await failure(readCapped(new Response(body.stream), "file", 1 << 20));
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect(err).toMatchObject({ limit: 1 << 20, declared: undefined });
    expect(body.produced()).toBeLessThanOrEqual((1 << 20) + 2 * CHUNK);
  });

  it("stops a body longer than its Content-Length at the cap too", async () => {
    const body = lazyBody(BIG);
    const err = await failure(readCapped(new Response(body.stream, { headers: { "content-length": "10" } }), "file", 1 << 20));
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect(body.produced()).toBeLessThanOrEqual((1 << 20) + 2 * CHUNK);
  });

  it("reads a body up to the cap whole, with or without Content-Length", async () => {
    const size = (1 << 20) - 3;
    for (const headers of [{}, { "content-length": String(size) }] as Record<string, string>[]) {
      const bytes = await readCapped(new Response(lazyBody(size, 7).stream, { headers }), "file", 1 << 20);
      expect(bytes.length).toBe(size);
      expect(bytes[size - 1]).toBe(7);
    }
    expect((await readCapped(new Response(null), "file", 0)).length).toBe(0);
  });
});

describe("GitlabClient's reads are capped", () => {
  it("file and blob: BodyTooLargeError at the caller's cap", async () => {
    const bodies: ReturnType<typeof lazyBody>[] = [];
    const c = client((async () => {
      const b = lazyBody(BIG);
      bodies.push(b);
      return new Response(b.stream, { status: 200 });
    }) as typeof fetch);
    expect(await failure(c.file("g/p", "abc", "go.mod", 1 << 20))).toBeInstanceOf(BodyTooLargeError);
    expect(await failure(c.blob("g/p", "abc", 1 << 20))).toBeInstanceOf(BodyTooLargeError);
    for (const b of bodies) expect(b.produced()).toBeLessThanOrEqual((1 << 20) + 2 * CHUNK);
  });

  it("a JSON answer over MAX_JSON_BYTES is GitLab answering badly (502), not read whole", async () => {
    const bodies: ReturnType<typeof lazyBody>[] = [];
    const c = client((async () => {
      const b = lazyBody(BIG, 0x20); // blanks: JSON.parse would take them all
      bodies.push(b);
      return new Response(b.stream, { status: 200, headers: { "content-type": "application/json" } });
    }) as typeof fetch);
    for (const call of [() => c.tags("g/p", ""), () => c.project("g/p"), () => c.tree("g/p", "abc", "")]) {
      const err = await failure(call());
      expect(err).toBeInstanceOf(GitlabUnavailable);
      expect(err).toMatchObject({ kind: "bad_answer" });
    }
    for (const b of bodies) expect(b.produced()).toBeLessThanOrEqual(MAX_JSON_BYTES + 2 * CHUNK);
  });

  it("a 403 of the access check with a huge body is a refusal, read no further than a line", async () => {
    const b = lazyBody(BIG, 0x41);
    const c = client((async () => new Response(b.stream, { status: 403 })) as typeof fetch);
    expect(await c.canRead("g/p", { user: "u", secret: "s" })).toBe("denied");
    expect(b.produced()).toBeLessThanOrEqual(128 * 1024 + 2 * CHUNK);
  });
});

describe("readRawFile", () => {
  const huge = client((async () => new Response(lazyBody(BIG).stream, { status: 200 })) as typeof fetch);

  it("a .gitattributes over git's limit is as if absent (git ignores it)", async () => {
    expect(await readRawFile(huge, "g/p", "abc", "a/.gitattributes", { attributesFile: 1 << 20, archive: 500 << 20 })).toBeUndefined();
  });

  it("a go.mod or LICENSE over the go command's 16 MiB is not there: file too large", async () => {
    for (const path of ["go.mod", "sub/go.mod", "LICENSE"]) {
      const err = await failure(readRawFile(huge, "g/p", "abc", path));
      expect(err).toBeInstanceOf(NotExistError);
      expect((err as Error).message).toBe(`${path} at revision abc: file too large`);
    }
  });

  it("refuses a declared go.mod size over the limit without reading it", async () => {
    const b = lazyBody(BIG);
    const c = client((async () => new Response(b.stream, { status: 200, headers: { "content-length": String(MAX_GO_MOD + 1) } })) as typeof fetch);
    expect(await failure(readRawFile(c, "g/p", "abc", "go.mod"))).toBeInstanceOf(NotExistError);
    expect(b.produced()).toBe(0);
  });
});

/** A spool in memory, with every read of the finished archive logged (offset, length). */
function memoryRuntime(reads: [number, number][]): ZipRuntime {
  return {
    spool() {
      const chunks: Uint8Array[] = [];
      return {
        async write(chunk) {
          chunks.push(chunk.slice());
        },
        async finish() {
          const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
          let at = 0;
          for (const c of chunks) all.set(c, (at += c.length) - c.length);
          const source = bytesSource(all);
          return {
            size: source.size,
            read: (offset: number, length: number) => {
              reads.push([offset, length]);
              return source.read(offset, length);
            },
            dispose: async () => {},
          };
        },
        async abort() {},
      };
    },
  };
}

/** Sets the uncompressed size of `name` in a zip's central directory (what git would declare for a larger file). */
function declareSize(zip: Uint8Array, name: string, size: number): { local: number; dataOffset: number } {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const encoded = new TextEncoder().encode(name);
  for (let at = 0; at + 46 <= zip.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(at + 28, true);
    if (nameLength !== encoded.length || !encoded.every((b, i) => zip[at + 46 + i] === b)) continue;
    view.setUint32(at + 24, size, true);
    const local = view.getUint32(at + 42, true);
    return { local, dataOffset: local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true) };
  }
  throw new Error(`no ${name} in the zip`);
}

describe("readZipFromGitlab applies declared sizes before reading", () => {
  const text = (s: string) => new TextEncoder().encode(s);

  function gitlab(zip: Uint8Array, asked: string[], blob?: () => Response): GitlabClient {
    return client((async (input: RequestInfo | URL) => {
      const url = new URL(String(input));
      asked.push(url.pathname.replace(/^.*\/repository\//, ""));
      if (url.pathname.endsWith("/repository/archive.zip")) return new Response(zip as Uint8Array<ArrayBuffer>, { status: 200 });
      if (url.pathname.endsWith("/repository/tree")) {
        return Response.json([
          { id: "1".repeat(40), path: "a.txt", type: "blob", mode: "100644" },
          { id: "2".repeat(40), path: "big.txt", type: "blob", mode: "100644" },
        ]);
      }
      if (url.pathname.includes("/repository/blobs/")) return blob ? blob() : new Response("a\n");
      return new Response("not here", { status: 404 });
    }) as typeof fetch);
  }

  it("a nested .gitattributes declared at git's 100 MiB is skipped without a byte of it read", async () => {
    const attributes = text("*.txt eol=crlf\n");
    const zip = zipSync({ "p-v-abc/a.txt": text("a\n"), "p-v-abc/sub/.gitattributes": attributes }, { level: 0 });
    // git's limit exactly: ATTR_MAX_FILE_SIZE or more is ignored (attr.c: sz >= ATTR_MAX_FILE_SIZE).
    const { local, dataOffset } = declareSize(zip, "p-v-abc/sub/.gitattributes", GIT_ATTR_MAX);
    const reads: [number, number][] = [];
    const asked: string[] = [];
    const content = await readZipFromGitlab({
      client: gitlab(zip, asked),
      project: "g/p",
      commit: "abc",
      dir: "",
      runtime: memoryRuntime(reads),
      readFile: async () => undefined,
    });
    // No attributes in play: the archive is the answer, no tree asked.
    expect(asked).toEqual(["archive.zip"]);
    expect(content.files.map((f) => [f.path, f.size])).toEqual([
      ["a.txt", 2],
      ["sub/.gitattributes", GIT_ATTR_MAX],
    ]);
    // The reader opens an entry at its local header, then its data: neither was asked for.
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.filter(([offset]) => offset === local || offset === dataOffset)).toEqual([]);
    await content.dispose();
    expect(ATTR_MAX_FILE_SIZE).toBe(GIT_ATTR_MAX);
  });

  it("one byte under the limit, the .gitattributes is read and applies", async () => {
    const zip = zipSync({ "p-v-abc/a.txt": text("a\n"), "p-v-abc/sub/.gitattributes": text("*.txt eol=crlf\n") }, { level: 0 });
    const asked: string[] = [];
    const content = await readZipFromGitlab({
      client: gitlab(zip, asked),
      project: "g/p",
      commit: "abc",
      dir: "",
      runtime: memoryRuntime([]),
      readFile: async () => undefined,
      limits: { attributesFile: 16, archive: 500 << 20 },
    });
    expect(asked).toContain("tree");
    await content.dispose();
  });

  it("raw blobs held for conversion are capped together at the zip's limit, read no further", async () => {
    const zip = zipSync({ "p-v-abc/.gitattributes": text("*.txt eol=crlf\n"), "p-v-abc/a.txt": text("a\n"), "p-v-abc/big.txt": text("b\n") }, { level: 0 });
    const asked: string[] = [];
    const bodies: ReturnType<typeof lazyBody>[] = [];
    const err = await failure(
      readZipFromGitlab({
        client: gitlab(zip, asked, () => {
          const b = lazyBody(BIG, 0x61);
          bodies.push(b);
          return new Response(b.stream, { status: 200 });
        }),
        project: "g/p",
        commit: "abc",
        dir: "",
        runtime: memoryRuntime([]),
        readFile: async () => text("*.txt eol=crlf\n"),
        limits: { attributesFile: ATTR_MAX_FILE_SIZE, archive: 1 << 20 },
      }),
    );
    expect(err).toBeInstanceOf(NotExistError);
    expect((err as Error).message).toBe(REASONS.tooLarge);
    for (const b of bodies) expect(b.produced()).toBeLessThanOrEqual((1 << 20) + 2 * CHUNK);
  });

  it("an archive declared over the limit is refused before it is spooled", async () => {
    const b = lazyBody(BIG);
    const c = client((async () => new Response(b.stream, { status: 200, headers: { "content-length": String((500 << 20) + 1) } })) as typeof fetch);
    const err = await failure(
      readZipFromGitlab({ client: c, project: "g/p", commit: "abc", dir: "", runtime: memoryRuntime([]), readFile: async () => undefined }),
    );
    expect(err).toBeInstanceOf(NotExistError);
    expect((err as Error).message).toBe("downloaded zip file too large");
    expect(b.produced()).toBe(0);
  });
});

describe("GitAttributes on large files", () => {
  it("reads lines over the bytes: blank lines cost nothing, a line of 2048 bytes or more is ignored", async () => {
    const { GitAttributes } = await import("../../src/proxy/zip/gitattributes.js");
    const bytes = new Uint8Array(64 * 1024);
    bytes.set(new TextEncoder().encode("*.txt eol=crlf\n"));
    bytes.fill(0x0a, 15, 4096); // blank lines; the zeros after them: one NUL line, over 2048 bytes
    const attrs = new GitAttributes([{ dir: "", content: bytes }]);
    expect(attrs.of("a.txt").eol).toBe("crlf");
    expect(attrs.warnings).toEqual(["ignoring overly long attributes line .gitattributes:4083"]);
  });

  it("keeps at most 100 warnings, however many lines are bad", async () => {
    const { GitAttributes } = await import("../../src/proxy/zip/gitattributes.js");
    const bad = new TextEncoder().encode("!neg x\n".repeat(10_000) + "*.go eol=lf\n");
    const attrs = new GitAttributes([{ dir: "", content: bad }]);
    expect(attrs.warnings.length).toBe(100);
    expect(attrs.of("a.go").eol).toBe("lf");
  });
});
