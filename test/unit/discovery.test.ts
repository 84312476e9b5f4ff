// GitLab discovery below the HTTP layer (issue 4): ProjectLookup's cache,
// TTLs, single flight and stale answers, GroupRule's choice of project, the
// `modgate resolve` report, and the config errors of group rules. Every API
// call goes over loopback to the GitLab stand-in; nothing mocks fetch.
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/config/problems.js";
import type { CompiledDiscovery } from "../../src/core/compiled.js";
import { MemoryLookupCache } from "../../src/discovery/lookup-cache.js";
import { GroupRule } from "../../src/discovery/group-rule.js";
import { ProjectLookup, type LookupEvent } from "../../src/discovery/project-lookup.js";
import { GitlabClient } from "../../src/gitlab/client.js";
import { assemble } from "../../src/app/assemble.js";
import { answer } from "../../src/app/answer.js";
import { run } from "../e2e/harness/exec.js";
import { startGitLabStandIn, type GitLabStandIn } from "../e2e/harness/gitlab-stand-in.js";
import { closeServer, listenLoopback, LOOPBACK } from "../e2e/harness/net.js";
import { REPO_ROOT } from "../e2e/harness/modgate.js";
import { makeTempDir, removeDir } from "../e2e/harness/tmp.js";
import { callsPerPath, candidates, controlOf, gitlabGoSource, walkCalls, withCalls, type ApiCall, type StandInControl } from "../contract/discovery-cases.js";
import { discoveryConfig, GROUP, HOST, importPathOf, PROJECT, randomToken, STAND_IN_PROJECTS } from "../contract/discovery-fixtures.js";
import { goImports } from "../contract/meta.js";
import type { Modgate } from "../../src/app/modgate.js";

const token = randomToken();
let lab: GitLabStandIn;
let control: StandInControl;
let dir: string;

beforeAll(async () => {
  dir = await makeTempDir("discovery-unit");
  lab = await startGitLabStandIn({ root: dir, token, projects: STAND_IN_PROJECTS });
  control = controlOf(lab, token);
});

afterEach(() => lab.setMode("ok"));

afterAll(async () => {
  await lab?.close();
  if (dir) await removeDir(dir);
});

const TTL: CompiledDiscovery = { cacheTtlSeconds: 600, negativeCacheTtlSeconds: 60, cacheEntries: 100 };
/** Milliseconds on the look-ups' clock (the `now` option); tests move it by hand. */
let clock = 1_700_000_000_000;

interface LookupSetup {
  /** gitlab.url; default the stand-in's. */
  url?: string;
  /** The API token; null for none. */
  token?: string | null;
  discovery?: Partial<CompiledDiscovery>;
  cache?: MemoryLookupCache;
  apiTimeoutMs?: number;
  events?: LookupEvent[];
}

function projectLookup(o: LookupSetup = {}): ProjectLookup {
  const apiToken = o.token === undefined ? token : o.token;
  const client = new GitlabClient({
    url: o.url ?? lab.url,
    apiTimeoutMs: o.apiTimeoutMs ?? 2_000,
    maxConcurrentCalls: 16,
    ...(apiToken === null ? {} : { token: apiToken }),
    now: () => clock,
  });
  return new ProjectLookup({
    client,
    discovery: { ...TTL, ...o.discovery },
    cache: o.cache ?? new MemoryLookupCache(TTL.cacheEntries),
    onEvent: (e) => o.events?.push(e),
  });
}

const during = <T>(fn: () => Promise<T>) => withCalls(control, fn);
/** The paths asked about, once per look-up (each look-up is a project and a group call). */
const pathsAsked = (calls: readonly ApiCall[]) => calls.filter((c) => c.kind === "projects").map((c) => c.id);

