// Finding 6 of "the proxy keeps its promises": warm answers go on when GitLab
// stops. Against `modgate serve` (the built CLI) and the GitLab stand-in, with
// the real go command: a public module warmed through the proxy is downloaded
// again, into an empty module cache, once listTtl has passed with GitLab down
// and then hanging; its version list is the last good one, marked no-cache.
// apiTimeout is long (60 s): before the fix every due look-up waited for it,
// so the go command's 30 s deadline here failed (a deadline against a hang,
// not a speed limit).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGoEnv,
  createRepoRoot,
  goMod,
  httpRequest,
  makeRepo,
  makeTempDir,
  removeDir,
  requireTools,
  run,
  startGitLabStandIn,
  startModgateNode,
  toolPath,
  type GitLabStandIn,
  type RepoRoot,
  type RunningModgate,
} from "./harness/index.js";

const HOST = "go.example.com";
const TOKEN = "glpat-proxy-outage-token";
const LIST_TTL = 1;
const MODULE = `${HOST}/pub`;
/** The go command's deadline per run here: far past the look-up's grace (1 s), far short of apiTimeout. */
const GO_DEADLINE_MS = 30_000;

describe.skipIf(!requireTools("go", "git"))("GitLab stops: warm public modules are still served (finding 6)", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  let modgate: RunningModgate;
  let dir: string;

  beforeAll(async () => {
    repos = await createRepoRoot();
    await makeRepo(repos.dir, "platform/pub", { files: { "go.mod": goMod(MODULE), "pub.go": "package pub\n\nconst P = 1\n" }, tags: ["v1.0.0"] });
    lab = await startGitLabStandIn({ root: repos.dir, token: TOKEN, projects: [{ path: "platform/pub", visibility: "public" }] });
    dir = await makeTempDir("proxy-outage");
    const config = join(dir, "modgate.yaml");
    await writeFile(
      config,
      `gitlab:\n  url: ${lab.url}\n  token: ${TOKEN}\n  apiTimeout: 60\nproxy:\n  enabled: true\n  listTtl: ${LIST_TTL}\n  cacheDir: ${join(dir, "store")}\nmodules:\n  - path: ${MODULE}\n    project: platform/pub\n`,
    );
    modgate = await startModgateNode(config, { MODGATE_LOG: "off" });
  });

  afterAll(async () => {
    await Promise.allSettled([modgate?.close()]);
    await Promise.allSettled([lab?.close()]);
    await Promise.allSettled([repos?.close(), dir && removeDir(dir)]);
  });

  /** The go command with an empty module cache, under a deadline. */
  async function goRun(args: string[]) {
    const go = await createGoEnv({ env: { GOPROXY: modgate.url } });
    try {
      return await run(toolPath("go"), args, { cwd: go.dir, env: go.env, timeoutMs: GO_DEADLINE_MS });
    } finally {
      await go.close();
    }
  }

  it("warm: go mod download and go list -m -versions through the proxy", async () => {
    const download = await goRun(["mod", "download", "-json", `${MODULE}@v1.0.0`]);
    expect(download.code, download.stderr + download.stdout).toBe(0);
    const list = await goRun(["list", "-m", "-versions", MODULE]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.trim()).toBe(`${MODULE} v1.0.0`);
    const answer = await httpRequest(modgate.url, { path: `/${MODULE}/@v/list` });
    expect(answer.headers["cache-control"]).toBe(`public, max-age=${LIST_TTL}`);
  });

  for (const mode of ["down", "hang"] as const) {
    it(`GitLab ${mode}, listTtl passed: the stored version downloads into an empty module cache; the list is the last good one, no-cache`, async () => {
      lab.setMode(mode);
      await sleep(LIST_TTL * 1000 + 300);
      const download = await goRun(["mod", "download", "-json", `${MODULE}@v1.0.0`]);
      expect(download.code, `${download.stderr}${download.stdout}\n${modgate.output().slice(-2000)}`).toBe(0);
      expect(JSON.parse(download.stdout)).toMatchObject({ Path: MODULE, Version: "v1.0.0" });
      const list = await goRun(["list", "-m", "-versions", MODULE]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout.trim()).toBe(`${MODULE} v1.0.0`);
      await sleep(LIST_TTL * 1000 + 300);
      const answer = await httpRequest(modgate.url, { path: `/${MODULE}/@v/list` });
      expect(answer.status).toBe(200);
      expect(answer.body.toString("utf8")).toBe("v1.0.0\n");
      expect(answer.headers["cache-control"]).toBe("public, no-cache");
    });
  }
});
