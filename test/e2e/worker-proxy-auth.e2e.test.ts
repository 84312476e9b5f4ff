// Private modules through the proxy on the Worker (issue 12), end to end: the
// scenarios of proxy-auth.e2e.test.ts against `npm run dev:worker` (workerd),
// with modgate's GitLab token a Worker secret. The real go command with no git
// on its PATH reaches https://go.example.com (TLS terminator in front of the
// Worker, the forward proxy's CONNECT, the throwaway CA), sends its .netrc
// credential, and gets exactly what GitLab lets that credential read; the h1
// sums equal those `modgate serve` on Node gives for the same module.
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGoEnv,
  httpRequest,
  makeTempDir,
  pathWithoutGit,
  removeDir,
  requireTools,
  startHttpsFront,
  startModgateNode,
  startModgateWorker,
  writeNetrc,
  type GitlessPath,
  type GoEnv,
  type HttpsFront,
  type RunningModgate,
} from "./harness/index.js";
import { CLIENT_TOKENS as T, DEPLOY_USER, PRIVATE_HOST as HOST, startPrivateModulesLab, type PrivateModulesLab } from "./harness/private-modules-lab.js";

const SERVER_TOKEN = "glpat-modgate-worker-secret-0123456789";
/** Short, so the revoked-token case waits little; long enough for one `go mod download` to run inside it. */
const AUTH_TTL = 3;

