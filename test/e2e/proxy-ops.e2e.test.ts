// The module proxy's operations (issue 10): `modgate resolve MODULE@QUERY`
// against what `go mod download -json` gets from the same modgate, the
// proxy's series on /-/metrics, and a tag GitLab moves after modgate served
// it (one log line, a counter, the first content still served). Repositories
// reach modgate through the GitLab stand-in's REST API.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addCommit,
  createGoEnv,
  createRepoRoot,
  httpRequest,
  isolatedGitEnv,
  makeRepo,
  makeTempDir,
  removeDir,
  requireTools,
  run,
  runOk,
  startGitLabStandIn,
  startModgateNode,
  toolPath,
  type BareRepo,
  type GitLabStandIn,
  type GoEnv,
  type RepoRoot,
  type RunningModgate,
} from "./harness/index.js";
import { REPO_ROOT } from "./harness/modgate.js";

const HOST = "go.example.com";
const MODULE = `${HOST}/tools`;
const TOKEN = "glpat-proxy-ops-test-token";
const CLI = join(REPO_ROOT, "dist", "node", "cli.js");

/** The value of one sample line, 0 when absent. */
function sample(metrics: string, series: string): number {
  const line = metrics.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** `Key   value` lines of `modgate resolve MODULE@QUERY` as an object. */
function fields(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split("\n")) {
    const m = /^(\w+)\s+(\S.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Regular files below dir: what the go command extracted from the zip. */
async function fileCount(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}

describe.skipIf(!requireTools("go", "git"))("module proxy operations", () => {
  let repos: RepoRoot;
  let tools: BareRepo;
  let lab: GitLabStandIn;
  let modgate: RunningModgate;
  let goEnv: GoEnv;
  let dir: string;
  let configPath: string;

  beforeAll(async () => {
    repos = await createRepoRoot();
    tools = await makeRepo(repos.dir, "platform/tools", { files: { "go.mod": `module ${MODULE}\n\ngo 1.21\n`, "a.go": "package tools\n" }, tags: ["v1.0.0"] });
    await addCommit(tools, { files: { "b.go": "package tools\n\nconst B = 1\n", "sub/c.go": "package sub\n" }, tags: ["v1.1.0"] });
    await addCommit(tools, { files: { "d.go": "package tools\n\nconst D = 1\n" }, tags: ["v1.2.0"] });
    // A pre-release no query below resolves to (latest prefers v1.2.0): the metrics test builds its zip.
    await addCommit(tools, { files: { "r.go": "package tools\n\nconst R = 1\n" }, tags: ["v1.3.0-rc.1"] });
    await addCommit(tools, { files: { "e.go": "package tools\n\nconst E = 1\n" } });
    lab = await startGitLabStandIn({ root: repos.dir, token: TOKEN, projects: [{ path: "platform/tools", visibility: "public" }] });
    dir = await makeTempDir("proxy-ops");
    configPath = join(dir, "modgate.yaml");
    // listTtl 0: every list asks GitLab again, so a moved tag is seen at once.
    await writeFile(
      configPath,
      `gitlab:\n  url: ${lab.url}\n  token: ${TOKEN}\nproxy:\n  enabled: true\n  cacheDir: ${join(dir, "store")}\n  listTtl: 0\nmodules:\n  - path: ${MODULE}\n    project: platform/tools\n`,
    );
    modgate = await startModgateNode(configPath);
    goEnv = await createGoEnv({ env: { GOPROXY: modgate.url } });
  });

  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), lab?.close()]);
    await Promise.allSettled([goEnv?.close(), repos?.close(), dir && removeDir(dir)]);
  });

  const resolve = (arg: string, config = configPath) =>
    run(process.execPath, [CLI, "resolve", "--config", config, arg], { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, timeoutMs: 60_000 });
  const get = (path: string) => httpRequest(modgate.url, { path, host: HOST });
  const metrics = async () => (await get("/-/metrics")).body.toString("utf8");

  describe("modgate resolve MODULE@QUERY", () => {
    // v1.0.0: the CLI builds the zip into the store; v1.1.0 the server builds it first; latest is v1.2.0 (the highest release, as the go command picks it from the list), main a pseudo-version.
    for (const query of ["v1.0.0", "v1.1.0", "latest", "main"]) {
      it(`${query}: what go mod download -json gets from modgate`, async () => {
        const serverFirst = query === "v1.1.0";
        const download = async () => {
          const d = await goEnv.goModDownload(`${MODULE}@${query}`);
          expect(d.info?.Error, d.stderr).toBeUndefined();
          return d.info!;
        };
        const fromGo = serverFirst ? await download() : undefined;
        const r = await resolve(`${MODULE}@${query}`);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        const got = fields(r.stdout);
        const want = fromGo ?? (await download());
        const info = JSON.parse(await readFile(want.Info!, "utf8")) as { Time: string; Origin?: { Hash?: string } };
        expect(got).toMatchObject({ Path: MODULE, Version: want.Version, Time: info.Time, Sum: want.Sum, GoModSum: want.GoModSum });
        expect(got.Commit).toMatch(/^[0-9a-f]{40}$/);
        if (info.Origin?.Hash) expect(got.Commit).toBe(info.Origin.Hash);
        expect(Number(got.Files)).toBe(await fileCount(want.Dir!));
      });
    }

    it("a second resolve reads the same from the store", async () => {
      const [a, b] = [await resolve(`${MODULE}@v1.0.0`), await resolve(`${MODULE}@v1.0.0`)];
      expect(b.code).toBe(0);
      expect(b.stdout).toBe(a.stdout);
    });

    it("without @ it still prints the go-import answer", async () => {
      const r = await resolve(`${MODULE}/sub`);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`<meta name="go-import" content="${MODULE} git ${lab.url}/platform/tools.git">`);
    });

    it("exits 1 with the reason when the version or module does not exist", async () => {
      const version = await resolve(`${MODULE}@v9.9.9`);
      expect(version.code).toBe(1);
      expect(version.stdout).toMatch(/^go\.example\.com\/tools@v9\.9\.9: 404 not found: .*unknown revision v9\.9\.9/m);
      const module = await resolve(`${HOST}/nothing@v1.0.0`);
      expect(module.code).toBe(1);
      expect(module.stdout).toContain(`${HOST}/nothing@v1.0.0: 404 not found: no module is configured for ${HOST}/nothing`);
      const empty = await resolve(`${MODULE}@`);
      expect(empty.code).toBe(1);
      expect(empty.stdout).toContain('no version after "@"');
    });

    it("exits 1 with the reason when GitLab is unavailable", async () => {
      const down = join(dir, "down.yaml");
      // A fresh store and a GitLab URL nothing listens on.
      await writeFile(
        down,
        `gitlab:\n  url: http://127.0.0.1:9\nproxy:\n  enabled: true\n  cacheDir: ${join(dir, "store-down")}\nmodules:\n  - path: ${MODULE}\n    project: platform/tools\n`,
      );
      const r = await resolve(`${MODULE}@v1.0.0`, down);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/: 50[234] GitLab /);
    });

    it("exits 1 saying how to turn the proxy on when it is off", async () => {
      const off = join(dir, "off.yaml");
      await writeFile(off, `gitlab:\n  url: ${lab.url}\nmodules:\n  - path: ${MODULE}\n    project: platform/tools\n`);
      const r = await resolve(`${MODULE}@v1.0.0`, off);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("the module proxy is off");
      expect(r.stdout).toContain("proxy.enabled: true");
    });
  });

  describe("/-/metrics", () => {
    it("counts proxy requests by endpoint and outcome, store hits, bytes, zip builds and GitLab calls", async () => {
      const before = await metrics();
      // v1.3.0-rc.1 is asked by nobody else: its first zip is built here.
      const first = await get(`/${MODULE}/@v/v1.3.0-rc.1.zip`);
      expect(first.status).toBe(200);
      expect((await get(`/${MODULE}/@v/v1.3.0-rc.1.zip`)).status).toBe(200);
      expect((await get(`/${MODULE}/@v/list`)).status).toBe(200);
      expect((await get(`/${HOST}/nothing/@v/list`)).status).toBe(404);
      expect((await get("/sumdb/sum.golang.org/supported")).status).toBe(404);
      const after = await metrics();
      const delta = (series: string) => sample(after, series) - sample(before, series);
      expect(delta('modgate_proxy_requests_total{endpoint="zip",outcome="ok"}')).toBe(2);
      expect(delta('modgate_proxy_requests_total{endpoint="list",outcome="ok"}')).toBe(1);
      expect(delta('modgate_proxy_requests_total{endpoint="list",outcome="not-found"}')).toBe(1);
      expect(delta('modgate_proxy_requests_total{endpoint="sumdb",outcome="not-found"}')).toBe(1);
      expect(delta('modgate_proxy_served_bytes_total{endpoint="zip"}')).toBe(2 * first.body.length);
      expect(delta('modgate_proxy_store_total{result="miss"}')).toBe(1);
      expect(delta('modgate_proxy_store_total{result="hit"}')).toBe(1);
      expect(delta("modgate_proxy_zip_build_seconds_count")).toBe(1);
      expect(delta('modgate_proxy_zip_build_seconds_bucket{le="+Inf"}')).toBe(1);
      expect(delta('modgate_proxy_gitlab_calls_total{endpoint="archive",status="2xx"}')).toBe(1);
      expect(delta('modgate_proxy_gitlab_calls_total{endpoint="tags",status="2xx"}')).toBeGreaterThanOrEqual(1);
      // Labels come from fixed sets: no module path, version or token appears.
      expect(after).not.toContain(TOKEN);
      expect(after).not.toContain("nothing");
      expect(after).not.toContain("rc.1");
    });
  });

  describe("a tag GitLab moves after modgate served it", () => {
    it("keeps serving the first content, says so once on stderr and counts it", async () => {
      const served = await get(`/${MODULE}/@v/v1.0.0.info`);
      expect(served.status).toBe(200);
      const servedHash = (JSON.parse(served.body.toString("utf8")) as { Origin: { Hash: string } }).Origin.Hash;
      const before = sample(await metrics(), "modgate_proxy_moved_tags_total");
      await addCommit(tools, { files: { "moved.go": "package tools\n\nconst Moved = 1\n" } });
      await runOk(toolPath("git"), ["tag", "-f", "v1.0.0", tools.head], { cwd: tools.dir, env: isolatedGitEnv() });
      expect(tools.head).not.toBe(servedHash);

      for (let i = 0; i < 3; i++) expect((await get(`/${MODULE}/@v/list`)).status).toBe(200);
      await expect.poll(async () => sample(await metrics(), "modgate_proxy_moved_tags_total")).toBe(before + 1);
      const again = await get(`/${MODULE}/@v/v1.0.0.info`);
      expect(again.body.toString("utf8")).toBe(served.body.toString("utf8"));
      expect((await get(`/${MODULE}/@latest`)).status).toBe(200);
      // One line, however many refreshes noticed it; naming both commits and what to do.
      const lines = modgate
        .output()
        .split("\n")
        .filter((l) => l.includes(`${MODULE}@v1.0.0: GitLab's tag now points at`));
      expect(lines).toEqual([
        `modgate: ${MODULE}@v1.0.0: GitLab's tag now points at commit ${tools.head.slice(0, 12)}, but modgate keeps serving the content it first served (commit ${servedHash.slice(0, 12)}): a version never changes once served; tag the new commit with a new version`,
      ]);
      expect(sample(await metrics(), "modgate_proxy_moved_tags_total")).toBe(before + 1);
    });
  });
});