describe("ProjectLookup", () => {
  it("asks GitLab once, then answers from cache until cacheTtl has passed", async () => {
    const lookup = projectLookup();
    const first = await during(() => lookup.lookup(PROJECT.deep));
    expect(first.result).toMatchObject({ kind: "found", stale: false, project: { pathWithNamespace: PROJECT.deep, visibility: "public" } });
    expect(first.calls.map((c) => [c.kind, c.id, c.auth, c.status]).sort()).toEqual([
      ["groups", PROJECT.deep, "token", 404],
      ["projects", PROJECT.deep, "token", 200],
    ]);

    clock += TTL.cacheTtlSeconds * 1000 - 1;
    const fresh = await during(() => lookup.lookup(PROJECT.deep));
    expect(fresh.result).toMatchObject({ kind: "found", stale: false });
    expect(fresh.calls).toEqual([]);

    clock += 1;
    const expired = await during(() => lookup.lookup(PROJECT.deep));
    expect(expired.result).toMatchObject({ kind: "found", stale: false });
    expect(pathsAsked(expired.calls)).toEqual([PROJECT.deep]);
  });

  it("remembers a missing path for negativeCacheTtl, apart from found ones", async () => {
    const lookup = projectLookup();
    const missing = `${GROUP}/not/there`;
    expect(await lookup.lookup(missing)).toMatchObject({ kind: "missing" });
    await lookup.lookup(PROJECT.shallow);

    clock += TTL.negativeCacheTtlSeconds * 1000 - 1;
    const cached = await during(() => Promise.all([lookup.lookup(missing), lookup.lookup(PROJECT.shallow)]));
    expect(cached.result.map((r) => r.kind)).toEqual(["missing", "found"]);
    expect(cached.calls).toEqual([]);

    clock += 1;
    const again = await during(() => Promise.all([lookup.lookup(missing), lookup.lookup(PROJECT.shallow)]));
    expect(again.result.map((r) => r.kind)).toEqual(["missing", "found"]);
    // The negative TTL is over, the positive one is not.
    expect(again.calls.map((c) => [c.id, c.status])).toEqual([
      [missing, 404],
      [missing, 404],
    ]);
  });

  it("makes one API call for many concurrent look-ups of one path", async () => {
    const lookup = projectLookup();
    lab.setMode("slow", 200);
    const { result, calls } = await during(() => Promise.all(Array.from({ length: 50 }, () => lookup.lookup(PROJECT.burst))));
    expect(result.every((r) => r.kind === "found" && r.project.pathWithNamespace === PROJECT.burst)).toBe(true);
    expect(callsPerPath(calls)).toEqual({ [`projects ${PROJECT.burst}`]: 1, [`groups ${PROJECT.burst}`]: 1 });
  });

  it("makes one call per path when concurrent look-ups ask for several", async () => {
    const lookup = projectLookup();
    lab.setMode("slow", 200);
    const paths = candidates("burst/x/y/pkg");
    const { calls } = await during(() => Promise.all(paths.flatMap((p) => [lookup.lookup(p), lookup.lookup(p), lookup.lookup(p)])));
    expect(callsPerPath(calls)).toEqual(walkCalls("burst/x/y/pkg"));
  });

  it("asks again once the call in flight has ended", async () => {
    const lookup = projectLookup({ discovery: { cacheTtlSeconds: 0 } });
    const { calls } = await during(async () => {
      await lookup.lookup(PROJECT.steady);
      await lookup.lookup(PROJECT.steady);
    });
    expect(pathsAsked(calls)).toEqual([PROJECT.steady, PROJECT.steady]);
  });

  it.each([
    ["down", undefined],
    ["refuse", undefined],
    ["slow", 2_000],
  ] as const)("serves the stale answer when GitLab is %s", async (mode, delay) => {
    const events: LookupEvent[] = [];
    const lookup = projectLookup({ apiTimeoutMs: 300, events });
    await lookup.lookup(PROJECT.steady);
    clock += TTL.cacheTtlSeconds * 1000;
    lab.setMode(mode, delay);
    const { result, calls } = await during(() => lookup.lookup(PROJECT.steady));
    expect(result).toMatchObject({ kind: "found", stale: true, project: { pathWithNamespace: PROJECT.steady } });
    // It did ask: the answer is stale because GitLab failed, not because the cache was fresh.
    expect(pathsAsked(calls)).toEqual([PROJECT.steady]);
    expect(events.slice(-2)).toEqual([
      expect.objectContaining({ path: PROJECT.steady, source: "api", outcome: "unavailable" }),
      expect.objectContaining({ path: PROJECT.steady, source: "stale", outcome: "found" }),
    ]);
  });

  it.each([
    ["down", undefined],
    ["refuse", undefined],
    ["slow", 2_000],
  ] as const)("is unavailable, not missing, when GitLab is %s and nothing is cached", async (mode, delay) => {
    const lookup = projectLookup({ apiTimeoutMs: 300 });
    lab.setMode(mode, delay);
    const result = await lookup.lookup(PROJECT.deep);
    expect(result).toEqual({ kind: "unavailable", reason: "GitLab is unavailable", cause: expect.any(String), detail: expect.stringMatching(/GitLab/) });
  });

  it("gives up after apiTimeout instead of waiting for a slow GitLab", async () => {
    const lookup = projectLookup({ apiTimeoutMs: 200 });
    // GitLab would answer long after this test (and its timeout) is over.
    lab.setMode("slow", 600_000);
    const { result, calls } = await during(() => lookup.lookup(PROJECT.deep));
    expect(result.kind).toBe("unavailable");
    // It asked, and gave up with GitLab's answers still pending (the stand-in records 0 until it answers).
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.map((c) => c.status)).toEqual(calls.map(() => 0));
  });

  it("is unavailable with the reason when GitLab rejects the token", async () => {
    const lookup = projectLookup({ token: "glpat-not-the-token" });
    const { result, calls } = await during(() => lookup.lookup(PROJECT.deep));
    expect(result).toEqual({ kind: "unavailable", reason: "GitLab is unavailable", cause: "token_rejected", detail: expect.stringMatching(/token/) });
    expect((result as { detail: string }).detail).toMatch(/401.*GITLAB_TOKEN/);
    expect(calls.map((c) => [c.auth, c.status])).toEqual([
      ["bad-token", 401],
      ["bad-token", 401],
    ]);
  });

  it("finds private and internal projects only with the token", async () => {
    const anonymous = projectLookup({ token: null });
    expect(await anonymous.lookup(PROJECT.secret)).toMatchObject({ kind: "missing" });
    expect(await anonymous.lookup(PROJECT.internal)).toMatchObject({ kind: "missing" });
    expect(await anonymous.lookup(PROJECT.deep)).toMatchObject({ kind: "found" });
    const withToken = projectLookup();
    expect(await withToken.lookup(PROJECT.secret)).toMatchObject({
      kind: "found",
      project: { pathWithNamespace: PROJECT.secret, visibility: "private", defaultBranch: "trunk" },
    });
    expect(await withToken.lookup(PROJECT.internal)).toMatchObject({ kind: "found", project: { visibility: "internal" } });
  });

  it("does not carry the token to wherever a redirect points", async () => {
    // Another origin (another port) answering as GitLab would, recording what it is sent.
    const seen: IncomingHttpHeaders[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ path_with_namespace: PROJECT.deep, default_branch: "main", visibility: "public" }));
    });
    const redirecting = createServer((req, res) => {
      res.writeHead(302, { location: `http://${LOOPBACK}:${port(elsewhere)}${req.url}` }).end();
    });
    const port = (server: typeof elsewhere) => (server.address() as { port: number }).port;
    await listenLoopback(elsewhere);
    await listenLoopback(redirecting);
    try {
      const lookup = projectLookup({ url: `http://${LOOPBACK}:${port(redirecting)}` });
      const result = await lookup.lookup(PROJECT.deep);
      expect(seen.filter((headers) => JSON.stringify(headers).includes(token))).toEqual([]);
      // GitLab's API does not redirect project look-ups: a redirect is GitLab misbehaving.
      expect(result.kind).toBe("unavailable");
    } finally {
      await closeServer(redirecting);
      await closeServer(elsewhere);
    }
  });

  it("reports what each look-up did, never the token", async () => {
    const events: LookupEvent[] = [];
    const lookup = projectLookup({ events });
    await lookup.lookup(PROJECT.deep);
    await lookup.lookup(PROJECT.deep);
    await lookup.lookup(`${GROUP}/nothing`);
    expect(events).toEqual([
      expect.objectContaining({ path: PROJECT.deep, source: "api", outcome: "found", status: 200, detail: PROJECT.deep }),
      expect.objectContaining({ path: PROJECT.deep, source: "cache", outcome: "found" }),
      expect.objectContaining({ path: `${GROUP}/nothing`, source: "api", outcome: "missing", status: 404 }),
    ]);
    expect(JSON.stringify(events)).not.toContain(token);
  });
});

