// The go command against a running modgate, over real git: one suite, run
// against the Node server (node.e2e.test.ts) and the Worker in workerd
// (worker.e2e.test.ts). Repositories sit at GitLab-like nested paths, served
// over git smart HTTP (the "GitLab" https URL) and sshd (the ssh URL).
import { writeFile } from "node:fs/promises";
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
  startForwardProxy,
  startGitHttpServer,
  startSshGitServer,
  type ForwardProxy,
  type GitHttpServer,
  type GoEnv,
  type RepoRoot,
  type SshGitServer,
} from "./harness/index.js";
import type { RunningModgate } from "./harness/modgate.js";
import { download as goDownload, getAndRun as goGetAndRun, greeter } from "./go-programs.js";

const VANITY_HOSTS = ["go.example.com", "go.other.org"];

async function makeRepositories(root: string): Promise<void> {
  // A module three groups deep, with a package deep inside and a /v2 major version subdirectory.
  await makeRepo(root, "platform/devtools/tools", {
    files: {
      "go.mod": goMod("go.example.com/tools"),
      "pkg/deep/x/x.go": greeter("x", "tools v1 deep package"),
      "greet/greet.go": greeter("greet", "tools v1"),
      "v2/go.mod": goMod("go.example.com/tools/v2"),
      "v2/greet/greet.go": greeter("greet", "tools v2"),
    },
    tags: ["v1.0.0", "v2.0.0"],
  });
  await makeRepo(root, "platform/libs/strutil", {
    files: { "go.mod": goMod("go.example.com/libs/strutil"), "strutil.go": greeter("strutil", "libs strutil") },
    tags: ["v1.2.3"],
  });
  await makeRepo(root, "platform/secure/vault", {
    files: { "go.mod": goMod("go.example.com/vault"), "vault.go": greeter("vault", "vault over ssh") },
    tags: ["v0.3.0"],
  });
  await makeRepo(root, "acme/x", {
    files: { "go.mod": goMod("go.other.org/x"), "x.go": greeter("x", "other host") },
    tags: ["v1.0.0"],
  });
  await makeRepo(root, "platform/mono", {
    files: {
      "README.md": "# monorepo\n",
      "sdk/go/go.mod": goMod("go.example.com/sdk"),
      "sdk/go/sdk.go": greeter("sdk", "sdk from a subdirectory"),
    },
    tags: ["sdk/go/v1.4.0"],
  });
}

function configYaml(http: GitHttpServer, ssh: SshGitServer): string {
  const port = Number(new URL(http.baseUrl).port);
  return `gitlab:
  url: ${http.baseUrl}
  transport: https
  ssh:
    user: ${ssh.sshUser}
    host: 127.0.0.1
    port: ${ssh.port}
cacheMaxAge: 60
modules:
  - path: go.example.com/tools
    project: platform/devtools/tools
  - path: go.example.com/libs/{name}
    project: platform/libs/{name}
  - path: go.example.com/vault
    project: platform/secure/vault
    transport: ssh
    private: true
  - path: go.example.com/sdk
    project: platform/mono
    subdir: sdk/go
  - path: go.other.org/x
    repo: http://127.0.0.1:${port}/acme/x.git
`;
}

/**
 * Registers the go-get suite. `start` launches modgate on a config file and
 * returns where it listens.
 */
export function describeGoGet(name: string, start: (configPath: string) => Promise<RunningModgate>): void {
  const haveTools = requireTools("go", "git", "git-http-backend", "sshd", "ssh", "ssh-keygen");

  describe.skipIf(!haveTools)(name, () => {
    let repos: RepoRoot;
    let http: GitHttpServer;
    let ssh: SshGitServer;
    let modgate: RunningModgate;
    let proxy: ForwardProxy;
    let go: GoEnv;
    let configDir: string;

    beforeAll(async () => {
      repos = await createRepoRoot();
      await makeRepositories(repos.dir);
      http = await startGitHttpServer({ root: repos.dir });
      ssh = await startSshGitServer({ root: repos.dir });
      configDir = await makeTempDir("config");
      const configPath = join(configDir, "modgate.yaml");
      await writeFile(configPath, configYaml(http, ssh));
      modgate = await start(configPath);
      proxy = await startForwardProxy({ defaultUpstream: modgate.url });
      go = await createGoEnv({ proxyUrl: proxy.url, insecure: VANITY_HOSTS, env: ssh.gitEnv() });
    });

    afterAll(async () => {
      await Promise.allSettled([modgate?.close(), proxy?.close(), http?.close(), ssh?.close()]);
      await Promise.allSettled([go?.close(), repos?.close(), configDir && removeDir(configDir)]);
    });

    const getAndRun = (pkg: string, version: string) => goGetAndRun(go, pkg, version, () => modgate.output());
    const download = (moduleAtVersion: string) => goDownload(go, moduleAtVersion);

    it("downloads a module whose project sits in nested subgroups", async () => {
      const info = await download("go.example.com/tools@v1.0.0");
      expect(info.Version).toBe("v1.0.0");
      expect(info.Sum).toMatch(/^h1:/);
      // The discovery went through modgate under the vanity host.
      expect(proxy.requests.some((r) => r.host === "go.example.com" && r.path === "/tools?go-get=1")).toBe(true);
    });

    it("go get + go run of a package deep inside the module", async () => {
      expect(await getAndRun("go.example.com/tools/pkg/deep/x", "v1.0.0")).toBe("tools v1 deep package");
    });

    it("finds /v2 through the repository root tag", async () => {
      expect(await getAndRun("go.example.com/tools/v2/greet", "v2.0.0")).toBe("tools v2");
    });

    it("serves a project picked by a template variable", async () => {
      expect(await getAndRun("go.example.com/libs/strutil", "v1.2.3")).toBe("libs strutil");
    });

    it("clones over ssh:// with a non-default port", async () => {
      const before = ssh.log().length;
      expect(await getAndRun("go.example.com/vault", "v0.3.0")).toBe("vault over ssh");
      // git really came through sshd.
      expect(ssh.log().slice(before)).toMatch(/Accepted publickey/);
    });

    it("serves a second vanity host with a repo: URL", async () => {
      expect(await getAndRun("go.other.org/x", "v1.0.0")).toBe("other host");
    });

    it("serves a module from a repository subdirectory (4-field tag)", async () => {
      expect(await getAndRun("go.example.com/sdk", "v1.4.0")).toBe("sdk from a subdirectory");
    });

    it("an unknown module fails discovery", async () => {
      const result = await go.goModDownload("go.example.com/nothing/here@v1.0.0");
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/404 Not Found|unrecognized import path/);
    });
  });
}
