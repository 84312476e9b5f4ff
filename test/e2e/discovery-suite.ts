// GitLab discovery end to end (issue 4): the real go command against modgate
// with a group rule, modgate asking the GitLab stand-in's REST API with a
// token, git cloning from the stand-in (https) or sshd (ssh). One suite, run
// against the Node server (discovery-node.e2e.test.ts) and the Worker in
// workerd (discovery-worker.e2e.test.ts).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createGoEnv,
  createRepoRoot,
  goMod,
  httpRequest,
  LOOPBACK,
  makeRepo,
  makeTempDir,
  removeDir,
  requireTools,
  startForwardProxy,
  startGitLabStandIn,
  startResponseTap,
  startSshGitServer,
  type ForwardProxy,
  type GitLabStandIn,
  type GoEnv,
  type RepoRoot,
  type ResponseTap,
  type RunningModgate,
  type SshGitServer,
} from "./harness/index.js";
import { download, getAndRun, greeter } from "./go-programs.js";
import { callsPerPath, walkCalls } from "../contract/discovery-cases.js";
import { discoveryConfig, HOST, importPathOf, PINNED_IMPORT, PROJECT, randomToken, STAND_IN_PROJECTS, unseen } from "../contract/discovery-fixtures.js";
import { goImports } from "../contract/meta.js";

/** Seconds: short, so the outage case can outwait it. */
const CACHE_TTL = 2;
/**
 * Seconds an API call may take; the slow stand-in takes far longer. Every other answer, the
 * burst's 300 ms ones included, must come within it on a busy machine: 1 s left 700 ms of slack.
 */
const API_TIMEOUT = 3;

/** One repository per project the go command fetches; each go.mod names the import path it is served under. */
async function makeRepositories(root: string): Promise<void> {
  const module = (project: string, importPath: string, files: Record<string, string>, tag: string, branch?: string) =>
    makeRepo(root, project, { files: { "go.mod": goMod(importPath), ...files }, tags: [tag], ...(branch ? { branch } : {}) });
  await module(PROJECT.deep, importPathOf(PROJECT.deep), { "pkg/y/y.go": greeter("y", "oss a/b/c pkg/y") }, "v1.0.0");
  await module(PROJECT.shallow, importPathOf(PROJECT.shallow), { "lib.go": greeter("lib", "oss a/lib") }, "v0.2.0");
  await module(PROJECT.secret, importPathOf(PROJECT.secret), { "secret.go": greeter("secret", "private over ssh") }, "v0.1.0", "trunk");
  // Moved in GitLab; its module path stays the import path it was published under.
  await module(PROJECT.moved, importPathOf(PROJECT.movedFrom), { "old.go": greeter("oldname", "moved project") }, "v1.1.0");
  await module(PROJECT.steady, importPathOf(PROJECT.steady), { "steady.go": greeter("steady", "steady") }, "v1.0.0");
  await module(PROJECT.pinned, PINNED_IMPORT, { "pinned.go": greeter("pinned", "static rule") }, "v1.0.0");
}

export type StartModgate = (configPath: string, token: string) => Promise<RunningModgate>;

