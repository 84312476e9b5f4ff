// A version's content comes from the commit its stored .info names (issue
// "the proxy keeps its promises", finding 4), with the real go command: once
// v1.0.0's .info is stored (commit A), GitLab moving the tag to commit B
// changes neither its .mod nor its .zip, even when the store has to make
// them again (a lost .mod, a damaged zip modgate removes and rebuilds); the
// move is reported once on stderr and counted on /-/metrics.
import { readdir, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addCommit,
  createGoEnv,
  createRepoRoot,
  httpRequest,
  makeRepo,
  makeTempDir,
  moveTag,
  removeDir,
  requireTools,
  startGitLabStandIn,
  startModgateNode,
  type BareRepo,
  type GitLabStandIn,
  type GoEnv,
  type RepoRoot,
  type RunningModgate,
} from "./harness/index.js";

const HOST = "go.example.com";
const MODULE = `${HOST}/pinned`;
const TOKEN = "glpat-proxy-pinned-test-token";

function sample(metrics: string, series: string): number {
  const line = metrics.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe.skipIf(!requireTools("go", "git"))("a moved tag: everything of a version comes from its stored .info", () => {
  let repos: RepoRoot;
  let repo: BareRepo;
  let lab: GitLabStandIn;
  let modgate: RunningModgate;
  let dir: string;
  const goEnvs: GoEnv[] = [];

  beforeAll(async () => {
    repos = await createRepoRoot();
    repo = await makeRepo(repos.dir, "platform/pinned", { files: { "go.mod": `module ${MODULE}\n\ngo 1.21\n`, "a.go": "package pinned\n" }, tags: ["v1.0.0"] });
    lab = await startGitLabStandIn({ root: repos.dir, token: TOKEN, projects: [{ path: "platform/pinned", visibility: "public" }] });
    dir = await makeTempDir("proxy-pinned");
    const configPath = join(dir, "modgate.yaml");
    // listTtl 0: GitLab's tags are asked again every time, so the moved tag is seen at once.
    await writeFile(
      configPath,
      `gitlab:\n  url: ${lab.url}\n  token: ${TOKEN}\nproxy:\n  enabled: true\n  cacheDir: ${join(dir, "store")}\n  listTtl: 0\nmodules:\n  - path: ${MODULE}\n    project: platform/pinned\n`,
    );
    modgate = await startModgateNode(configPath);
  });

  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), lab?.close()]);
    await Promise.allSettled([...goEnvs.map((g) => g.close()), repos?.close(), dir && removeDir(dir)]);
  });

  /** `go mod download -json MODULE@v1.0.0` through modgate into a module cache of its own. */
  const download = async () => {
    const goEnv = await createGoEnv({ env: { GOPROXY: modgate.url } });
    goEnvs.push(goEnv);
    const d = await goEnv.goModDownload(`${MODULE}@v1.0.0`);
    expect(d.info?.Error, d.stderr).toBeUndefined();
    return d.info!;
  };
  const metrics = async () => (await httpRequest(modgate.url, { path: "/-/metrics", host: HOST })).body.toString("utf8");

  it("a fresh module cache downloads the same v1.0.0 after the tag moved and the store lost its .mod and .zip", async () => {
    const first = await download();
    const commitA = repo.head;
    const before = sample(await metrics(), "modgate_proxy_moved_tags_total");

    // Commit B changes the go.mod and adds a file; the tag moves there.
    await addCommit(repo, { files: { "go.mod": `module ${MODULE}\n\ngo 1.22\n`, "moved.go": "package pinned\n\nconst Moved = 1\n" } });
    await moveTag(repo, "v1.0.0", repo.head);
    expect(repo.head).not.toBe(commitA);

    // The store keeps the .info (commit A) but must make the rest again: the .mod is gone, the
    // zip damaged (cut short: modgate removes it and its record and builds it again).
    // Stored versions live under the GitLab project's id (<module>/@p/<id>/@v/): the one project here.
    const projects = await readdir(join(dir, "store", MODULE, "@p"));
    expect(projects).toHaveLength(1);
    const versionDir = join(dir, "store", MODULE, "@p", projects[0]!, "@v");
    await rm(join(versionDir, "v1.0.0.mod"));
    await truncate(join(versionDir, "v1.0.0.zip"), 10);

    const second = await download();
    expect(second.Version).toBe("v1.0.0");
    expect(second.Sum).toBe(first.Sum);
    expect(second.GoModSum).toBe(first.GoModSum);

    // One line naming both commits, however many of the version's files noticed the move.
    const said = () =>
      modgate
        .output()
        .split("\n")
        .filter((l) => l.includes(`${MODULE}@v1.0.0: GitLab's tag now points at`));
    await expect.poll(() => said().length).toBe(1);
    expect(said()[0]).toContain(`commit ${repo.head.slice(0, 12)}`);
    expect(said()[0]).toContain(`(commit ${commitA.slice(0, 12)})`);
    await expect.poll(async () => sample(await metrics(), "modgate_proxy_moved_tags_total")).toBe(before + 1);

    // A third download (from the store again) says nothing more.
    const third = await download();
    expect(third.Sum).toBe(first.Sum);
    expect(said()).toHaveLength(1);
  });
});
