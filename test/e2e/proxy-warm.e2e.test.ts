// The module proxy's warm path (issue 10, `npm run bench`): once a version's
// .info, .mod and .zip are stored, they are answered from memory, synchronously,
// without reading the content store again — yet the access decision still runs
// on every request, and what GitLab says about the project is trusted for
// proxy.listTtl only. The router runs in this process against the GitLab
// stand-in (REST API from a real bare repository).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { answer } from "../../src/app/answer.js";
import type { PlainAnswer } from "../../src/http/responses.js";
import { compileConfig } from "../../src/config/load.js";
import { assemble } from "../../src/app/assemble.js";
import { MemoryLookupCache } from "../../src/discovery/lookup-cache.js";
import { MemoryStore } from "../../src/proxy/store/memory-store.js";
import type { StoredObject } from "../../src/proxy/store/store.js";
import { addCommit, createRepoRoot, makeRepo, requireTools, startGitLabStandIn, type GitLabStandIn, type RepoRoot } from "./harness/index.js";
import type { Modgate } from "../../src/app/modgate.js";

const HOST = "go.example.com";
const TOKEN = "glpat-proxy-warm-test-token";
const LIST_TTL = 1;

/** A MemoryStore that counts reads, to see which answers came from memory. */
class CountingStore extends MemoryStore {
  reads = 0;
  override async get(key: string): Promise<StoredObject | undefined> {
    this.reads++;
    return super.get(key);
  }
}

describe.skipIf(!requireTools("git"))("module proxy, warm answers", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  let store: CountingStore;
  let router: Modgate;
  /** A commit of platform/once on no tag: asked by hash, it is a pseudo-version. */
  let untagged = "";
  const projects = [
    { path: "platform/warm", visibility: "public" as "public" | "private" },
    { path: "platform/closing", visibility: "public" as "public" | "private" },
    { path: "platform/once", visibility: "public" as "public" | "private" },
  ];

  beforeAll(async () => {
    repos = await createRepoRoot();
    for (const name of ["warm", "closing", "once"]) {
      const repo = await makeRepo(repos.dir, `platform/${name}`, {
        files: { "go.mod": `module ${HOST}/${name}\n\ngo 1.21\n`, "a.go": `package ${name}\n` },
        tags: ["v1.0.0"],
      });
      if (name === "once") {
        // Not a branch tip either, so resolving it asks GitLab which refs contain it.
        untagged = (await addCommit(repo, { files: { "b.go": `package ${name}\n\nconst B = 1\n` } })).head;
        await addCommit(repo, { files: { "c.go": `package ${name}\n\nconst C = 1\n` } });
      }
    }
    lab = await startGitLabStandIn({ root: repos.dir, token: TOKEN, projects });
    const config = compileConfig(
      `gitlab:\n  url: ${lab.url}\n  token: ${TOKEN}\nproxy:\n  enabled: true\n  listTtl: ${LIST_TTL}\nmodules:\n  - path: ${HOST}/warm\n    project: platform/warm\n  - path: ${HOST}/closing\n    project: platform/closing\n  - path: ${HOST}/once\n    project: platform/once\n`,
      "modgate.yaml",
    );
    store = new CountingStore();
    router = assemble(config, { cache: () => new MemoryLookupCache(100), store: () => store });
  });

  afterAll(async () => {
    await lab?.close();
    await repos?.close();
  });

  const ask = (path: string) => answer("GET", HOST, path, router);
  const bytes = (a: PlainAnswer) => Buffer.from(a.body as Uint8Array | string);

  for (const file of ["v1.0.0.info", "v1.0.0.mod", "v1.0.0.zip"]) {
    it(`${file}: the second answer is the first one, from memory, without reading the store`, async () => {
      const first = await ask(`/${HOST}/warm/@v/${file}`);
      expect(first.status, String(first.body)).toBe(200);
      // The first answer built the content; the next one reads it back from the store once.
      const second = await ask(`/${HOST}/warm/@v/${file}`);
      expect(bytes(second)).toEqual(bytes(first));
      const reads = store.reads;
      const third = ask(`/${HOST}/warm/@v/${file}`);
      expect(third).not.toBeInstanceOf(Promise);
      expect(third).toBe(second);
      expect(store.reads).toBe(reads);
    });
  }

  it("the version list is answered synchronously while it is fresh", async () => {
    const first = await ask(`/${HOST}/warm/@v/list`);
    expect(first.status).toBe(200);
    expect(Buffer.from(first.body as Uint8Array | string).toString()).toBe("v1.0.0\n");
    const second = ask(`/${HOST}/warm/@v/list`);
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toBe(first);
  });

  it("a cold version asks GitLab for its tag once, not once per file", async () => {
    const before = lab.apiCalls.length;
    for (const file of ["v1.0.0.info", "v1.0.0.mod", "v1.0.0.zip"]) expect((await ask(`/${HOST}/once/@v/${file}`)).status).toBe(200);
    const tagCalls = lab.apiCalls.slice(before).filter((c) => c.endpoint === "tag");
    expect(tagCalls.map((c) => c.path)).toEqual([`/api/v4/projects/platform%2Fonce/repository/tags/v1.0.0`]);
  });

  it("a cold pseudo-version resolves its commit once, not once per request and check", async () => {
    const before = lab.apiCalls.length;
    const query = await ask(`/${HOST}/once/@v/${untagged.slice(0, 12)}.info`);
    expect(query.status, String(query.body)).toBe(200);
    const version = (JSON.parse(Buffer.from(query.body as Uint8Array | string).toString()) as { Version: string }).Version;
    expect(version).toMatch(/^v1\.0\.1-0\.\d{14}-[0-9a-f]{12}$/);
    for (const ext of ["info", "mod", "zip"]) expect((await ask(`/${HOST}/once/@v/${version}.${ext}`)).status).toBe(200);
    // Whether the commit is on a branch or tag (GitLab's commits/:sha/refs) is asked once for the hash.
    const refs = lab.apiCalls.slice(before).filter((c) => c.endpoint === "commit-refs");
    expect(refs).toHaveLength(1);
  });

  it("a project made private is refused once listTtl has passed, though its content is remembered", async () => {
    const path = `/${HOST}/closing/@v/v1.0.0.info`;
    expect((await ask(path)).status).toBe(200);
    expect((await ask(path)).status).toBe(200);
    projects[1]!.visibility = "private";
    // Within listTtl GitLab's last word holds (that is what listTtl means); after it, GitLab is asked again.
    await sleep(LIST_TTL * 1000 + 200);
    // No credential on a non-public project: 401 (issue 11), and every time: a non-public
    // module's answer always waits for its access decision, so it is never answered from memory.
    const refused = await ask(path);
    expect(refused.status).toBe(401);
    expect(String(refused.body)).toMatch(/a private module: send a GitLab token/);
    const again = ask(path);
    expect(again).toBeInstanceOf(Promise);
    expect((await again).status).toBe(401);
  });
});
