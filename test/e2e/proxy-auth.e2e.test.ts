// Private modules through the proxy (issue 11), end to end: the real go
// command with no git on its PATH reaches https://go.example.com (a TLS
// terminator in front of `modgate serve`, through the forward proxy's CONNECT,
// the throwaway CA in SSL_CERT_FILE), sends its .netrc credential, and gets
// exactly what GitLab lets that credential read. The GitLab stand-in decides
// access per credential as GitLab does.
import { readdir } from "node:fs/promises";
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
  writeNetrc,
  type GitlessPath,
  type GoEnv,
  type HttpsFront,
  type RunningModgate,
} from "./harness/index.js";
import { CLIENT_TOKENS as T, DEPLOY_USER, PRIVATE_HOST as HOST, startPrivateModulesLab, type PrivateModulesLab } from "./harness/private-modules-lab.js";

const SERVER_TOKEN = "glpat-modgate-server-0123456789";
const AUTH_TTL = 2;

describe.skipIf(!requireTools("go", "git", "git-http-backend", "openssl"))("private modules through the proxy, no git on the client", () => {
  let lab: PrivateModulesLab;
  let modgate: RunningModgate;
  let front: HttpsFront;
  let gitless: GitlessPath;
  let configDir: string;
  const envs: GoEnv[] = [];

  beforeAll(async () => {
    lab = await startPrivateModulesLab(SERVER_TOKEN);
    configDir = await makeTempDir("proxy-auth");
    const configPath = await lab.writeConfig(configDir, SERVER_TOKEN, AUTH_TTL, `  cacheDir: ${join(configDir, "store")}`);
    modgate = await startModgateNode(configPath);
    front = await startHttpsFront({ upstream: modgate.url, names: [HOST] });
    gitless = await pathWithoutGit();
  });

  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), front?.close()]);
    await Promise.allSettled([...envs.map((e) => e.close()), gitless?.close(), lab?.close(), configDir && removeDir(configDir)]);
  });

  /** A go command with no git on its PATH, a fresh module cache, and .netrc holding `login`/`password` for go.example.com. */
  async function client(credential: { login: string; password: string } | undefined, extra: Record<string, string> = {}): Promise<GoEnv> {
    const env = await createGoEnv({
      env: { PATH: gitless.PATH, ...front.goEnv(), GOPROXY: `https://${HOST}`, GONOSUMDB: HOST, GOFLAGS: "-mod=mod -modcacherw", ...extra },
    });
    envs.push(env);
    if (credential) await writeNetrc(env.home, { machine: HOST, ...credential });
    const probe = await env.go(["env", "GOPROXY"]);
    expect(probe.code, probe.stderr).toBe(0);
    return env;
  }

  async function cached(env: GoEnv): Promise<string[]> {
    try {
      return await readdir(join(env.env.GOMODCACHE!, "cache", "download", HOST, "team"));
    } catch {
      return [];
    }
  }

  it("has no git on the client PATH", async () => {
    const env = await client(undefined);
    const r = await env.go(["env", "GOVERSION"]);
    expect(r.code).toBe(0);
    expect(env.env.PATH).toBe(gitless.PATH);
  });

  it("downloads a private module with a personal access token (Basic from .netrc), and builds a program with it", async () => {
    const env = await client({ login: "alice", password: T.alice });
    const r = await env.goModDownload(`${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error, r.stderr).toBeUndefined();
    expect(r.info?.Sum).toMatch(/^h1:/);
    const run = await env.goGetAndRun({
      pkg: `${HOST}/team/lib`,
      version: "v1.0.0",
      mainGo: `package main\n\nimport (\n\t"fmt"\n\n\tlib "${HOST}/team/lib"\n)\n\nfunc main() { fmt.Println(lib.Name) }\n`,
    });
    expect(run.get.code, run.get.stderr).toBe(0);
    expect(run.run?.stdout.trim()).toBe("lib");
  });

  it("downloads with a CI job token whose project is on the module project's allowlist", async () => {
    const env = await client({ login: "gitlab-ci-token", password: T.jobApp });
    const r = await env.goModDownload(`${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error, r.stderr).toBeUndefined();
  });

  it("refuses a job token of a project not on the allowlist with 403, and caches nothing", async () => {
    const env = await client({ login: "gitlab-ci-token", password: T.jobOther });
    const r = await env.goModDownload(`${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error ?? r.stderr).toMatch(/403 Forbidden[\s\S]*GitLab does not let this token read the module's repository/);
    expect(await cached(env)).toEqual([]);
  });

  it("downloads with a deploy token (its own login)", async () => {
    const env = await client({ login: DEPLOY_USER, password: T.deploy });
    const r = await env.goModDownload(`${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error, r.stderr).toBeUndefined();
  });

  it("without a token the go command fails and shows modgate's 401 reason", async () => {
    const env = await client(undefined);
    const r = await env.goModDownload(`${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error ?? r.stderr).toMatch(/401 Unauthorized[\s\S]*server response: go\.example\.com\/team\/lib: a private module: send a GitLab token/);
    expect(await cached(env)).toEqual([]);
  });

  it("a Guest, who sees the project but not its code, gets 403 and nothing of the module", async () => {
    const env = await client({ login: "gina", password: T.gina });
    const r = await env.goModDownload(`${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error ?? r.stderr).toMatch(/403 Forbidden/);
    expect(await cached(env)).toEqual([]);
  });

  it("a user without membership gets 403 (never 404, which would send the path to the next proxy)", async () => {
    const env = await client({ login: "bob", password: T.bob });
    const r = await env.goModDownload(`${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error ?? r.stderr).toMatch(/403 Forbidden/);
    expect(r.info?.Error ?? r.stderr).not.toMatch(/404/);
  });

  it("a token GitLab rejects gets 401 with what to do", async () => {
    const env = await client({ login: "alice", password: "glpat-not-a-token-9999" });
    const r = await env.goModDownload(`${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error ?? r.stderr).toMatch(
      /401 Unauthorized[\s\S]*GitLab token rejected \(401\); put a token with read_repository in ~\/\.netrc for go\.example\.com/,
    );
  });

  it("a public module needs no credential", async () => {
    const env = await client(undefined);
    const r = await env.goModDownload(`${HOST}/pub@v1.2.0`);
    expect(r.info?.Error, r.stderr).toBeUndefined();
  });

  it("go get through the go-import `mod` answer with GOPRIVATE (transport: proxy), no git", async () => {
    const env = await client({ login: "alice", password: T.alice }, { GOPROXY: "direct", GOPRIVATE: HOST, GONOSUMDB: "" });
    const run = await env.goGetAndRun({
      pkg: `${HOST}/team/viamod`,
      version: "v0.1.0",
      mainGo: `package main\n\nimport (\n\t"fmt"\n\n\tv "${HOST}/team/viamod"\n)\n\nfunc main() { fmt.Println(v.Name) }\n`,
    });
    expect(run.get.code, run.get.stderr).toBe(0);
    expect(run.run?.stdout.trim()).toBe("viamod");
    // modgate's go-import answer pointed the go command at the proxy.
    const page = await httpRequest(modgate.url, { path: "/team/viamod?go-get=1", host: HOST });
    expect(page.body.toString()).toContain(`content="${HOST}/team/viamod mod https://${HOST}"`);
  });

  it("one access check per credential and project while the decision holds", async () => {
    const before = lab.lab.gitRequests.filter((g) => g.url.includes("/info/refs")).length;
    const env = await client({ login: "alice", password: T.revocable });
    for (const q of ["v1.0.0", "latest"]) {
      const r = await env.goModDownload(`${HOST}/team/lib@${q}`);
      expect(r.info?.Error, r.stderr).toBeUndefined();
    }
    const checks = lab.lab.gitRequests.filter((g) => g.url.includes("/info/refs")).length - before;
    expect(checks).toBe(1);
  });

  it("a revoked token stops working once the remembered decision expires", async () => {
    const first = await client({ login: "alice", password: T.revocable });
    expect((await first.goModDownload(`${HOST}/team/lib@v1.0.0`)).info?.Error).toBeUndefined();
    lab.lab.access.revoke(T.revocable);
    await sleep(AUTH_TTL * 1000 + 200);
    const again = await client({ login: "alice", password: T.revocable });
    const r = await again.goModDownload(`${HOST}/team/lib@v1.0.0`);
    expect(r.info?.Error ?? r.stderr).toMatch(/401 Unauthorized[\s\S]*GitLab token rejected/);
  });

  it("never puts a client token in an answer, a log line or a metric", async () => {
    const metrics = await httpRequest(modgate.url, { path: "/-/metrics" });
    const everything = modgate.output() + metrics.body.toString() + JSON.stringify(front.terminator.requests);
    for (const secret of [...Object.values(T), SERVER_TOKEN]) expect(everything).not.toContain(secret);
  });
});