describe.skipIf(!requireTools("go", "git", "git-http-backend", "openssl"))("private modules through the proxy on the Worker, no git on the client", () => {
  let lab: PrivateModulesLab;
  let worker: RunningModgate;
  let node: RunningModgate;
  let front: HttpsFront;
  let nodeFront: HttpsFront;
  let gitless: GitlessPath;
  let dir: string;
  const envs: GoEnv[] = [];
  /** Everything the go command printed, searched for secrets at the end. */
  const goOutput: string[] = [];

  beforeAll(async () => {
    lab = await startPrivateModulesLab(SERVER_TOKEN);
    dir = await makeTempDir("worker-proxy-auth");
    // One config for both: the token a reference, read from the Worker's secret and from Node's env.
    const configPath = await lab.writeConfig(dir, "${GITLAB_TOKEN}", AUTH_TTL, `  cacheDir: ${join(dir, "node-store")}`);
    // A Cache API of its own, so no earlier run's versions answer for this one.
    const persist = join(dir, "wrangler-state");
    await mkdir(persist);
    worker = await startModgateWorker(configPath, {}, { GITLAB_TOKEN: SERVER_TOKEN }, ["--persist-to", persist]);
    node = await startModgateNode(configPath, { GITLAB_TOKEN: SERVER_TOKEN });
    front = await startHttpsFront({ upstream: worker.url, names: [HOST] });
    nodeFront = await startHttpsFront({ upstream: node.url, names: [HOST] });
    gitless = await pathWithoutGit();
  });

  afterAll(async () => {
    await Promise.allSettled([worker?.close(), node?.close(), front?.close(), nodeFront?.close()]);
    await Promise.allSettled([...envs.map((e) => e.close()), gitless?.close(), lab?.close(), dir && removeDir(dir)]);
  });

  /** A go command with no git on its PATH, a fresh module cache, and .netrc holding `login`/`password` for go.example.com. */
  async function client(
    credential: { login: string; password: string } | undefined,
    extra: Record<string, string> = {},
    via: HttpsFront = front,
  ): Promise<GoEnv> {
    const env = await createGoEnv({
      env: { PATH: gitless.PATH, ...via.goEnv(), GOPROXY: `https://${HOST}`, GONOSUMDB: HOST, GOFLAGS: "-mod=mod -modcacherw", ...extra },
    });
    envs.push(env);
    if (credential) await writeNetrc(env.home, { machine: HOST, ...credential });
    return env;
  }

  async function download(env: GoEnv, moduleAtVersion: string) {
    const r = await env.goModDownload(moduleAtVersion);
    goOutput.push(r.stdout, r.stderr);
    return r;
  }

  async function cached(env: GoEnv): Promise<string[]> {
    try {
      return await readdir(join(env.env.GOMODCACHE!, "cache", "download", HOST, "team"));
    } catch {
      return [];
    }
  }

  /** What went wrong, with the Worker's last words, for failure messages. */
  const why = (r: { stdout: string; stderr: string }) => `${r.stdout}${r.stderr}\nworker: ${worker.output().slice(-1500)}`;

  it("has no git on the client PATH", async () => {
    const env = await client(undefined);
    const r = await env.go(["env", "GOVERSION"]);
    expect(r.code).toBe(0);
    expect(env.env.PATH).toBe(gitless.PATH);
  });

  it("downloads a private module with a personal access token, builds a program with it, and gets the h1 sums Node gives", async () => {
    const env = await client({ login: "alice", password: T.alice });
    const r = await download(env, `${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error, why(r)).toBeUndefined();
    expect(r.info?.Sum).toMatch(/^h1:/);
    const fromNode = await download(await client({ login: "alice", password: T.alice }, {}, nodeFront), `${HOST}/team/lib@v1.0.0`);
    expect(fromNode.info?.Error, fromNode.stderr).toBeUndefined();
    expect({ Sum: r.info?.Sum, GoModSum: r.info?.GoModSum }).toEqual({ Sum: fromNode.info?.Sum, GoModSum: fromNode.info?.GoModSum });
    const run = await env.goGetAndRun({
      pkg: `${HOST}/team/lib`,
      version: "v1.0.0",
      mainGo: `package main\n\nimport (\n\t"fmt"\n\n\tlib "${HOST}/team/lib"\n)\n\nfunc main() { fmt.Println(lib.Name) }\n`,
    });
    expect(run.get.code, why(run.get)).toBe(0);
    expect(run.run?.stdout.trim()).toBe("lib");
  });

  it("downloads with a CI job token whose project is on the module project's allowlist", async () => {
    const env = await client({ login: "gitlab-ci-token", password: T.jobApp });
    const r = await download(env, `${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error, why(r)).toBeUndefined();
  });

  it("refuses a job token of a project not on the allowlist with 403, and caches nothing", async () => {
    const env = await client({ login: "gitlab-ci-token", password: T.jobOther });
    const r = await download(env, `${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error ?? r.stderr).toMatch(/403 Forbidden[\s\S]*GitLab does not let this token read the module's repository/);
    expect(await cached(env)).toEqual([]);
  });

  it("downloads with a deploy token (its own login)", async () => {
    const env = await client({ login: DEPLOY_USER, password: T.deploy });
    const r = await download(env, `${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error, why(r)).toBeUndefined();
  });

  it("without a token the go command fails and shows modgate's 401 reason", async () => {
    const env = await client(undefined);
    const r = await download(env, `${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error ?? r.stderr).toMatch(/401 Unauthorized[\s\S]*server response: go\.example\.com\/team\/lib: a private module: send a GitLab token/);
    expect(await cached(env)).toEqual([]);
  });

  it("a Guest, who sees the project but not its code, gets 403 and nothing of the module", async () => {
    const env = await client({ login: "gina", password: T.gina });
    const r = await download(env, `${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error ?? r.stderr).toMatch(/403 Forbidden/);
    expect(await cached(env)).toEqual([]);
  });

  it("a user without membership gets 403, never 404", async () => {
    const env = await client({ login: "bob", password: T.bob });
    const r = await download(env, `${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error ?? r.stderr).toMatch(/403 Forbidden/);
    expect(r.info?.Error ?? r.stderr).not.toMatch(/404/);
  });

  it("a token GitLab rejects gets 401 with what to do", async () => {
    const env = await client({ login: "alice", password: "glpat-not-a-token-9999" });
    const r = await download(env, `${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error ?? r.stderr).toMatch(
      /401 Unauthorized[\s\S]*GitLab token rejected \(401\); put a token with read_repository in ~\/\.netrc for go\.example\.com/,
    );
  });

  it("a public module needs no credential", async () => {
    const env = await client(undefined);
    const r = await download(env, `${HOST}/pub@v1.2.0`);
    expect(r.info?.Error, why(r)).toBeUndefined();
  });

  it("go get through the Worker's go-import `mod` answer with GOPRIVATE (transport: proxy), no git", async () => {
    const env = await client({ login: "alice", password: T.alice }, { GOPROXY: "direct", GOPRIVATE: HOST, GONOSUMDB: "" });
    const run = await env.goGetAndRun({
      pkg: `${HOST}/team/viamod`,
      version: "v0.1.0",
      mainGo: `package main\n\nimport (\n\t"fmt"\n\n\tv "${HOST}/team/viamod"\n)\n\nfunc main() { fmt.Println(v.Name) }\n`,
    });
    goOutput.push(run.get.stdout, run.get.stderr);
    expect(run.get.code, why(run.get)).toBe(0);
    expect(run.run?.stdout.trim()).toBe("viamod");
    const page = await httpRequest(worker.url, { path: "/team/viamod?go-get=1", host: HOST });
    expect(page.body.toString()).toContain(`content="${HOST}/team/viamod mod https://${HOST}"`);
  });

  it("one access check per credential and project while the decision holds", async () => {
    const before = lab.lab.gitRequests.filter((g) => g.url.includes("/info/refs")).length;
    const env = await client({ login: "alice", password: T.revocable });
    for (const q of ["v1.0.0", "latest"]) {
      const r = await download(env, `${HOST}/team/lib@${q}`);
      expect(r.info?.Error, why(r)).toBeUndefined();
    }
    const checks = lab.lab.gitRequests.filter((g) => g.url.includes("/info/refs")).length - before;
    expect(checks).toBe(1);
  });

  it("a revoked token stops working once the remembered decision expires", async () => {
    const first = await client({ login: "alice", password: T.revocable });
    expect((await download(first, `${HOST}/team/lib@v1.0.0`)).info?.Error).toBeUndefined();
    lab.lab.access.revoke(T.revocable);
    await sleep(AUTH_TTL * 1000 + 200);
    const again = await client({ login: "alice", password: T.revocable });
    const r = await download(again, `${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error ?? r.stderr).toMatch(/401 Unauthorized[\s\S]*GitLab token rejected/);
  });

  it("never puts a client token or the Worker's secret in an answer, a log line or the go command's output", async () => {
    const everything = worker.output() + node.output() + goOutput.join("\n") + JSON.stringify(front.terminator.requests);
    for (const secret of [...Object.values(T), SERVER_TOKEN]) expect(everything).not.toContain(secret);
  });
});
