// A cap on zip builds at once (issue "the proxy keeps its promises", finding
// 10c): proxy.maxConcurrentBuilds builds run, up to 8× as many wait, more are
// refused with 503 and Retry-After; requests joining a build in flight take
// no place; a cold .info's background build never waits for one.
import { describe, expect, it } from "vitest";
import { CachingRepo, buildGate } from "../../src/proxy/cache/caching-repo.js";
import { MemoryStore } from "../../src/proxy/store/memory-store.js";
import { Semaphore } from "../../src/lib/semaphore.js";
import { TooManyBuildsError } from "../../src/proxy/repo/errors.js";
import { errorAnswer } from "../../src/proxy/protocol/errors.js";
import type { ResolvedVersion } from "../../src/proxy/repo/repo.js";
import type { ModuleZip } from "../../src/proxy/zip/module-zip.js";
import { compileConfig } from "../../src/config/load.js";
import type { ConfigError } from "../../src/config/problems.js";
import { FakeRepo, MODULE } from "./fake-module-repo.js";

/** Every version exists; each zip build waits until the test lets it go. */
class HeldRepo extends FakeRepo {
  readonly started: string[] = [];
  private readonly held: (() => void)[] = [];
  override async stat(rev: string): Promise<ResolvedVersion> {
    return { ...(await super.stat(rev)), version: rev };
  }
  override async zip(version: string): Promise<ModuleZip> {
    this.started.push(version);
    await new Promise<void>((resolve) => this.held.push(resolve));
    return super.zip(version);
  }
  /** Lets the oldest held build go on. */
  release(): void {
    this.held.shift()?.();
  }
}

const tick = () => new Promise((r) => setTimeout(r, 5));

function setup(gate: Semaphore, backgroundWork = false) {
  const repo = new HeldRepo();
  const caching = new CachingRepo(repo, { store: new MemoryStore({ backgroundWork }), escapedPath: MODULE, listTtlMs: 0, now: () => 0, builds: gate });
  return { repo, caching };
}

describe("proxy.maxConcurrentBuilds", () => {
  it("runs at most the cap, queues up to 8× it, refuses beyond with 503 Retry-After", async () => {
    const { repo, caching } = setup(buildGate(1));
    const versions = Array.from({ length: 10 }, (_, i) => `v1.0.${i}`);
    const zips = versions.map((v) =>
      caching.zip(v).then(
        () => "ok",
        (err: unknown) => err,
      ),
    );
    await tick();
    expect(repo.started).toEqual(["v1.0.0"]);
    // 1 building, 8 waiting: the tenth is refused at once.
    const refused = await zips[9];
    expect(refused).toBeInstanceOf(TooManyBuildsError);
    const answer = errorAnswer(refused);
    expect(answer.status).toBe(503);
    expect(answer.headers?.["Retry-After"]).toBe("10");
    expect(String(answer.body)).toMatch(/too many zip builds at once \(proxy\.maxConcurrentBuilds: 1 building, 8 waiting\)/);
    for (let i = 0; i < 9; i++) {
      repo.release();
      await tick();
      expect(repo.started.length).toBe(Math.min(i + 2, 9));
    }
    expect(await Promise.all(zips.slice(0, 9))).toEqual(Array(9).fill("ok"));
  });

  it("requests for a zip being built join it without a place of their own", async () => {
    const gate = new Semaphore(1, 0);
    const { repo, caching } = setup(gate);
    const zips = Array.from({ length: 5 }, () => caching.zip("v1.0.0"));
    await tick();
    expect(repo.started).toEqual(["v1.0.0"]);
    repo.release();
    await Promise.all(zips);
    expect(gate.active).toBe(0);
  });

  it("a cold .info's background build does not start without a free place; the .zip request builds it", async () => {
    const gate = new Semaphore(1, 8);
    const { repo, caching } = setup(gate, true);
    const busy = caching.zip("v2.0.0");
    await tick();
    await caching.info("v1.0.0");
    await tick();
    expect(repo.started).toEqual(["v2.0.0"]);
    const zip = caching.zip("v1.0.0");
    repo.release();
    await busy;
    await tick();
    expect(repo.started).toEqual(["v2.0.0", "v1.0.0"]);
    repo.release();
    await zip;
  });

  it("a place is given back when a build fails", async () => {
    const gate = new Semaphore(1, 0);
    const repo = new HeldRepo();
    repo.stat = async () => {
      throw new Error("boom");
    };
    const caching = new CachingRepo(repo, { store: new MemoryStore(), escapedPath: MODULE, listTtlMs: 0, now: () => 0, builds: gate });
    await expect(caching.zip("v1.0.0")).rejects.toThrow("boom");
    expect(gate.active).toBe(0);
  });
});

describe("proxy.maxConcurrentBuilds in the config", () => {
  const config = (proxy: string[]) =>
    [
      "gitlab:",
      "  url: https://gitlab.example.com",
      "proxy:",
      "  enabled: true",
      ...proxy,
      "modules:",
      "  - path: go.example.com/x",
      "    project: a/b",
      "",
    ].join("\n");

  it("defaults to 4 and takes values that work", () => {
    expect(compileConfig(config([]), "c.yaml").proxy.maxConcurrentBuilds).toBe(4);
    expect(compileConfig(config(["  maxConcurrentBuilds: 2"]), "c.yaml").proxy.maxConcurrentBuilds).toBe(2);
  });

  it("locates wrong values", () => {
    const problems = (text: string) => {
      try {
        compileConfig(text, "c.yaml");
      } catch (err) {
        return (err as ConfigError).problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
      }
      return [];
    };
    expect(problems(config(["  maxConcurrentBuilds: 0"]))).toEqual(["5:24: proxy.maxConcurrentBuilds: Too small: expected number to be >=1"]);
    expect(problems(config(["  maxConcurrentbuilds: 2"]))).toEqual(['5:3: unknown key "maxConcurrentbuilds" in proxy: did you mean maxConcurrentBuilds?']);
  });
});
