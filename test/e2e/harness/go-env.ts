import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { run, type RunResult } from "./exec.js";
import { isolatedGitEnv } from "./git-env.js";
import { makeTempDir, removeDir } from "./tmp.js";
import { toolPath } from "./tools.js";

export interface GoEnvOptions {
  /** Vanity hosts (GOINSECURE patterns) the go command may reach over plain http. */
  insecure?: string[];
  /** Forward proxy URL used for both http and https (see forward-proxy.ts). */
  proxyUrl?: string;
  /** Extra variables, e.g. the ssh server's gitEnv() or a test's GOFLAGS override. */
  env?: Record<string, string>;
  /**
   * Build cache. Shared across tests and runs by default because it holds only compiled
   * standard-library and test code, never fetched modules, and rebuilding it costs seconds.
   */
  goCache?: string;
}

export interface GoModDownloadInfo {
  Path: string;
  Version: string;
  Error?: string;
  Info?: string;
  GoMod?: string;
  Zip?: string;
  Dir?: string;
  Sum?: string;
  GoModSum?: string;
}

export interface GoGetAndRunOptions {
  /** Package to import, e.g. `go.example.com/tools/greet`. */
  pkg: string;
  /** Version query passed to `go get pkg@version`: a tag, `latest`, a branch or a commit. */
  version: string;
  /** Source of main.go; by default it imports `pkg` for its side effects and prints `ok`. */
  mainGo?: string;
}

export interface GoGetAndRunResult {
  get: RunResult;
  /** Absent when `go get` failed. */
  run?: RunResult;
  /** Directory of the generated main module, to inspect go.mod and go.sum. */
  dir: string;
}

export interface GoEnv {
  /** Root of this environment's private directories (HOME, GOPATH, GOMODCACHE, work dirs). */
  dir: string;
  home: string;
  /** The complete environment the go command runs with. */
  env: NodeJS.ProcessEnv;
  go(args: string[], cwd?: string): Promise<RunResult>;
  /** `go mod download -json module@version`, run outside any module. */
  goModDownload(moduleAtVersion: string): Promise<RunResult & { info?: GoModDownloadInfo }>;
  /** Creates a throwaway main module importing `pkg`, then runs `go get pkg@version` and `go run .`. */
  goGetAndRun(opts: GoGetAndRunOptions): Promise<GoGetAndRunResult>;
  close(): Promise<void>;
}

export const DEFAULT_GO_CACHE = join(tmpdir(), "modgate-e2e-gocache");

/** Hosts git and the servers under test listen on: never sent through the proxy. */
const NO_PROXY = "127.0.0.1,localhost";

const MAIN_MODULE = "e2e.test/main";

function defaultMainGo(pkg: string): string {
  return `package main\n\nimport (\n\t"fmt"\n\n\t_ "${pkg}"\n)\n\nfunc main() { fmt.Println("ok") }\n`;
}

/**
 * An isolated go command: its own HOME, GOPATH and module cache, no toolchain switching, no
 * module proxy or checksum database (GOPROXY=direct, GOSUMDB=off), so every module comes
 * from the go-import discovery and git under test, and nothing from the developer's setup.
 */
export async function createGoEnv(opts: GoEnvOptions = {}): Promise<GoEnv> {
  const dir = await makeTempDir("go");
  const home = join(dir, "home");
  await mkdir(home);
  // An empty git config in HOME too, for tools that look there despite GIT_CONFIG_GLOBAL.
  await writeFile(join(home, ".gitconfig"), "");
  const proxy = opts.proxyUrl === undefined ? {} : { HTTP_PROXY: opts.proxyUrl, HTTPS_PROXY: opts.proxyUrl };
  const env: NodeJS.ProcessEnv = isolatedGitEnv({
    PATH: [dirname(toolPath("go")), dirname(toolPath("git")), process.env.PATH ?? "/usr/bin:/bin"].join(":"),
    HOME: home,
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    GOENV: "off",
    GOTOOLCHAIN: "local",
    GOPATH: join(dir, "gopath"),
    GOMODCACHE: join(dir, "modcache"),
    GOCACHE: opts.goCache ?? DEFAULT_GO_CACHE,
    GOPROXY: "direct",
    GOSUMDB: "off",
    GOWORK: "off",
    // -modcacherw so close() can delete the module cache without chmod.
    GOFLAGS: "-mod=mod -modcacherw",
    GOINSECURE: (opts.insecure ?? []).join(","),
    CGO_ENABLED: "0",
    ...proxy,
    // Go reads both spellings; curl (inside git) only the lower-case one.
    NO_PROXY,
    no_proxy: NO_PROXY,
    ...opts.env,
  });
  const go = (args: string[], cwd = dir): Promise<RunResult> => run(toolPath("go"), args, { cwd, env });
  let mainModules = 0;

  return {
    dir,
    home,
    env,
    go,
    async goModDownload(moduleAtVersion) {
      const result = await go(["mod", "download", "-json", moduleAtVersion]);
      try {
        return { ...result, info: JSON.parse(result.stdout) as GoModDownloadInfo };
      } catch {
        return result;
      }
    },
    async goGetAndRun({ pkg, version, mainGo }) {
      const main = join(dir, `main${++mainModules}`);
      await mkdir(main);
      await writeFile(join(main, "go.mod"), `module ${MAIN_MODULE}\n\ngo 1.21\n`);
      await writeFile(join(main, "main.go"), mainGo ?? defaultMainGo(pkg));
      const get = await go(["get", `${pkg}@${version}`], main);
      if (get.code !== 0) return { get, dir: main };
      return { get, run: await go(["run", "."], main), dir: main };
    },
    async close() {
      await removeDir(dir);
    },
  };
}
