// CodeRepo (src/proxy/repo/code-repo.ts) asks independent reads at once: findDir's two places a
// major version's go.mod may be, and stat hands the host those files to read as soon as the
// revision's commit is known. Results and errors are what the reads one after the other gave.
import { describe, expect, it } from "vitest";
import { CodeRepo } from "../../src/proxy/repo/code-repo.js";
import type { CodeHost, RevInfo, Tag, ZipContent } from "../../src/proxy/repo/code-host.js";
import { NotExistError } from "../../src/module/errors.js";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";

interface Pending {
  path: string;
  resolve(data: Uint8Array | undefined): void;
  reject(err: unknown): void;
}

/** A host with one tag (v2.0.0) whose file reads wait until the test settles them. */
class HeldHost implements CodeHost {
  readonly url = "https://gitlab.example.com/g/r.git";
  readonly reads: Pending[] = [];
  readonly statPrefetch: (readonly string[] | undefined)[] = [];

  async tags(): Promise<Tag[]> {
    return [{ name: "v2.0.0", commit: COMMIT }];
  }
  async stat(rev: string, prefetch?: readonly string[]): Promise<RevInfo> {
    this.statPrefetch.push(prefetch);
    if (rev !== "v2.0.0") throw new NotExistError(`unknown revision ${rev}`);
    return {
      name: COMMIT,
      short: COMMIT.slice(0, 12),
      time: new Date("2024-01-02T03:04:05Z"),
      version: rev,
      ref: "refs/tags/v2.0.0",
      tags: async () => ["v2.0.0"],
    };
  }
  async latest(): Promise<RevInfo> {
    return this.stat("v2.0.0");
  }
  readFile(_commit: string, path: string): Promise<Uint8Array | undefined> {
    return new Promise((resolve, reject) => this.reads.push({ path, resolve, reject }));
  }
  async recentTag(): Promise<string> {
    return "";
  }
  async descendsFrom(): Promise<boolean> {
    return false;
  }
  async readZip(): Promise<ZipContent> {
    throw new Error("not read here");
  }
}

const text = (s: string) => new TextEncoder().encode(s);
const tick = () => new Promise((r) => setTimeout(r, 0));

/** example.com/r/v2 in the repository of example.com/r: its go.mod may be at the root or in v2/. */
const repoOf = (host: HeldHost) => new CodeRepo(host, { path: "example.com/r/v2", codeRoot: "example.com/r", subdir: "" });

describe("CodeRepo overlaps its reads", () => {
  it("findDir asks go.mod and v2/go.mod at once, and finds the module in v2/", async () => {
    const host = new HeldHost();
    const found = repoOf(host).findDir("v2.0.0");
    await tick();
    // Both asked before either answered.
    expect(host.reads.map((r) => r.path)).toEqual(["go.mod", "v2/go.mod"]);
    host.reads[1]!.resolve(text("module example.com/r/v2\n"));
    host.reads[0]!.resolve(text("module example.com/r\n"));
    expect(await found).toEqual({ commit: COMMIT, dir: "v2", gomod: text("module example.com/r/v2\n") });
  });

  it("when both reads fail, the root go.mod's failure is the one reported, as when it was read first", async () => {
    const host = new HeldHost();
    const found = repoOf(host).findDir("v2.0.0");
    await tick();
    host.reads[1]!.reject(new Error("v2/go.mod failed"));
    await tick();
    host.reads[0]!.reject(new Error("go.mod failed"));
    await expect(found).rejects.toThrow(/^go\.mod failed$/);
  });

  it("both read, judged as before: both holding a /v2 module path is the go command's error", async () => {
    const host = new HeldHost();
    const found = repoOf(host).findDir("v2.0.0");
    await tick();
    host.reads[0]!.resolve(text("module example.com/r/v2\n"));
    host.reads[1]!.resolve(text("module example.com/r/v2\n"));
    await expect(found).rejects.toThrow(/both have \.\.\.\/v2 module paths at revision v2\.0\.0/);
  });

  it("stat hands the host the go.mod files to read as soon as the commit is known", async () => {
    const host = new HeldHost();
    const stat = repoOf(host).stat("v2.0.0");
    await tick();
    expect(host.statPrefetch[0]).toEqual(["go.mod", "v2/go.mod"]);
    for (;;) {
      const r = host.reads.shift();
      if (!r) {
        await tick();
        if (host.reads.length === 0) break;
        continue;
      }
      r.resolve(r.path === "v2/go.mod" ? text("module example.com/r/v2\n") : undefined);
    }
    expect((await stat).version).toBe("v2.0.0");
  });
});
