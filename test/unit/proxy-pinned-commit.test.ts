// Everything of a version comes from the commit its stored .info names
// (issue "the proxy keeps its promises", finding 4): once a version's .info
// is stored (commit A), a tag GitLab moves to commit B changes neither its
// .mod nor its .zip, whichever path builds them (a request, a cold .info's
// background build); the move is reported (tag-moved).
import { describe, expect, it } from "vitest";
import { CodeRepo } from "../../src/proxy/repo/code-repo.js";
import type { CodeHost, RevInfo, Tag, ZipContent } from "../../src/proxy/repo/code-host.js";
import { CachingRepo } from "../../src/proxy/cache/caching-repo.js";
import { MemoryStore } from "../../src/proxy/store/memory-store.js";
import { NotExistError } from "../../src/module/errors.js";
import { bytesFile } from "../../src/proxy/zip/file.js";
import type { ProxyEvent } from "../../src/proxy/events.js";

const MODULE = "example.com/m";
const A = "a".repeat(40);
const B = "b".repeat(40);
const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** Two commits, each with its own go.mod and m.go; tag v1.0.0 on A until the test moves it. */
class MovingHost implements CodeHost {
  readonly url = "https://gitlab.example.com/m.git";
  tag = A;
  stats: string[] = [];
  readonly files: Record<string, Record<string, string>> = {
    [A]: { "go.mod": `module ${MODULE}\n\ngo 1.21\n`, "m.go": 'package m\n\nconst Commit = "A"\n' },
    [B]: { "go.mod": `module ${MODULE}\n\ngo 1.22\n`, "m.go": 'package m\n\nconst Commit = "B"\n' },
  };

  async tags(): Promise<Tag[]> {
    return [{ name: "v1.0.0", commit: this.tag }];
  }
  async stat(rev: string): Promise<RevInfo> {
    this.stats.push(rev);
    const hash = rev === "v1.0.0" ? this.tag : rev === A || rev === B ? rev : undefined;
    if (hash === undefined) throw new NotExistError(`unknown revision ${rev}`);
    return {
      name: hash,
      short: hash.slice(0, 12),
      time: new Date("2024-01-02T03:04:05Z"),
      version: rev,
      ref: "refs/tags/v1.0.0",
      tags: async () => (hash === this.tag ? ["v1.0.0"] : []),
    };
  }
  async latest(): Promise<RevInfo> {
    return this.stat(this.tag);
  }
  async readFile(commit: string, path: string): Promise<Uint8Array | undefined> {
    const data = this.files[commit]?.[path];
    return data === undefined ? undefined : text(data);
  }
  async recentTag(): Promise<string> {
    return "";
  }
  async descendsFrom(): Promise<boolean> {
    return false;
  }
  async readZip(commit: string): Promise<ZipContent> {
    const files = Object.entries(this.files[commit] ?? {}).map(([path, data]) => bytesFile(path, data));
    return { files, dispose: async () => {} };
  }
}

function setup(o: { backgroundWork?: boolean } = {}) {
  const host = new MovingHost();
  const store = new MemoryStore(o);
  const events: ProxyEvent[] = [];
  const repo = new CachingRepo(new CodeRepo(host, { path: MODULE, codeRoot: MODULE, subdir: "" }), {
    store,
    escapedPath: MODULE,
    listTtlMs: 60_000,
    now: () => 0,
    onEvent: (e) => events.push(e),
  });
  const moved = () => events.filter((e) => e.type === "tag-moved");
  return { host, store, repo, moved };
}

/** The h1 of the version's zip (built when not stored): what tells two commits' contents apart. */
async function zipH1(repo: CachingRepo): Promise<string> {
  await repo.zip("v1.0.0");
  return repo.zipHash("v1.0.0");
}

describe("a version's .mod and .zip come from the commit its stored .info names", () => {
  it("CodeRepo.goMod and zip read at a pinned commit, without resolving the tag", async () => {
    const host = new MovingHost();
    const code = new CodeRepo(host, { path: MODULE, codeRoot: MODULE, subdir: "" });
    host.tag = B;
    expect(decode(await code.goMod("v1.0.0", A))).toContain("go 1.21");
    const zip = await code.zip("v1.0.0", A);
    await new Response(zip.stream).arrayBuffer();
    expect(host.stats).toEqual([]);
    expect(decode(await code.goMod("v1.0.0"))).toContain("go 1.22");
  });

  it("a request's .mod and .zip after the tag moved: commit A's, and the move is reported", async () => {
    const { host, repo, moved } = setup();
    const info = JSON.parse(decode(await repo.info("v1.0.0"))) as { Origin: { Hash: string } };
    expect(info.Origin.Hash).toBe(A);
    // What the zip of A hashes to, from a second proxy that never saw the tag move.
    const fresh = setup();
    await fresh.repo.info("v1.0.0");
    const wantH1 = await zipH1(fresh.repo);

    host.tag = B;
    expect(decode(await repo.goMod("v1.0.0"))).toContain("go 1.21");
    expect(await zipH1(repo)).toBe(wantH1);
    await expect.poll(() => moved().length).toBeGreaterThan(0);
    expect(moved()[0]).toMatchObject({ module: MODULE, version: "v1.0.0", servedCommit: A, tagCommit: B });
  });

  it("a cold .info's background build that starts after the tag moved builds commit A's zip", async () => {
    const { host, repo, store } = setup({ backgroundWork: true });
    const fresh = setup();
    await fresh.repo.info("v1.0.0");
    const wantH1 = await zipH1(fresh.repo);
    // The .info is stored from A; the tag moves before the background build resolves anything.
    const info = repo.info("v1.0.0");
    await info;
    host.tag = B;
    await expect.poll(async () => (await store.get(`${MODULE}/@v/v1.0.0.zip`)) !== undefined).toBe(true);
    expect(await zipH1(repo)).toBe(wantH1);
  });

  it("the summary path (modgate resolve) pins too: .mod after .zip, both of A", async () => {
    const { host, repo } = setup();
    await repo.info("v1.0.0");
    host.tag = B;
    await repo.zip("v1.0.0");
    expect(decode(await repo.goMod("v1.0.0"))).toContain("go 1.21");
  });
});