describe("MemoryLookupCache", () => {
  it("keeps at most cacheEntries look-ups, the most recent ones", async () => {
    const cache = new MemoryLookupCache(3);
    const lookup = projectLookup({ cache, discovery: { cacheEntries: 3 } });
    const paths = Array.from({ length: 10 }, (_, i) => `${GROUP}/many/p${i}`);
    for (const path of paths) {
      await lookup.lookup(path);
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    expect(cache.size).toBe(3);
    const recent = await during(() => Promise.all(paths.slice(-3).map((p) => lookup.lookup(p))));
    expect(recent.calls).toEqual([]);
    const evicted = await during(() => lookup.lookup(paths[0]!));
    expect(pathsAsked(evicted.calls)).toEqual([paths[0]]);
  });
});

describe("GroupRule", () => {
  const config = () => compileConfig(discoveryConfig({ gitlabUrl: lab.url }), "discovery.yaml", { env: { GITLAB_TOKEN: token } });

  function groupRule(lookup: ProjectLookup): GroupRule {
    const compiled = config();
    const module = compiled.modules.find((m) => m.group !== undefined)!;
    return new GroupRule({ ...module, group: module.group! }, compiled.gitlab!, lookup);
  }

  it("walks down the groups to the first project, with the rest of the path", async () => {
    const { result, calls } = await during(() => groupRule(projectLookup()).resolve(["a", "b", "c", "pkg", "y"]));
    expect(result).toMatchObject({ kind: "found", rest: "pkg/y", module: { root: "go.example.com/oss/a/b/c" } });
    // One look-up per prefix down to the project, nothing below it (a project has no children).
    expect(callsPerPath(calls)).toEqual(walkCalls("a/b/c"));
  });

  it("costs one look-up for a made-up path, however deep", async () => {
    const below = Array.from({ length: 18 }, (_, i) => `made-up-${i}`);
    const { result, calls } = await during(() => groupRule(projectLookup()).resolve(below));
    expect(result).toMatchObject({ kind: "missing" });
    expect(callsPerPath(calls)).toEqual(walkCalls(below.join("/"), 1));
  });

  it("picks the shallower project beside a deeper one", async () => {
    const result = await groupRule(projectLookup()).resolve(["a", "lib", "internal", "x"]);
    expect(result).toMatchObject({ kind: "found", rest: "internal/x", module: { root: "go.example.com/oss/a/lib" } });
  });

  it("asks only about paths GitLab could hold (20 levels of subgroups), however long the request", async () => {
    // A 1 KiB request path holds hundreds of elements, each a look-up: one request could spend
    // hundreds of API calls (GitLab rate-limits the token). A top-level group, 20 levels of
    // subgroups and the project make at most 22 elements: 20 candidates below platform/oss.
    // A stand-in group 25 levels deep lets the walk go on as far as GitLab could nest.
    const below = Array.from({ length: 200 }, (_, i) => `e${i}`);
    const deepGroup = { path: `${GROUP}/${below.slice(0, 24).join("/")}`, visibility: "public" as const };
    const deepLab = await startGitLabStandIn({ root: dir, token, projects: [deepGroup] });
    try {
      const deepControl = controlOf(deepLab, token);
      const { result, calls } = await withCalls(deepControl, () => groupRule(projectLookup({ url: deepLab.url })).resolve(below));
      expect(result).toMatchObject({ kind: "missing" });
      expect(pathsAsked(calls)).toHaveLength(20);
      expect(calls.every((c) => c.id.split("/").length <= 22)).toBe(true);
    } finally {
      await deepLab.close();
    }
  });

  it("is missing at the group's own path, without asking", async () => {
    const { result, calls } = await during(() => groupRule(projectLookup()).resolve([]));
    expect(result).toMatchObject({ kind: "missing" });
    expect(calls).toEqual([]);
  });

  it("treats a project GitLab finds only in another letter case as missing", async () => {
    const { result, calls } = await during(() => groupRule(projectLookup()).resolve(["a", "b", "C"]));
    expect(result).toMatchObject({ kind: "missing" });
    expect(calls.find((c) => c.kind === "projects" && c.id === `${GROUP}/a/b/C`)).toMatchObject({ status: 200 });
  });

  it("stops at a group GitLab finds only in another letter case", async () => {
    const { result, calls } = await during(() => groupRule(projectLookup()).resolve(["a", "B", "c"]));
    expect(result).toMatchObject({ kind: "missing" });
    expect(callsPerPath(calls)).toEqual(walkCalls("a/B/c", 2));
  });

  it("does not serve a project moved out of the group, and says why", async () => {
    const result = await groupRule(projectLookup()).resolve(["escaped", "pkg"]);
    expect(result).toMatchObject({ kind: "missing", why: expect.stringMatching(/moved out of the GitLab group platform\/oss/) });
  });

  it("matches the group of the config in any letter case, as GitLab does", async () => {
    const compiled = compileConfig(discoveryConfig({ gitlabUrl: lab.url }).replace(`group: ${GROUP}`, "group: Platform/OSS"), "d.yaml", {
      env: { GITLAB_TOKEN: token },
    });
    const module = compiled.modules.find((m) => m.group !== undefined)!;
    const rule = new GroupRule({ ...module, group: module.group! }, compiled.gitlab!, projectLookup());
    expect(await rule.resolve(["a", "b", "c"])).toMatchObject({ kind: "found", module: { root: "go.example.com/oss/a/b/c" } });
  });

  it("serves a moved project under the requested path with the new repository", async () => {
    const result = await groupRule(projectLookup()).resolve(["old-name", "pkg"]);
    expect(result).toMatchObject({ kind: "found", rest: "pkg", module: { root: "go.example.com/oss/old-name" } });
    const page = (result as { module: { page: string } }).module.page;
    expect(goImports(page)).toEqual([`go.example.com/oss/old-name git ${lab.url}/${PROJECT.moved}.git`]);
    expect(page).toContain(gitlabGoSource("go.example.com/oss/old-name", `${lab.url}/${PROJECT.moved}`, "main"));
  });

  it("builds ssh URLs for private projects from the config, not from the API's scp form", async () => {
    const result = await groupRule(projectLookup()).resolve(["secret"]);
    const page = (result as { module: { page: string } }).module.page;
    // gitlab.ssh is not configured: user git, the host of gitlab.url, port 22.
    expect(goImports(page)).toEqual([`go.example.com/oss/secret git ssh://git@127.0.0.1/${PROJECT.secret}.git`]);
  });

  it("answers from the cache while GitLab is down, the groups above the project included", async () => {
    const lookup = projectLookup();
    await groupRule(lookup).resolve(["a", "b", "c"]);
    clock += TTL.cacheTtlSeconds * 1000;
    lab.setMode("down");
    const result = await groupRule(lookup).resolve(["a", "b", "c", "pkg"]);
    expect(result).toMatchObject({ kind: "found", rest: "pkg", module: { root: "go.example.com/oss/a/b/c" } });
    expect(result).not.toHaveProperty("freshUntil"); // made of stale look-ups: no client may keep it
  });

  it("is unavailable when GitLab fails for a prefix the walk needs", async () => {
    const lookup = projectLookup();
    await lookup.lookup(PROJECT.deep); // the project is cached, the groups above it are not
    lab.setMode("down");
    const result = await groupRule(lookup).resolve(["a", "b", "c", "pkg"]);
    expect(result).toEqual({ kind: "unavailable", reason: "GitLab is unavailable" });
  });

  it("is unavailable, not missing, when the token is rejected", async () => {
    const events: LookupEvent[] = [];
    const result = await groupRule(projectLookup({ token: "glpat-not-the-token", events })).resolve(["a", "b", "c"]);
    // Clients are not told about the token; the operator's event is.
    expect(result).toEqual({ kind: "unavailable", reason: "GitLab is unavailable" });
    expect(events).toContainEqual(expect.objectContaining({ source: "api", cause: "token_rejected", detail: expect.stringMatching(/GITLAB_TOKEN/) }));
  });
});

describe("modgate resolve", () => {
  const CLI = join(REPO_ROOT, "dist/node/cli.js");
  let configPath: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    configPath = join(dir, "resolve.yaml");
    await writeFile(configPath, discoveryConfig({ gitlabUrl: lab.url }));
  });

  function resolve(importPath: string, env: Record<string, string> = { GITLAB_TOKEN: token }) {
    return run(process.execPath, [CLI, "resolve", "--config", configPath, importPath], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    });
  }

  /** The line reporting the API look-up of `path`, with its status and outcome. */
  const apiLine = (path: string, rest: string) => new RegExp(`^GitLab API ${path}: ${rest} \\(\\d+ ms\\)$`);

  it("lists every look-up and what GitLab answered, then the tags", async () => {
    const result = await resolve("go.example.com/oss/a/b/c/pkg/y");
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    const lookups = lines.filter((l) => l.startsWith("GitLab API "));
    expect(lookups).toHaveLength(3);
    for (const path of [`${GROUP}/a`, `${GROUP}/a/b`]) {
      expect(
        lookups.filter((l) => apiLine(path, `200 group ${path}`).test(l)),
        path,
      ).toHaveLength(1);
    }
    expect(lookups.filter((l) => apiLine(PROJECT.deep, `200 found ${PROJECT.deep}`).test(l))).toHaveLength(1);
    const web = `${lab.url}/${PROJECT.deep}`;
    expect(lines.slice(-2)).toEqual([
      `<meta name="go-import" content="go.example.com/oss/a/b/c git ${web}.git">`,
      `<meta name="go-source" content="${gitlabGoSource("go.example.com/oss/a/b/c", web, "main")}">`,
    ]);
    expect(result.stdout + result.stderr).not.toContain(token);
  });

  it("shows a moved project's new path and a private project's ssh URL", async () => {
    const moved = await resolve("go.example.com/oss/old-name");
    expect(moved.stdout).toMatch(new RegExp(apiLine(PROJECT.movedFrom, `200 found ${PROJECT.moved}`).source, "m"));
    const secret = await resolve("go.example.com/oss/secret");
    expect(secret.stdout).toContain(`<meta name="go-import" content="go.example.com/oss/secret git ssh://git@127.0.0.1/${PROJECT.secret}.git">`);
  });

  it("exits 1 with the 404 for a path GitLab does not know", async () => {
    const result = await resolve("go.example.com/oss/nope");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(apiLine(`${GROUP}/nope`, "404 missing").source, "m"));
    expect(result.stdout).toMatch(/^go\.example\.com\/oss\/nope: 404 /m);
  });

  it("exits 1 with the 503 and GitLab's failure when it is down", async () => {
    lab.setMode("down");
    const result = await resolve("go.example.com/oss/steady");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(apiLine(PROJECT.steady, "500 unavailable .*").source, "m"));
    expect(result.stdout).toMatch(/^go\.example\.com\/oss\/steady: 503 .*GitLab/m);
  });

  it.each([
    ["a refused connection", async () => `http://${LOOPBACK}:${await closedPort()}`, /connection refused to 127\.0\.0\.1:\d+/],
    ["an unknown host", async () => "http://gitlab.modgate-test.invalid", /no such host gitlab\.modgate-test\.invalid/],
  ])("names the cause of %s in its look-up line", async (_, url, cause) => {
    const path = join(dir, `resolve-${crypto.randomUUID()}.yaml`);
    await writeFile(path, discoveryConfig({ gitlabUrl: await url() }));
    const result = await run(process.execPath, [CLI, "resolve", "--config", path, "go.example.com/oss/x"], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GITLAB_TOKEN: token },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^GitLab API ${GROUP}/x: no answer unavailable .*${cause.source}`, "m"));
    expect(result.stdout).toMatch(/^go\.example\.com\/oss\/x: 503 service unavailable: GitLab is unavailable; try again later$/m);
  });

  it("says the token was rejected, and where to set it", async () => {
    const result = await resolve("go.example.com/oss/steady", { GITLAB_TOKEN: "glpat-not-the-token" });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(apiLine(PROJECT.steady, "401 unavailable GitLab rejected the token \\(401\\): check gitlab.token / GITLAB_TOKEN.*").source, "m"),
    );
    expect(result.stdout + result.stderr).not.toContain("glpat-not-the-token");
  });

  it("names the missing variable, at its place in the file, when GITLAB_TOKEN is not set", async () => {
    const result = await resolve("go.example.com/oss/steady", {});
    expect(result.code).toBe(1);
    // Line 3 of discoveryConfig: "  token: ${GITLAB_TOKEN}", the value at column 10.
    expect(result.stderr).toContain(`${configPath}:3:10: `);
    expect(result.stderr).toMatch(/GITLAB_TOKEN/);
  });
});

/** A loopback port nothing listens on (taken from listen(0), then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listenLoopback(server);
  await closeServer(server);
  return port;
}

describe("config errors of group rules", () => {
  const FILE = "groups.yaml";
  const GITLAB = ["gitlab:", "  url: https://gitlab.example.com"];

  /** Each problem as "line:col: message"; fails when the config compiles. */
  function problems(lines: string[], env: Record<string, string> = {}): string[] {
    try {
      compileConfig(lines.join("\n") + "\n", FILE, { env });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return err.problems.map((p) => {
        expect(p.file).toBe(FILE);
        return `${p.line}:${p.col}: ${p.message}`;
      });
    }
    throw new Error("the config compiled");
  }

  /** GITLAB, then (line 3) modules:, then (line 4) "  - path: <path>" and the rule's other keys from line 5, column 5. */
  const groupModule = (path: string, ...keys: string[]) => [...GITLAB, "modules:", `  - path: ${path}`, ...keys.map((k) => `    ${k}`)];

  it("refuses group: together with project:", () => {
    const found = problems(groupModule("go.example.com/oss", "group: platform/oss", "project: platform/oss/x"));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^(5|6):5: .*project.*group/);
  });

  it("refuses group: together with repo:", () => {
    expect(problems(groupModule("go.example.com/oss", "group: platform/oss", "repo: https://git.example.com/x"))).toEqual([
      expect.stringMatching(/^(5|6):5: .*(group.*repo|repo.*group)/),
    ]);
  });

  it.each([
    ["branch: main", /branch/],
    ["subdir: go/sdk", /subdir/],
    ["vcs: git", /vcs/],
  ])("refuses %s on a group rule, at that key", (key, word) => {
    const found = problems(groupModule("go.example.com/oss", "group: platform/oss", key));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^6:5: /);
    expect(found[0]).toMatch(word);
  });

  it("refuses a template path with group:", () => {
    const found = problems(groupModule("go.example.com/{name}", "group: platform/oss"));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^4:5: .*template/);
  });

  it("refuses group: without a gitlab: section", () => {
    const found = problems(["modules:", "  - path: go.example.com/oss", "    group: platform/oss"]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^3:5: .*gitlab:/);
  });

  it.each(["platform/../secret", "/platform/oss", "platform/oss/", "platform//oss", "platform/./oss"])("refuses group: %s", (group) => {
    const found = problems(groupModule("go.example.com/oss", `group: ${group}`));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^5:12: .*group/);
  });

  it("names each missing ${VAR} at its place", () => {
    const found = problems([
      "gitlab:",
      "  url: ${GITLAB_URL}",
      "  token: ${GITLAB_TOKEN}",
      "modules:",
      "  - path: go.example.com/oss",
      "    group: platform/oss",
    ]);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^2:8: .*\$\{GITLAB_URL\}.*GITLAB_URL/),
        expect.stringMatching(/^3:10: .*\$\{GITLAB_TOKEN\}.*GITLAB_TOKEN/),
      ]),
    );
  });

  it("reports a missing ${VAR} once, not also the value it leaves behind", () => {
    const found = problems(["gitlab:", "  url: ${GITLAB_URL}", "modules:", "  - path: go.example.com/oss", "    group: platform/oss"]);
    // "${GITLAB_URL} is not set" says it all; "gitlab.url "${GITLAB_URL}" is not a URL" would send the reader the wrong way.
    expect(found).toEqual([expect.stringMatching(/^2:8: .*GITLAB_URL.* not set/)]);
  });

  it("expands ${VAR} from the environment, and keeps the token a reference for Worker builds", () => {
    const text = [...GITLAB, "  token: ${GITLAB_TOKEN}", "modules:", "  - path: go.example.com/oss", "    group: platform/oss"].join("\n");
    expect(compileConfig(text, FILE, { env: { GITLAB_TOKEN: "glpat-x" } }).gitlab?.token).toBe("glpat-x");
    expect(compileConfig(text, FILE, { keepTokenReference: true }).gitlab?.token).toBe("${GITLAB_TOKEN}");
  });

  it("defaults apiTimeout to 5 s and the discovery cache to 10 min, 1 min and 10000 entries", () => {
    const config = compileConfig([...GITLAB, "modules:", "  - path: go.example.com/oss", "    group: platform/oss"].join("\n"), FILE);
    expect(config.gitlab?.apiTimeoutMs).toBe(5_000);
    expect(config.discovery).toEqual({ cacheTtlSeconds: 600, negativeCacheTtlSeconds: 60, cacheEntries: 10_000 });
    const set = compileConfig(
      discoveryConfig({ gitlabUrl: "https://gitlab.example.com", token: "x", apiTimeout: 0.5, cacheTtl: 1, negativeCacheTtl: 2, cacheEntries: 3 }),
      FILE,
    );
    expect(set.gitlab?.apiTimeoutMs).toBe(500);
    expect(set.discovery).toEqual({ cacheTtlSeconds: 1, negativeCacheTtlSeconds: 2, cacheEntries: 3 });
  });

  it("refuses transport: auto on a repo: rule", () => {
    const found = problems(["modules:", "  - path: go.example.com/x", "    repo: https://git.example.com/x", "    transport: auto"]);
    expect(found).toContainEqual(expect.stringMatching(/^4:5: .*auto/));
  });

  it.each(["apiTimeout: 0", "apiTimeout: 61"])("refuses gitlab.%s", (line) => {
    const found = problems([...GITLAB, `  ${line}`, "modules:", "  - path: go.example.com/oss", "    group: platform/oss"]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^3:15: .*apiTimeout/);
  });

  it.each([["cacheTtl: -1"], ["negativeCacheTtl: 1.5"], ["cacheEntries: 0"]])("refuses discovery.%s", (line) => {
    const found = problems([...GITLAB, "discovery:", `  ${line}`, "modules:", "  - path: go.example.com/oss", "    group: platform/oss"]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^4:\\d+: .*${line.split(":")[0]}`));
  });
});

