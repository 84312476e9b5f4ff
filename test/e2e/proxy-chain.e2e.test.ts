// The go command with modgate first in a GOPROXY chain (issue 10; golang/go#26334, "allow proxies
// to supply only some modules"): `GOPROXY=http://<modgate>,http://<second>`. With `,` the go
// command asks the next entry only after a 404 or 410 (modfetch/proxy.go TryProxies), so:
// modgate's modules must come from modgate alone; everything else must get modgate's 404 and fall
// through; GitLab failing must be a 5xx, which ends the look-up, so a module path modgate owns is
// never sent on to the next proxy because GitLab had a bad moment.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModuleZip } from "../../src/proxy/zip/module-zip.js";
import { bytesFile } from "../../src/proxy/zip/file.js";
import {
  createGoEnv,
  createRepoRoot,
  goMod,
  httpRequest,
  makeRepo,
  makeTempDir,
  removeDir,
  requireTools,
  startForwardProxy,
  startGitLabStandIn,
  startModgateNode,
  type ForwardProxy,
  type GitLabStandIn,
  type RepoRoot,
  type RunningModgate,
} from "./harness/index.js";
import { startFileProxy, writeProxyModule, type FileProxy } from "./harness/file-proxy.js";
import { greeter } from "./go-programs.js";

const HOST = "go.example.com";
const TOKEN = "glpat-proxy-chain-test-token";
const OTHER = "example.org/other";

async function zipBytes(modulePath: string, version: string, files: Record<string, string>): Promise<Uint8Array> {
  const zip = createModuleZip({ modulePath, version, files: Object.entries(files).map(([p, c]) => bytesFile(p, c)) });
  return new Uint8Array(await new Response(zip.stream).arrayBuffer());
}

