// `transport: proxy` (issue 10): modgate's go-import answer says `<root> mod <proxy base>`, so a
// client with GOPRIVATE set (direct mode for the vanity host, no checksum database) and no git at
// all still gets the module: the go command's `mod` vcs is a GOPROXY for that one module path
// (modfetch/repo.go lookupDirect → newProxyRepo). The PATH here holds the go binary only.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGoEnv,
  createRepoRoot,
  goMod,
  makeRepo,
  makeTempDir,
  removeDir,
  requireTools,
  run,
  startForwardProxy,
  startGitLabStandIn,
  startModgateNode,
  toolPath,
  type ForwardProxy,
  type GitLabStandIn,
  type RepoRoot,
  type RunningModgate,
} from "./harness/index.js";
import { greeter, mainCalling } from "./go-programs.js";

const HOST = "go.example.com";
const TOKEN = "glpat-proxy-no-git-token";

describe.skipIf(!requireTools("go", "git"))("transport: proxy — go get and go run with no git on the client", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  let modgate: RunningModgate;
  let forward: ForwardProxy;
  let dir: string;
  let bin: string;

  beforeAll(async () => {
    repos = await createRepoRoot();
    await makeRepo(repos.dir, "platform/tools", {
      files: { "go.mod": goMod(`${HOST}/tools`), "greet/greet.go": greeter("greet", "greetings over the mod protocol") },
      tags: ["v1.0.0"],
    });
    lab = await startGitLabStandIn({ root: repos.dir, token: TOKEN, projects: [{ path: "platform/tools", visibility: "public" }] });
    dir = await makeTempDir("proxy-no-git");
    const config = join(dir, "modgate.yaml");
    // proxy.url is the vanity host itself: the client reaches it the way it reaches the
    // go-import answer (here through the forward proxy, over http).
    await writeFile(
      config,
      `gitlab:\n  url: ${lab.url}\n  token: ${TOKEN}\nproxy:\n  enabled: true\n  url: http://${HOST}\n  cacheDir: ${join(dir, "store")}\n` +
        `modules:\n  - path: ${HOST}/tools\n    project: platform/tools\n    transport: proxy\n`,
    );
    modgate = await startModgateNode(config);
    forward = await startForwardProxy({ defaultUpstream: modgate.url });
    // A bin directory with the go command and nothing else: no git, no ssh.
    bin = join(dir, "bin");
    await mkdir(bin);
    await symlink(toolPath("go"), join(bin, "go"));
  });

  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), forward?.close(), lab?.close()]);
    await Promise.allSettled([repos?.close(), dir && removeDir(dir)]);
  });

  it("the PATH really has no git", async () => {
    const r = await run("/bin/sh", ["-c", "command -v git || echo none"], { env: { PATH: bin } });
    expect(r.stdout.trim()).toBe("none");
  });

  it("go get + go run through the mod answer, and no git request reached GitLab", async () => {
    const go = await createGoEnv({
      proxyUrl: forward.url,
      insecure: [HOST],
      env: { PATH: bin, GOPROXY: "direct", GOPRIVATE: HOST, GOSUMDB: "sum.golang.org" },
    });
    const gitBefore = lab.gitRequests.length;
    try {
      const result = await go.goGetAndRun({ pkg: `${HOST}/tools/greet`, version: "v1.0.0", mainGo: mainCalling(`${HOST}/tools/greet`) });
      const context = `\n${result.get.stderr}\nmodgate:\n${modgate.output().slice(-2000)}`;
      expect(result.get.code, context).toBe(0);
      expect(result.run?.code, result.run?.stderr).toBe(0);
      expect(result.run!.stdout.trim()).toBe("greetings over the mod protocol");
    } finally {
      await go.close();
    }
    // What the go command asked: the go-import page, then the proxy protocol on the same host.
    const asked = forward.requests.filter((r) => r.host === HOST).map((r) => r.path);
    expect(asked).toContain("/tools/greet?go-get=1");
    expect(asked).toContain(`/${HOST}/tools/@v/v1.0.0.zip`);
    expect(lab.gitRequests.length).toBe(gitBefore);
  });
});