describe("answers of group rules, remembered while their look-ups hold", () => {
  const routerWith = (discovery: { cacheTtl: number; negativeCacheTtl: number }, events: LookupEvent[] = []) =>
    assemble(compileConfig(discoveryConfig({ gitlabUrl: lab.url, ...discovery }), "memo.yaml", { env: { GITLAB_TOKEN: token } }), {
      cache: (c) => new MemoryLookupCache(c.discovery.cacheEntries),
      onEvent: (e) => events.push(e),
    });
  const ask = async (router: Modgate, path: string) => answer("GET", HOST, `${path}?go-get=1`, router);
  const target = `/${importPathOf(PROJECT.deep).slice(HOST.length + 1)}/pkg`;

  it("answers the same request again without a look-up or a new render", async () => {
    const events: LookupEvent[] = [];
    const router = routerWith({ cacheTtl: 600, negativeCacheTtl: 600 }, events);
    const first = await during(() => ask(router, target));
    expect(first.result.status).toBe(200);
    expect(first.calls.length).toBeGreaterThan(0);
    const looked = events.length;
    const again = await during(() => ask(router, target));
    expect(again.calls).toEqual([]);
    // Not even the look-up cache was consulted.
    expect(events.length).toBe(looked);
    // The very same page: nothing was resolved or rendered again.
    expect(again.result.body).toBe(first.result.body);
  });

  it("asks GitLab again once a look-up it rests on has expired", async () => {
    let now = 1_850_000_000_000;
    const router = assemble(
      compileConfig(discoveryConfig({ gitlabUrl: lab.url, cacheTtl: 1, negativeCacheTtl: 1 }), "memo.yaml", { env: { GITLAB_TOKEN: token } }),
      {
        cache: (c) => new MemoryLookupCache(c.discovery.cacheEntries),
        now: () => now,
      },
    );
    expect((await ask(router, target)).status).toBe(200);
    now += 1_100; // past cacheTtl (1 s) on the router's clock
    const later = await during(() => ask(router, target));
    expect(later.result.status).toBe(200);
    expect(later.calls.length).toBeGreaterThan(0);
  });

  it("does not remember an answer made of stale look-ups, nor a 503", async () => {
    const events: LookupEvent[] = [];
    const router = routerWith({ cacheTtl: 0, negativeCacheTtl: 0 }, events);
    expect((await ask(router, target)).status).toBe(200);
    lab.setMode("down");
    const stale = await during(() => ask(router, target));
    expect(stale.result.status).toBe(200); // served from stale look-ups ...
    expect(stale.result.headers["Cache-Control"]).toBe("no-cache"); // ... which no client may keep
    const before = events.length;
    const again = await during(() => ask(router, target));
    // ... and looked up again next time (served stale at once while GitLab is failing).
    expect(again.result.status).toBe(200);
    expect(events.slice(before).some((e) => e.source === "stale")).toBe(true);
    const unknown = `/oss/${"never".repeat(2)}/seen`;
    expect((await ask(router, unknown)).status).toBe(503);
    // Not remembered, and while GitLab is known to fail not asked either: a 503 at once.
    const retried = await during(() => ask(router, unknown));
    expect(retried.result.status).toBe(503);
    expect(retried.calls).toEqual([]);
    expect(events.at(-1)).toMatchObject({ source: "held", outcome: "unavailable" });
  });

  it("counts max-age down when it replays a remembered answer", async () => {
    let now = 1_800_000_000_000;
    const router = assemble(
      compileConfig(discoveryConfig({ gitlabUrl: lab.url, cacheTtl: 30, negativeCacheTtl: 30 }), "memo.yaml", { env: { GITLAB_TOKEN: token } }),
      {
        cache: (c) => new MemoryLookupCache(c.discovery.cacheEntries),
        now: () => now,
      },
    );
    const maxAge = (a: { headers: Readonly<Record<string, string>> }) => Number(/max-age=(\d+)/.exec(a.headers["Cache-Control"]!)![1]);
    const first = await ask(router, target);
    expect(maxAge(first)).toBe(30);
    now += 10_000;
    const replayed = await during(() => ask(router, target));
    expect(replayed.calls).toEqual([]); // replayed from the memo ...
    expect(maxAge(replayed.result)).toBe(20); // ... with the time its look-ups still hold
    expect(replayed.result.body).toBe(first.body);
    now += 19_500;
    expect(maxAge(await ask(router, target))).toBe(0);
  });

  it("tells clients to keep a discovered answer no longer than its look-ups hold", async () => {
    let now = 1_900_000_000_000;
    const router = assemble(
      compileConfig(discoveryConfig({ gitlabUrl: lab.url, cacheTtl: 30, negativeCacheTtl: 20 }), "memo.yaml", { env: { GITLAB_TOKEN: token } }),
      {
        cache: (c) => new MemoryLookupCache(c.discovery.cacheEntries),
        now: () => now,
      },
    );
    expect((await ask(router, "/oss/a/lib")).status).toBe(200); // looks up the group platform/oss/a now
    now += 10_000;
    const a = await ask(router, target); // rests on that group (20 s left), a/b and a/b/c (30 s)
    expect(a.status).toBe(200);
    expect(a.headers["Cache-Control"]).toBe("public, max-age=20");
  });
});

