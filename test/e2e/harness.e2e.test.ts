// Smoke test of the e2e harness itself, without modgate: real git, sshd and go command.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addCommit,
  closeServer,
  createGoEnv,
  createRepoRoot,
  goMod,
  isolatedGitEnv,
  listenLoopback,
  makeRepo,
  makeTempDir,
  removeDir,
  requireTools,
  run,
  startForwardProxy,
  startGitHttpServer,
  startSshGitServer,
  toolPath,
  type GitHttpServer,
  type RepoRoot,
} from "./harness/index.js";

const TIMEOUT = 120_000;
const TOOLS_PROJECT = "platform/devtools/tools";
const SDK_PROJECT = "platform/sdk";

const haveGit = requireTools("git", "git-http-backend");
const haveSsh = haveGit && requireTools("sshd", "ssh", "ssh-keygen");
const haveGo = haveGit && requireTools("go");

function git(args: string[], cwd: string, env: Record<string, string> = {}) {
  return run(toolPath("git"), args, { cwd, env: isolatedGitEnv(env) });
}

/** A stand-in for modgate: answers ?go-get=1 from a fixed list of go-import tags. */
async function startGoImportStub(tags: () => Array<{ prefix: string; content: string }>) {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const importPath = `${url.host}${url.pathname}`.replace(/\/$/, "");
    const tag = tags().find((t) => importPath === t.prefix || importPath.startsWith(`${t.prefix}/`));
    if (url.searchParams.get("go-get") !== "1" || tag === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!DOCTYPE html><html><head><meta name="go-import" content="${tag.content}"></head></html>\n`);
  });
  const port = await listenLoopback(server);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

describe.skipIf(!haveGit)("e2e harness", () => {
  let repos: RepoRoot;
  let scratch: string;
  let http: GitHttpServer;

  beforeAll(async () => {
    repos = await createRepoRoot();
    scratch = await makeTempDir("smoke");
    // Root module v1 plus a /v2 major-version subdirectory, one commit carrying both tags.
    await makeRepo(repos.dir, TOOLS_PROJECT, {
      files: {
        "go.mod": goMod("go.example.com/tools"),
        "README.md": "# tools\n",
        "greet/greet.go": 'package greet\n\nfunc Hello() string { return "hello from tools v1" }\n',
        "v2/go.mod": goMod("go.example.com/tools/v2"),
        "v2/greet/greet.go": 'package greet\n\nfunc Hello() string { return "hello from tools v2" }\n',
      },
      tags: ["v1.0.0", "v2.0.0"],
    });
    // Monorepo: the module lives in sdk/go and its tags carry that prefix.
    await makeRepo(repos.dir, SDK_PROJECT, {
      files: { "README.md": "# sdk\n", "sdk/go/go.mod": goMod("go.example.com/sdk"), "sdk/go/sdk.go": "package sdk\n" },
      tags: ["sdk/go/v1.0.0"],
    });
    http = await startGitHttpServer({ root: repos.dir });
  }, TIMEOUT);

  afterAll(async () => {
    await http?.close();
    await repos?.close();
    if (scratch) await removeDir(scratch);
  });

  describe("git smart HTTP", () => {
    it(
      "clones a nested project",
      async () => {
        const dest = join(scratch, "http-clone");
        const clone = await git(["clone", "-q", http.repoUrl(TOOLS_PROJECT), dest], scratch);
        expect(clone.stderr).toBe("");
        expect(clone.code).toBe(0);
        expect(await readFile(join(dest, "README.md"), "utf8")).toBe("# tools\n");
        expect(http.requests.some((r) => r.method === "POST" && r.url.endsWith("/git-upload-pack"))).toBe(true);
      },
      TIMEOUT,
    );

    it(
      "inflates gzip request bodies (git compresses large negotiation requests)",
      async () => {
        const head = (await git(["ls-remote", http.repoUrl(TOOLS_PROJECT), "HEAD"], scratch)).stdout.slice(0, 40);
        const pktLine = (s: string) => (s.length + 4).toString(16).padStart(4, "0") + s;
        const body = `${pktLine(`want ${head}\n`)}0000${pktLine("done\n")}`;
        const res = await fetch(`${http.repoUrl(TOOLS_PROJECT)}/git-upload-pack`, {
          method: "POST",
          headers: { "content-type": "application/x-git-upload-pack-request", "content-encoding": "gzip" },
          body: gzipSync(body),
        });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe("application/x-git-upload-pack-result");
        expect(Buffer.from(await res.arrayBuffer()).includes("PACK")).toBe(true);
      },
      TIMEOUT,
    );

    it(
      "serves under a path prefix and sees commits added later",
      async () => {
        const repo = await makeRepo(repos.dir, "scratch/growing", { files: { a: "1" }, tags: ["v0.1.0"] });
        await addCommit(repo, { files: { a: "2" }, tags: ["v0.2.0"] });
        const prefixed = await startGitHttpServer({ root: repos.dir, prefix: "/git/" });
        try {
          expect(prefixed.repoUrl("scratch/growing")).toBe(`http://127.0.0.1:${prefixed.port}/git/scratch/growing.git`);
          const remote = await git(["ls-remote", "--tags", prefixed.repoUrl("scratch/growing")], scratch);
          expect(remote.code).toBe(0);
          expect(remote.stdout).toContain(`${repo.head}\trefs/tags/v0.2.0`);
          expect(remote.stdout).toContain("refs/tags/v0.1.0");
          const outside = await git(["ls-remote", `http://127.0.0.1:${prefixed.port}/scratch/growing.git`], scratch);
          expect(outside.code).not.toBe(0);
        } finally {
          await prefixed.close();
        }
      },
      TIMEOUT,
    );
  });

  describe.skipIf(!haveSsh)("sshd", () => {
    let sshd: Awaited<ReturnType<typeof startSshGitServer>>;
    beforeAll(async () => {
      sshd = await startSshGitServer({ root: repos.dir });
    }, TIMEOUT);
    afterAll(() => sshd?.close());

    it(
      "clones ssh://user@127.0.0.1:PORT/group/sub/proj.git",
      async () => {
        const url = sshd.repoUrl(TOOLS_PROJECT);
        expect(url).toBe(`ssh://${sshd.sshUser}@127.0.0.1:${sshd.port}/${TOOLS_PROJECT}.git`);
        const dest = join(scratch, "ssh-clone");
        const clone = await git(["clone", "-q", url, dest], scratch, sshd.gitEnv());
        expect(clone.stderr, sshd.log()).toBe("");
        expect(clone.code).toBe(0);
        expect(await readFile(join(dest, "greet/greet.go"), "utf8")).toContain("tools v1");
      },
      TIMEOUT,
    );

    it(
      "refuses pushes, path escapes and unknown projects",
      async () => {
        const base = `ssh://${sshd.sshUser}@127.0.0.1:${sshd.port}`;
        const push = await git(["push", `${base}/${TOOLS_PROJECT}.git`, "HEAD:refs/heads/x"], join(scratch, "ssh-clone"), sshd.gitEnv());
        expect(push.code).not.toBe(0);
        expect(push.stderr).toContain("command not allowed");
        const escape = await git(["ls-remote", `${base}/platform/../platform/sdk.git`], scratch, sshd.gitEnv());
        expect(escape.stderr).toContain("invalid project path");
        const missing = await git(["ls-remote", `${base}/platform/nope.git`], scratch, sshd.gitEnv());
        expect(missing.stderr).toContain("project not found");
      },
      TIMEOUT,
    );
  });

  describe.skipIf(!haveGo)("go command through the forward proxy", () => {
    let stub: Awaited<ReturnType<typeof startGoImportStub>>;
    let proxy: Awaited<ReturnType<typeof startForwardProxy>>;
    let goEnv: Awaited<ReturnType<typeof createGoEnv>>;

    beforeAll(async () => {
      stub = await startGoImportStub(() => [
        { prefix: "go.example.com/tools", content: `go.example.com/tools git ${http.repoUrl(TOOLS_PROJECT)}` },
        { prefix: "go.example.com/sdk", content: `go.example.com/sdk git ${http.repoUrl(SDK_PROJECT)} sdk/go` },
      ]);
      proxy = await startForwardProxy({ upstreams: { "go.example.com": stub.url } });
      goEnv = await createGoEnv({ proxyUrl: proxy.url, insecure: ["go.example.com"] });
    }, TIMEOUT);

    afterAll(async () => {
      await goEnv?.close();
      await proxy?.close();
      await stub?.close();
    });

    it(
      "downloads go.example.com/tools@v1.0.0; the refused CONNECT makes go fall back to http",
      async () => {
        const result = await goEnv.goModDownload("go.example.com/tools@v1.0.0");
        expect(result.code, result.stderr + result.stdout).toBe(0);
        expect(result.info).toMatchObject({ Path: "go.example.com/tools", Version: "v1.0.0" });
        expect(result.info?.Sum).toMatch(/^h1:/);
        expect(proxy.requests).toContainEqual({ method: "CONNECT", host: "go.example.com:443", path: "" });
        expect(proxy.requests).toContainEqual({
          method: "GET",
          host: "go.example.com",
          path: "/tools?go-get=1",
          upstream: stub.url,
        });
      },
      TIMEOUT,
    );

    it(
      "downloads a /v2 subdirectory module and a monorepo subdir module",
      async () => {
        const v2 = await goEnv.goModDownload("go.example.com/tools/v2@v2.0.0");
        expect(v2.code, v2.stderr + v2.stdout).toBe(0);
        const sdk = await goEnv.goModDownload("go.example.com/sdk@v1.0.0");
        expect(sdk.code, sdk.stderr + sdk.stdout).toBe(0);
        expect(sdk.info?.Version).toBe("v1.0.0");
      },
      TIMEOUT,
    );

    it(
      "go get + go run a package",
      async () => {
        const mainGo = 'package main\n\nimport (\n\t"fmt"\n\n\t"go.example.com/tools/v2/greet"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n';
        const result = await goEnv.goGetAndRun({ pkg: "go.example.com/tools/v2/greet", version: "v2.0.0", mainGo });
        expect(result.get.code, result.get.stderr).toBe(0);
        expect(result.run?.stdout).toBe("hello from tools v2\n");
        expect(await readFile(join(result.dir, "go.mod"), "utf8")).toContain("go.example.com/tools/v2 v2.0.0");
      },
      TIMEOUT,
    );

    it.skipIf(!haveSsh)(
      "downloads over ssh with the harness key",
      async () => {
        const sshd = await startSshGitServer({ root: repos.dir });
        const sshStub = await startGoImportStub(() => [{ prefix: "go.example.com/tools", content: `go.example.com/tools git ${sshd.repoUrl(TOOLS_PROJECT)}` }]);
        const sshProxy = await startForwardProxy({ defaultUpstream: sshStub.url });
        const sshGo = await createGoEnv({ proxyUrl: sshProxy.url, insecure: ["go.example.com"], env: sshd.gitEnv() });
        try {
          const result = await sshGo.goModDownload("go.example.com/tools@v1.0.0");
          expect(result.code, result.stderr + result.stdout + sshd.log()).toBe(0);
        } finally {
          await sshGo.close();
          await sshProxy.close();
          await sshStub.close();
          await sshd.close();
        }
      },
      TIMEOUT,
    );
  });
});