describe.skipIf(!requireTools("go", "git"))("GOPROXY=modgate,second: modgate supplies only its own modules", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  let modgate: RunningModgate;
  let second: FileProxy;
  let refusing: ForwardProxy;
  let dir: string;

  beforeAll(async () => {
    repos = await createRepoRoot();
    await makeRepo(repos.dir, "platform/tools", {
      files: { "go.mod": goMod(`${HOST}/tools`), "tools.go": greeter("tools", "tools from modgate") },
      tags: ["v1.0.0"],
    });
    for (const p of ["fresh", "busy"]) {
      await makeRepo(repos.dir, `platform/${p}`, { files: { "go.mod": goMod(`${HOST}/${p}`), "x.go": greeter(p, p) }, tags: ["v1.0.0"] });
    }
    await makeRepo(repos.dir, "platform/oss/lib", { files: { "go.mod": goMod(`${HOST}/oss/lib`), "lib.go": greeter("lib", "lib") }, tags: ["v1.0.0"] });
    lab = await startGitLabStandIn({
      root: repos.dir,
      token: TOKEN,
      projects: ["tools", "fresh", "busy", "oss/lib"].map((p) => ({ path: `platform/${p}`, visibility: "public" as const })),
    });
    dir = await makeTempDir("proxy-chain");
    const config = join(dir, "modgate.yaml");
    await writeFile(
      config,
      `gitlab:\n  url: ${lab.url}\n  token: ${TOKEN}\nproxy:\n  enabled: true\n  cacheDir: ${join(dir, "store")}\nmodules:\n` +
        ["tools", "fresh", "busy"].map((p) => `  - path: ${HOST}/${p}\n    project: platform/${p}\n`).join("") +
        `  - path: ${HOST}/oss\n    group: platform/oss\n`,
    );
    modgate = await startModgateNode(config);
    const secondDir = join(dir, "second");
    await mkdir(secondDir);
    const otherMod = goMod(OTHER);
    await writeProxyModule(secondDir, OTHER, {
      version: "v1.0.0",
      time: "2024-01-02T03:04:05Z",
      goMod: otherMod,
      zip: await zipBytes(OTHER, "v1.0.0", { "go.mod": otherMod, "other.go": greeter("other", "other from the second proxy") }),
    });
    second = await startFileProxy(secondDir);
    // Stands for "no route to sum.golang.org": CONNECT is refused.
    refusing = await startForwardProxy();
  });

  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), second?.close(), refusing?.close(), lab?.close()]);
    await Promise.allSettled([repos?.close(), dir && removeDir(dir)]);
  });

  const chainEnv = (extra: Record<string, string> = {}) => createGoEnv({ env: { GOPROXY: `${modgate.url},${second.url}`, ...extra } });
  const context = () => `\nmodgate:\n${modgate.output().slice(-2000)}\nsecond proxy asked: ${second.requests.map((r) => `${r.path} ${r.status}`).join(", ")}`;

  it("builds and runs a program using a module of modgate and one of the second proxy", async () => {
    const go = await chainEnv();
    try {
      const main = join(go.dir, "main");
      await mkdir(main);
      await writeFile(join(main, "go.mod"), "module e2e.test/main\n\ngo 1.21\n");
      await writeFile(
        join(main, "main.go"),
        `package main\n\nimport (\n\t"fmt"\n\n\t"${HOST}/tools"\n\t"${OTHER}"\n)\n\nfunc main() { fmt.Println(tools.Hello() + ", " + other.Hello()) }\n`,
      );
      const get = await go.go(["get", `${HOST}/tools@v1.0.0`, `${OTHER}@v1.0.0`], main);
      expect(get.code, get.stderr + context()).toBe(0);
      const run = await go.go(["run", "."], main);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe("tools from modgate, other from the second proxy");
    } finally {
      await go.close();
    }
    // modgate answered for its module: a 404 there would have sent the path on to the second.
    expect(second.requestsFor(`${HOST}/tools`), context()).toEqual([]);
    // The other host's module fell through on modgate's 404 and came from the second proxy.
    expect(second.requestsFor(OTHER).map((r) => r.path)).toEqual(
      expect.arrayContaining([`/${OTHER}/@v/v1.0.0.info`, `/${OTHER}/@v/v1.0.0.mod`, `/${OTHER}/@v/v1.0.0.zip`]),
    );
    const other = await httpRequest(modgate.url, { path: `/${OTHER}/@v/v1.0.0.info` });
    expect(other.status).toBe(404);
    expect(other.body.toString()).toBe(`not found: ${OTHER}: no modules are served for example.org\n`);
  });

  // A group rule with no such project is 401 without a credential (no existence oracle, README
  // "What the proxy promises"): the chain stops there, as for a private module.
  it("a group rule with no such project, asked without a credential: the private module's 401, the chain stops", async () => {
    const modulePath = `${HOST}/oss/nothing`;
    const before = second.requestsFor(modulePath).length;
    const chained = await chainEnv();
    try {
      const r = await chained.goModDownload(`${modulePath}@v1.0.0`);
      expect(r.code).not.toBe(0);
      expect(`${r.info?.Error ?? ""}${r.stderr}`).toMatch(/401 Unauthorized[\s\S]*go\.example\.com\/oss\/nothing: a private module/);
      expect(second.requestsFor(modulePath).length, context()).toBe(before);
    } finally {
      await chained.close();
    }
  });

  for (const [name, modulePath, reason] of [
    ["a directory of a project that is no module", `${HOST}/tools/notamodule`, /not found: .*notamodule.*unknown revision/],
  ] as const) {
    it(`an owned path that is no module (${name}) gets modgate's 404: the chain goes on, the go command shows the reason`, async () => {
      const before = second.requestsFor(modulePath).length;
      const chained = await chainEnv();
      try {
        const r = await chained.goModDownload(`${modulePath}@v1.0.0`);
        expect(r.code).not.toBe(0);
        // 404 means "not here": the go command asked the second proxy next.
        expect(second.requestsFor(modulePath).length, context()).toBeGreaterThan(before);
      } finally {
        await chained.close();
      }
      // With both entries answering 404 the go command reports the last one's (TryProxies keeps the
      // last not-found error); with modgate alone, its one-line reason is what the user reads.
      const alone = await createGoEnv({ env: { GOPROXY: modgate.url } });
      try {
        const r = await alone.goModDownload(`${modulePath}@v1.0.0`);
        const shown = `${r.info?.Error ?? ""}${r.stderr}`;
        expect(shown).toMatch(/404 Not Found/);
        expect(shown).toMatch(/server response: /);
        expect(shown).toMatch(reason);
      } finally {
        await alone.close();
      }
    });
  }

  it("/sumdb/ is 404: the go command goes on to the next proxy, then to the checksum database itself", async () => {
    const supported = await httpRequest(modgate.url, { path: "/sumdb/sum.golang.org/supported" });
    expect(supported.status).toBe(404);
    expect(supported.headers["content-type"]).toBe("text/plain; charset=utf-8");
    // Offline, sum.golang.org is out of reach (the forward proxy refuses CONNECT): the download
    // fails, but only after modgate's 404 let the go command ask the second proxy too.
    const go = await chainEnv({ GOSUMDB: "sum.golang.org", GONOSUMDB: HOST, HTTPS_PROXY: refusing.url, HTTP_PROXY: refusing.url });
    try {
      const r = await go.goModDownload(`${OTHER}@v1.0.0`);
      expect(
        second.requests.map((q) => q.path),
        context(),
      ).toContain("/sumdb/sum.golang.org/supported");
      expect(`${r.info?.Error ?? ""}${r.stderr}`).toMatch(/sum\.golang\.org/);
      // A module of modgate's, left out of the checksum database by GONOSUMDB, still downloads.
      const own = await go.goModDownload(`${HOST}/tools@v1.0.0`);
      expect(own.code, own.stderr + context()).toBe(0);
    } finally {
      await go.close();
    }
  });

  it("GitLab down: a 502 naming GitLab ends the look-up; the second proxy is not asked", async () => {
    lab.setMode("down");
    const go = await chainEnv();
    try {
      const r = await go.goModDownload(`${HOST}/fresh@v1.0.0`);
      expect(r.code).not.toBe(0);
      expect(`${r.info?.Error ?? ""}${r.stderr}`).toMatch(/502 Bad Gateway[\s\S]*GitLab is unavailable/);
    } finally {
      lab.setMode("ok");
      await go.close();
    }
    expect(second.requestsFor(`${HOST}/fresh`), context()).toEqual([]);
  });

  it("GitLab rate-limiting (429): a 503 with Retry-After ends the look-up; the second proxy is not asked", async () => {
    lab.setMode("status", { status: 429, retryAfter: 30 });
    const go = await chainEnv();
    try {
      const r = await go.goModDownload(`${HOST}/busy@v1.0.0`);
      expect(r.code).not.toBe(0);
      expect(`${r.info?.Error ?? ""}${r.stderr}`).toMatch(/503 Service Unavailable[\s\S]*rate-limiting/);
      const direct = await httpRequest(modgate.url, { path: `/${HOST}/busy/@v/list` });
      expect(direct.status).toBe(503);
      expect(direct.headers["retry-after"]).toMatch(/^\d+$/);
      expect(direct.headers["content-type"]).toBe("text/plain; charset=utf-8");
    } finally {
      lab.setMode("ok");
      await go.close();
    }
    expect(second.requestsFor(`${HOST}/busy`), context()).toEqual([]);
  });

  it("GitLab answering 500 to a group rule’s look-up: a 5xx naming GitLab, never a 404", async () => {
    lab.setMode("status", { status: 500 });
    try {
      const r = await httpRequest(modgate.url, { path: `/${HOST}/oss/lib/@v/list` });
      expect(r.status).toBeGreaterThanOrEqual(500);
      expect(r.status).toBeLessThan(600);
      expect(r.body.toString()).toMatch(/GitLab/);
    } finally {
      lab.setMode("ok");
    }
  });
});