describe("the look-up cache under pressure", () => {
  it("never lets missing paths evict found projects", async () => {
    const cache = new MemoryLookupCache(2);
    const found = {
      answer: { kind: "project" as const, project: { pathWithNamespace: "g/p", defaultBranch: "main", visibility: "public" as const } },
      fetchedAt: 0,
    };
    await cache.set("found", found, 60);
    for (let i = 0; i < 50; i++) await cache.set(`missing-${i}`, { answer: { kind: "none" }, fetchedAt: 0 }, 60);
    expect(await cache.get("found")).toEqual(found);
    expect(cache.size).toBeLessThanOrEqual(4);
  });

  it("keys look-ups by token: a rotated token asks GitLab again", async () => {
    const cache = new MemoryLookupCache(100);
    const first = await during(() => projectLookup({ cache }).lookup(PROJECT.secret));
    expect(first.result).toMatchObject({ kind: "found" });
    const other = await during(() => projectLookup({ cache, token: null }).lookup(PROJECT.secret));
    // Without a token GitLab hides the private project: the old token's answer was not reused.
    expect(pathsAsked(other.calls)).toEqual([PROJECT.secret]);
    expect(other.result).toMatchObject({ kind: "missing" });
  });

  it("serves stale answers at once while GitLab is failing, without waiting out another timeout", async () => {
    const cache = new MemoryLookupCache(100);
    const lookup = projectLookup({ cache, discovery: { cacheTtlSeconds: 0, negativeCacheTtlSeconds: 0 } });
    await lookup.lookup(PROJECT.deep);
    await lookup.lookup(PROJECT.shallow);
    lab.setMode("down");
    const failed = await during(() => lookup.lookup(PROJECT.deep));
    expect(pathsAsked(failed.calls)).toEqual([PROJECT.deep]); // GitLab is asked, fails, the stale answer is served
    expect(failed.result).toMatchObject({ kind: "found", stale: true });
    const next = await during(() => lookup.lookup(PROJECT.shallow));
    expect(next.calls.length).toBe(0); // within the back-off: stale at once
    expect(next.result).toMatchObject({ kind: "found", stale: true });
  });
});
