// The module proxy against the go command's direct mode (issue 10): for each
// module and query, `go mod download -json` through modgate's proxy
// (GOPROXY=http://modgate) must give what GOPROXY=direct gives through
// modgate's go-import answer and git — Version, Time, Sum, GoModSum — and
// `go list -m -versions` the same list. Repositories reach modgate through
// the GitLab stand-in's REST API, and the direct-mode go command through
// git smart HTTP from the same bare repositories.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addCommit,
  createGoEnv,
  createRepoRoot,
  makeRepo,
  makeTempDir,
  removeDir,
  requireTools,
  startForwardProxy,
  startGitLabStandIn,
  startModgateNode,
  type ForwardProxy,
  type GitLabStandIn,
  type GoEnv,
  type RepoRoot,
  type RunningModgate,
} from "./harness/index.js";

const HOST = "go.example.com";
const TOKEN = "glpat-proxy-direct-test-token";

const mod = (path: string, go = "1.21") => `module ${path}\n\ngo ${go}\n`;

/** module path → queries to compare. */
const CASES: Record<string, string[]> = {
  [`${HOST}/root`]: ["v1.0.0", "v1.1.0", "latest", "main", "v1.2.0-rc.1"],
  [`${HOST}/mono/sub`]: ["v0.1.0", "latest"],
  [`${HOST}/v2root/v2`]: ["v2.0.0", "latest"],
  [`${HOST}/inc`]: ["v1.0.0", "v2.0.0+incompatible", "latest"],
  [`${HOST}/attrs`]: ["v1.0.0"],
  [`${HOST}/nested`]: ["v1.0.0"],
};

