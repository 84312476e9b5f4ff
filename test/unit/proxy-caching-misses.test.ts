// Made-up versions cost GitLab calls once per listTtl, not on every repeat
// (issue "the proxy keeps its promises", finding 10b): CachingRepo remembers
// what GitLab said does not exist (stat of a version, a query) for listTtl,
// bounded; a GitLab failure is never remembered.
import { describe, expect, it } from "vitest";
import { CachingRepo } from "../../src/proxy/cache/caching-repo.js";
import { MemoryStore } from "../../src/proxy/store/memory-store.js";
import { NotExistError } from "../../src/module/errors.js";
import { GitlabUnavailable } from "../../src/gitlab/failure.js";
import type { ResolvedVersion } from "../../src/proxy/repo/repo.js";
import { FakeRepo, MODULE, V } from "./fake-module-repo.js";

/** FakeRepo whose stat knows V only, counting what it is asked; `down` makes GitLab fail. */
class CountingRepo extends FakeRepo {
  asked: string[] = [];
  down = false;
  override async stat(rev: string): Promise<ResolvedVersion> {
    this.asked.push(rev);
    if (this.down) throw new GitlabUnavailable("unreachable", "GitLab is down");
    if (rev !== V) throw new NotExistError(`unknown revision ${rev}`);
    return super.stat(rev);
  }
}

function setup(listTtlMs = 60_000) {
  let now = 1_000_000;
  const repo = new CountingRepo();
  const caching = new CachingRepo(repo, { store: new MemoryStore(), escapedPath: MODULE, listTtlMs, now: () => now });
  return { repo, caching, advance: (ms: number) => (now += ms) };
}

describe("misses are remembered for listTtl", () => {
  it("a made-up version's .info, .mod and .zip ask GitLab once per listTtl", async () => {
    const { repo, caching, advance } = setup();
    for (let i = 0; i < 3; i++) {
      await expect(caching.info("v9.9.9")).rejects.toThrow(/unknown revision v9\.9\.9/);
      await expect(caching.goMod("v9.9.9")).rejects.toBeInstanceOf(NotExistError);
      await expect(caching.zip("v9.9.9")).rejects.toBeInstanceOf(NotExistError);
    }
    expect(repo.asked).toEqual(["v9.9.9"]);
    advance(60_001);
    await expect(caching.info("v9.9.9")).rejects.toThrow(/unknown revision/);
    expect(repo.asked).toEqual(["v9.9.9", "v9.9.9"]);
  });

  it("a query for an unknown branch too", async () => {
    const { repo, caching } = setup();
    for (let i = 0; i < 3; i++) await expect(caching.queryInfo("no-such-branch")).rejects.toThrow(/unknown revision/);
    expect(repo.asked).toEqual(["no-such-branch"]);
  });

  it("GitLab failing is never remembered", async () => {
    const { repo, caching } = setup();
    repo.down = true;
    await expect(caching.info("v9.9.9")).rejects.toBeInstanceOf(GitlabUnavailable);
    await expect(caching.queryInfo("main")).rejects.toBeInstanceOf(GitlabUnavailable);
    repo.down = false;
    await expect(caching.info("v9.9.9")).rejects.toBeInstanceOf(NotExistError);
    expect(JSON.parse(new TextDecoder().decode(await caching.info(V))).Version).toBe(V);
    expect(repo.asked).toEqual(["v9.9.9", "main", "v9.9.9", V]);
  });

  it("with listTtl 0 nothing is remembered", async () => {
    const { repo, caching } = setup(0);
    for (let i = 0; i < 2; i++) await expect(caching.info("v9.9.9")).rejects.toBeInstanceOf(NotExistError);
    expect(repo.asked).toEqual(["v9.9.9", "v9.9.9"]);
  });
});