export function describeDiscovery(name: string, start: StartModgate): void {
  const haveTools = requireTools("go", "git", "git-http-backend", "sshd", "ssh", "ssh-keygen");

  describe.skipIf(!haveTools)(name, () => {
    const token = randomToken();
    let repos: RepoRoot;
    let lab: GitLabStandIn;
    let ssh: SshGitServer;
    let modgate: RunningModgate;
    let tap: ResponseTap;
    let proxy: ForwardProxy;
    let go: GoEnv;
    let configDir: string;

    beforeAll(async () => {
      repos = await createRepoRoot();
      await makeRepositories(repos.dir);
      lab = await startGitLabStandIn({ root: repos.dir, token, projects: STAND_IN_PROJECTS });
      ssh = await startSshGitServer({ root: repos.dir });
      configDir = await makeTempDir("discovery-config");
      const configPath = join(configDir, "modgate.yaml");
      const config = discoveryConfig({
        gitlabUrl: lab.url,
        ssh: { user: ssh.sshUser, host: LOOPBACK, port: ssh.port },
        apiTimeout: API_TIMEOUT,
        cacheTtl: CACHE_TTL,
        negativeCacheTtl: CACHE_TTL,
      });
      await writeFile(configPath, config);
      modgate = await start(configPath, token);
      // Everything modgate sends goes through the tap, which keeps it for the token check.
      tap = await startResponseTap(modgate.url);
      proxy = await startForwardProxy({ defaultUpstream: tap.url });
      go = await newGoEnv();
    });

    afterEach(() => lab?.setMode("ok"));

    afterAll(async () => {
      await Promise.allSettled([modgate?.close(), proxy?.close(), tap?.close(), lab?.close(), ssh?.close()]);
      await Promise.allSettled([go?.close(), repos?.close(), configDir && removeDir(configDir)]);
    });

    /** A go command with its own, empty module cache, reaching modgate through the proxy. */
    function newGoEnv(): Promise<GoEnv> {
      return createGoEnv({ proxyUrl: proxy.url, insecure: [HOST], env: ssh.gitEnv() });
    }

    const diagnostics = () => `modgate:\n${modgate.output()}\nsshd:\n${ssh.log()}`;

    /** What modgate answers the go command's discovery request for http://go.example.com<path>?go-get=1. */
    async function goGet(path: string) {
      const response = await httpRequest(tap.url, { path: `${path}?go-get=1`, host: HOST });
      const body = response.body.toString("utf8");
      return { status: response.status, type: response.headers["content-type"], body, goImports: goImports(body) };
    }

    const https = (project: string) => `${lab.url}/${project}.git`;

    it("go get + go run of a package in a project three subgroups deep", async () => {
      expect(await getAndRun(go, "go.example.com/oss/a/b/c/pkg/y", "v1.0.0", diagnostics)).toBe("oss a/b/c pkg/y");
      const answer = await goGet("/oss/a/b/c/pkg/y");
      expect(answer.goImports).toEqual([`go.example.com/oss/a/b/c git ${https(PROJECT.deep)}`]);
      // git cloned the project from "GitLab", as the go-import tag said.
      expect(lab.gitRequests.some((r) => r.project === PROJECT.deep && r.status === 200)).toBe(true);
      expect(proxy.requests.some((r) => r.host === HOST && r.path === "/oss/a/b/c/pkg/y?go-get=1")).toBe(true);
    });

    it("go get of a shallower project beside a deeper one", async () => {
      expect(await getAndRun(go, "go.example.com/oss/a/lib", "v0.2.0", diagnostics)).toBe("oss a/lib");
      expect((await goGet("/oss/a/lib/sub")).goImports).toEqual([`go.example.com/oss/a/lib git ${https(PROJECT.shallow)}`]);
    });

    it("finds a private project with the token and clones it over ssh (transport auto)", async () => {
      const answer = await goGet("/oss/secret");
      expect(answer.goImports).toEqual([`go.example.com/oss/secret git ssh://${ssh.sshUser}@127.0.0.1:${ssh.port}/${PROJECT.secret}.git`]);
      const sshLogBefore = ssh.log().length;
      expect(await getAndRun(go, "go.example.com/oss/secret", "v0.1.0", diagnostics)).toBe("private over ssh");
      expect(ssh.log().slice(sshLogBefore)).toMatch(/Accepted publickey/);
      // Not over http: the stand-in would have wanted credentials the go command does not have.
      expect(lab.gitRequests.filter((r) => r.project === PROJECT.secret)).toEqual([]);
    });

    it("serves a moved project under its old import path with the new repository", async () => {
      expect((await goGet("/oss/old-name")).goImports).toEqual([`go.example.com/oss/old-name git ${https(PROJECT.moved)}`]);
      const before = lab.gitRequests.length;
      expect(await getAndRun(go, "go.example.com/oss/old-name", "v1.1.0", diagnostics)).toBe("moved project");
      const fetched = lab.gitRequests.slice(before).filter((r) => r.status === 200);
      expect(fetched.length).toBeGreaterThan(0);
      expect(fetched.every((r) => r.project === PROJECT.moved && r.url.startsWith(`/${PROJECT.moved}.git/`))).toBe(true);
    });

    it("an unknown path: go fails, modgate answers 404 (not 503)", async () => {
      const result = await go.goModDownload("go.example.com/oss/nope/at/all@v1.0.0");
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/404 Not Found|unrecognized import path/);
      const answer = await goGet("/oss/nope/at/all");
      expect(answer.status).toBe(404);
      expect(answer.type).toBe("text/plain; charset=utf-8");
      expect(answer.goImports).toEqual([]);
    });

    it("a static project rule inside the group path makes no API calls", async () => {
      const before = lab.apiCalls.length;
      expect(await getAndRun(go, PINNED_IMPORT, "v1.0.0", diagnostics)).toBe("static rule");
      expect((await goGet("/oss/pinned")).goImports).toEqual([`${PINNED_IMPORT} git ${https(PROJECT.pinned)}`]);
      expect(lab.apiCalls.slice(before)).toEqual([]);
      expect(proxy.requests.some((r) => r.path === "/oss/pinned?go-get=1")).toBe(true);
    });

    it("never looks up anything outside the group, whatever the raw request path", async () => {
      const hostile = ["/oss/../elsewhere/pinned", "/oss/%2e%2e/elsewhere/pinned", "/oss/a%2Fb%2Fc", "/oss/./a/b/c", "/oss//a/b/c", "/oss/a/b/c/../../../../x"];
      const before = lab.apiCalls.length;
      const answers = await Promise.all(hostile.map((p) => goGet(p)));
      for (const [i, answer] of answers.entries()) {
        for (const content of answer.goImports) expect(content, hostile[i]).toMatch(/^go\.example\.com\/oss\/[^ ]+ git /);
      }
      for (const call of lab.apiCalls.slice(before)) {
        expect(call.id.startsWith("platform/oss/"), call.id).toBe(true);
        expect(
          call.id.split("/").filter((e) => e === "" || e === "." || e === ".."),
          call.id,
        ).toEqual([]);
      }
    });

    it("a burst of concurrent requests for one package costs one API call per candidate path", async () => {
      // Slow answers keep every call in flight while the burst arrives.
      lab.setMode("slow", 300);
      const before = lab.apiCalls.length;
      const answers = await Promise.all(Array.from({ length: 30 }, () => goGet("/oss/burst/x/y/pkg/z")));
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      expect(new Set(answers.map((a) => a.goImports.join()))).toEqual(new Set([`go.example.com/oss/burst/x/y git ${https(PROJECT.burst)}`]));
      // Groups burst and burst/x, then the project burst/x/y: one call per route, whatever the burst.
      expect(callsPerPath(lab.apiCalls.slice(before))).toEqual(walkCalls("burst/x/y"));
    });

    it("GitLab down: a module looked up before still downloads; an unknown path gets 503", async () => {
      await download(go, "go.example.com/oss/steady@v1.0.0", diagnostics);
      lab.setMode("down");
      await sleep(CACHE_TTL * 1000 + 500); // past the TTL: modgate must ask GitLab again
      const before = lab.apiCalls.length;
      const fresh = await newGoEnv(); // an empty module cache, so the go command asks modgate again
      try {
        const info = await download(fresh, "go.example.com/oss/steady@v1.0.0", diagnostics);
        expect(info.Version).toBe("v1.0.0");
      } finally {
        await fresh.close();
      }
      // modgate did ask, GitLab failed, and the stale answer was served.
      expect(lab.apiCalls.slice(before)).toContainEqual(expect.objectContaining({ id: PROJECT.steady, status: 500 }));

      const unknown = await goGet(`/oss/${unseen("never")}/x`);
      expect(unknown.status).toBe(503);
      expect(unknown.type).toBe("text/plain; charset=utf-8");
      expect(unknown.body).toBe("service unavailable: GitLab is unavailable; try again later\n");
    });

    it("GitLab slower than apiTimeout: 503, not a hang", { timeout: 30_000 }, async () => {
      lab.setMode("slow", 20_000);
      const answer = await goGet(`/oss/${unseen("slow")}/pkg`);
      expect(answer.status).toBe(503);
      expect(answer.body).toMatch(/GitLab/);
    });

    // Last: it checks everything the cases above made modgate send and print.
    it("never sends the token to a client nor prints it", () => {
      expect(tap.responses.length).toBeGreaterThan(20);
      for (const response of tap.responses) {
        expect(response.rawHeaders, `${response.method} ${response.path}`).not.toContain(token);
        expect(response.body.toString("latin1"), `${response.method} ${response.path}`).not.toContain(token);
      }
      expect(modgate.output()).not.toContain(token);
      // modgate did have the token: every API call carried it.
      expect(lab.apiCalls.length).toBeGreaterThan(0);
      expect(lab.apiCalls.filter((c) => c.auth !== "token")).toEqual([]);
    });
  });
}