describe.skipIf(!requireTools("go", "git", "git-http-backend"))("module proxy = direct mode", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  let modgate: RunningModgate;
  let forward: ForwardProxy;
  let direct: GoEnv;
  let viaProxy: GoEnv;
  let configDir: string;
  const hashes: Record<string, string> = {};

  beforeAll(async () => {
    repos = await createRepoRoot();
    const root = await makeRepo(repos.dir, "platform/root", { files: { "go.mod": mod(`${HOST}/root`), "a.go": "package root\n" }, tags: ["v1.0.0"] });
    await addCommit(root, { files: { "b.go": "package root\n\nconst B = 1\n" }, tags: ["v1.1.0", "v1.2"] });
    await addCommit(root, { files: { "c.go": "package root\n\nconst C = 1\n" }, tags: ["v1.2.0-rc.1"] });
    const head = await addCommit(root, { files: { "d.go": "package root\n\nconst D = 1\n" } });
    hashes.root = head.head;
    const mono = await makeRepo(repos.dir, "platform/mono", {
      files: { LICENSE: "root licence\n", "sub/go.mod": mod(`${HOST}/mono/sub`), "sub/s.go": "package sub\n", "other/o.go": "package other\n" },
      tags: ["sub/v0.1.0", "v9.9.9"],
    });
    void mono;
    await makeRepo(repos.dir, "platform/v2root", { files: { "go.mod": mod(`${HOST}/v2root/v2`), "v.go": "package v\n" }, tags: ["v2.0.0"] });
    const inc = await makeRepo(repos.dir, "platform/inc", { files: { "i.go": "package inc\n" }, tags: ["v1.0.0"] });
    await addCommit(inc, { files: { "j.go": "package inc\n\nconst J = 2\n" }, tags: ["v2.0.0"] });
    await makeRepo(repos.dir, "platform/attrs", {
      files: {
        "go.mod": mod(`${HOST}/attrs`),
        ".gitattributes": "*.txt eol=crlf\nignored.go export-ignore\nsubst.go export-subst\n",
        "crlf.txt": "one\ntwo\n",
        "ignored.go": "package attrs\n",
        "subst.go": "package attrs\n\n// $Format:%H$\n",
      },
      tags: ["v1.0.0"],
    });
    await makeRepo(repos.dir, "platform/nested", {
      files: {
        "go.mod": mod(`${HOST}/nested`, "1.23"),
        "n.go": "package nested\n",
        "inner/go.mod": mod(`${HOST}/nested/inner`),
        "inner/x.go": "package inner\n",
        "vendor/modules.txt": "# none\n",
        "vendor/x/y/y.go": "package y\n",
        "pkg/vendor/a/b.go": "package b\n",
      },
      tags: ["v1.0.0"],
    });
    lab = await startGitLabStandIn({
      root: repos.dir,
      token: TOKEN,
      projects: ["root", "mono", "v2root", "inc", "attrs", "nested"].map((p) => ({ path: `platform/${p}`, visibility: "public" as const })),
    });
    configDir = await makeTempDir("proxy-direct");
    const configPath = join(configDir, "modgate.yaml");
    const modules = [
      ["root", "platform/root"],
      ["v2root", "platform/v2root"],
      ["inc", "platform/inc"],
      ["attrs", "platform/attrs"],
      ["nested", "platform/nested"],
    ]
      .map(([p, project]) => `  - path: ${HOST}/${p}\n    project: ${project}\n`)
      .join("");
    await writeFile(
      configPath,
      `gitlab:\n  url: ${lab.url}\n  token: ${TOKEN}\n  transport: https\nproxy:\n  enabled: true\n  cacheDir: ${join(configDir, "store")}\nmodules:\n${modules}  - path: ${HOST}/mono\n    project: platform/mono\n`,
    );
    modgate = await startModgateNode(configPath);
    forward = await startForwardProxy({ defaultUpstream: modgate.url });
    direct = await createGoEnv({ proxyUrl: forward.url, insecure: [HOST] });
    viaProxy = await createGoEnv({ env: { GOPROXY: modgate.url } });
  });

  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), forward?.close(), lab?.close()]);
    await Promise.allSettled([direct?.close(), viaProxy?.close(), repos?.close(), configDir && removeDir(configDir)]);
  });

  const pick = async (r: Awaited<ReturnType<GoEnv["goModDownload"]>>) => {
    if (!r.info || r.info.Error) return { error: true };
    const info = JSON.parse(await readFile(r.info.Info!, "utf8")) as { Version: string; Time: string };
    return { Version: r.info.Version, Time: info.Time, Sum: r.info.Sum, GoModSum: r.info.GoModSum };
  };

  for (const [modulePath, queries] of Object.entries(CASES)) {
    for (const query of queries) {
      it(`${modulePath}@${query}`, async () => {
        const [d, p] = await Promise.all([direct.goModDownload(`${modulePath}@${query}`), viaProxy.goModDownload(`${modulePath}@${query}`)]);
        const want = await pick(d);
        const got = await pick(p);
        // Every case here is one direct mode downloads: a vacuous "both failed" proves nothing.
        expect(want.error, `direct mode failed: ${d.stderr}${d.info?.Error ?? ""}`).toBeUndefined();
        expect(got, `direct: ${d.stdout}${d.stderr}\nproxy: ${p.stdout}${p.stderr}\nmodgate:\n${modgate.output().slice(-3000)}`).toEqual(want);
      });
    }
    it(`${modulePath}: go list -m -versions`, async () => {
      const [d, p] = await Promise.all([direct.go(["list", "-m", "-versions", modulePath]), viaProxy.go(["list", "-m", "-versions", modulePath])]);
      expect(p.stdout.trim(), p.stderr).toBe(d.stdout.trim());
    });
  }

  it("short and full commit hashes resolve to the same pseudo-version", async () => {
    for (const q of [hashes.root!.slice(0, 7), hashes.root!.slice(0, 12), hashes.root!]) {
      const [d, p] = await Promise.all([direct.goModDownload(`${HOST}/root@${q}`), viaProxy.goModDownload(`${HOST}/root@${q}`)]);
      expect(await pick(p)).toEqual(await pick(d));
    }
  });

  it("an unknown revision is a 404 with the go command’s words", async () => {
    const p = await viaProxy.goModDownload(`${HOST}/root@nosuchbranch`);
    expect(p.info?.Error ?? p.stderr).toMatch(/404 Not Found[\s\S]*unknown revision nosuchbranch/);
  });
});
