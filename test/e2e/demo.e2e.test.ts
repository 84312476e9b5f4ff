// `npm run demo` as a newcomer runs it (issue 9): the demo comes up as a
// process group, the two environments it prints are read back, and the real go
// command fetches the demo modules under each, from a fresh module, with its
// own HOME and GOPATH: direct (go-import answers, then git) and through
// modgate's module proxy with no git on PATH, with the same h1 sums. Then a
// terminal's Ctrl-C (SIGINT to the whole process group): the demo exits 0,
// nothing of it is left running or listening, and its temp directory is gone.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_GO_CACHE, isolatedGitEnv, makeTempDir, REPO_ROOT, removeDir, requireTools, run, toolPath } from "./harness/index.js";

const HAVE_TOOLS = requireTools("go", "git", "git-http-backend");
const READY = "modgate's log follows.";
/** Where the banner's second environment (the module proxy's) starts and ends. */
const PROXY_SECTION = "2. Through modgate's module proxy, with no git on PATH";
const DIFFERS = "What differs: ";
const MODULE = "go.example.com/greet";

interface Demo {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm run demo` in its own process group, as a shell would start it in a terminal. */
function startDemo(): Demo {
  const env = { ...process.env };
  // Nothing of the caller's modgate or proxy settings may leak in.
  for (const name of ["MODGATE_CONFIG", "PORT", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"]) delete env[name];
  const child = spawn("npm", ["run", "demo"], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (output += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

async function waitForOutput(demo: Demo, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!demo.output().includes(text)) {
    if (demo.child.exitCode !== null || demo.child.signalCode !== null) throw new Error(`the demo exited early:\n${demo.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} within ${timeoutMs} ms:\n${demo.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The `export NAME=value  # why` lines, values unquoted as sh would. */
function parseExports(output: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of output.split("\n")) {
    const m = /^export ([A-Za-z_][A-Za-z0-9_]*)=('(?:[^']|'\\'')*'|\S*)(?:\s+#.*)?$/.exec(line);
    if (!m) continue;
    const raw = m[2]!;
    env[m[1]!] = raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
  }
  return env;
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `go mod download -json` output: the fields both environments must agree on. */
interface Download {
  Version: string;
  Sum: string;
  GoModSum: string;
}

describe.skipIf(!HAVE_TOOLS)("npm run demo", () => {
  let demo: Demo;
  let dir: string;
  let banner: string;
  /** The direct environment (env.sh) and the module proxy's (env-proxy.sh), as printed. */
  let printed: Record<string, string>;
  let printedProxy: Record<string, string>;
  let directDownload: Download | undefined;

  beforeAll(async () => {
    dir = await makeTempDir("demo-client");
    demo = startDemo();
    await waitForOutput(demo, READY, 150_000);
    banner = demo.output().slice(0, demo.output().indexOf(READY));
    const proxyAt = banner.indexOf(PROXY_SECTION);
    printed = parseExports(banner.slice(0, proxyAt < 0 ? undefined : proxyAt));
    printedProxy = proxyAt < 0 ? {} : parseExports(banner.slice(proxyAt, banner.indexOf(DIFFERS, proxyAt)));
  });

  /** A client's fresh HOME, GOPATH and work directory; the shared build cache. */
  async function client(name: string): Promise<{ work: string; base: NodeJS.ProcessEnv }> {
    const home = join(dir, name, "home");
    const work = join(dir, name, "try");
    await mkdir(home, { recursive: true });
    await mkdir(work, { recursive: true });
    return { work, base: { HOME: home, GOPATH: join(dir, name, "gopath"), GOCACHE: DEFAULT_GO_CACHE, LANG: "C", LC_ALL: "C" } };
  }

  function parseDownload(stdout: string): Download {
    const info = JSON.parse(stdout) as Download;
    return { Version: info.Version, Sum: info.Sum, GoModSum: info.GoModSum };
  }

  afterAll(async () => {
    if (demo?.child.pid !== undefined && groupAlive(demo.child.pid)) process.kill(-demo.child.pid, "SIGKILL");
    if (dir) await removeDir(dir);
  });

  it("prints the environment the go command needs", () => {
    expect(Object.keys(printed)).toEqual(
      expect.arrayContaining(["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "no_proxy", "GOINSECURE", "GOPROXY", "GOPRIVATE", "GOFLAGS", "GOMODCACHE"]),
    );
    expect(printed.GOPROXY).toBe("direct");
    expect(printed.HTTPS_PROXY).toBe(printed.HTTP_PROXY);
    expect(printed.HTTP_PROXY).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("prints a second environment, the module proxy with no git on PATH, and what differs", async () => {
    const modgateUrl = /^ {2}modgate +(http:\/\/127\.0\.0\.1:\d+) /m.exec(banner)?.[1];
    expect(modgateUrl, banner).toBeDefined();
    expect(Object.keys(printedProxy).sort()).toEqual(["GOFLAGS", "GOMODCACHE", "GONOPROXY", "GONOSUMDB", "GOPROXY", "GOTOOLCHAIN", "PATH"]);
    expect(printedProxy.GOPROXY).toBe(modgateUrl);
    // GONOPROXY=none: a GOPRIVATE left from env.sh (or a go env file) cannot send the go command to git.
    expect(printedProxy.GONOPROXY).toBe("none");
    expect(printedProxy.GONOSUMDB).toBe("go.example.com");
    expect(printedProxy.GOFLAGS).toContain("-modcacherw");
    expect(printedProxy.GOMODCACHE).not.toBe(printed.GOMODCACHE);
    // The PATH is one directory with go in it and no git.
    expect(printedProxy.PATH).not.toContain(":");
    expect((await run("/bin/sh", ["-c", "command -v git"], { env: { PATH: printedProxy.PATH } })).code).not.toBe(0);
    expect((await run("/bin/sh", ["-c", "command -v go"], { env: { PATH: printedProxy.PATH } })).stdout.trim()).toBe(join(printedProxy.PATH!, "go"));
    expect(banner).toMatch(
      /^What differs: direct, .*go-import answer.* git; through the proxy it runs no git at all: modgate builds the module zips from GitLab's API.*same h1: sums\.$/m,
    );
    // The files the banner points at hold the same exports.
    const files = [...banner.matchAll(/\(or run: \. (\S+)\):/g)].map((m) => m[1]!);
    expect(files.map((f) => f.split("/").pop())).toEqual(["env.sh", "env-proxy.sh"]);
    expect(parseExports(await readFile(files[0]!, "utf8"))).toEqual(printed);
    expect(parseExports(await readFile(files[1]!, "utf8"))).toEqual(printedProxy);
  });

  it("lets the go command get the demo modules under that environment", async () => {
    const { work, base } = await client("direct");
    // A clean machine: private HOME and GOPATH, no toolchain switching; then exactly what the demo printed.
    const env = isolatedGitEnv({
      PATH: [join(toolPath("go"), ".."), join(toolPath("git"), ".."), "/usr/bin", "/bin"].join(":"),
      ...base,
      GOTOOLCHAIN: "local",
      ...printed,
    });
    const go = (args: string[]) => run(toolPath("go"), args, { cwd: work, env });
    const init = await go(["mod", "init", "try"]);
    expect(init.code, init.stderr).toBe(0);
    const get = await go(["get", "go.example.com/greet@latest", "go.example.com/oss/cli/color@latest"]);
    expect(get.code, `${get.stderr}\n--- demo output:\n${demo.output()}`).toBe(0);
    expect(get.stderr).toContain("go: added go.example.com/greet v1.0.0");
    expect(get.stderr).toContain("go: added go.example.com/oss/cli/color v0.1.0");
    const hello = await go(["run", "go.example.com/greet/cmd/hello"]);
    expect(hello.code, hello.stderr).toBe(0);
    expect(hello.stdout).toContain("Hello, gopher");
    // The requests went through modgate: its access log is shown by the demo.
    expect(demo.output()).toMatch(/modgate \| \{.*"path":"\/oss\/cli\/color".*"status":200/);
    const download = await go(["mod", "download", "-json", `${MODULE}@v1.0.0`]);
    expect(download.code, download.stderr).toBe(0);
    directDownload = parseDownload(download.stdout);
  });

  it("lets the go command get them through modgate's module proxy, with no git on PATH: the same h1 sums", async () => {
    expect(directDownload, "the direct environment's go mod download (the test above)").toBeDefined();
    const { work, base } = await client("proxy");
    // Nothing but a fresh HOME and GOPATH and what the demo printed: the PATH is the printed one,
    // and `go` is found through it.
    const env = { ...base, ...printedProxy };
    expect((await run("/bin/sh", ["-c", "command -v git"], { env })).code).not.toBe(0);
    const go = (args: string[]) => run("go", args, { cwd: work, env });
    const init = await go(["mod", "init", "try"]);
    expect(init.code, init.stderr).toBe(0);
    const get = await go(["get", `${MODULE}@latest`, "go.example.com/oss/cli/color@latest"]);
    expect(get.code, `${get.stderr}\n--- demo output:\n${demo.output()}`).toBe(0);
    expect(get.stderr).toContain("go: added go.example.com/greet v1.0.0");
    expect(get.stderr).toContain("go: added go.example.com/oss/cli/color v0.1.0");
    const hello = await go(["run", "go.example.com/greet/cmd/hello"]);
    expect(hello.code, hello.stderr).toBe(0);
    expect(hello.stdout).toContain("Hello, gopher");
    // The module proxy answered: its paths are in modgate's access log.
    expect(demo.output()).toMatch(/modgate \| \{.*"path":"\/go\.example\.com\/greet\/@v\/v1\.0\.0\.zip".*"status":200/);
    expect(demo.output()).toMatch(/modgate \| \{.*"path":"\/go\.example\.com\/oss\/cli\/color\/@v\/v0\.1\.0\.zip".*"status":200/);
    // The same module as the direct environment's clone, to the hash.
    const download = await go(["mod", "download", "-json", `${MODULE}@v1.0.0`]);
    expect(download.code, download.stderr).toBe(0);
    expect(JSON.parse(download.stdout).Zip).toContain(printedProxy.GOMODCACHE!);
    expect(parseDownload(download.stdout)).toEqual(directDownload);
    const sums = await readFile(join(work, "go.sum"), "utf8");
    expect(sums).toContain(`${MODULE} v1.0.0 ${directDownload!.Sum}`);
  });

  it("stops on Ctrl-C: exits 0, leaves nothing running or listening, removes its files", async () => {
    const ports = [...banner.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    expect(new Set(ports).size).toBe(3); // modgate, the local GitLab, the proxy
    const tempDir = /(\S*modgate-demo-[^/\s]+)/.exec(banner)?.[1];
    expect(tempDir && existsSync(tempDir)).toBe(true);

    process.kill(-demo.child.pid!, "SIGINT"); // what a terminal does on Ctrl-C
    const { code, signal } = await demo.exited;
    expect({ code, signal }, demo.output()).toEqual({ code: 0, signal: null });
    expect(demo.output()).toContain("modgate demo: stopped");
    expect(groupAlive(demo.child.pid!)).toBe(false);
    for (const port of new Set(ports)) expect(await refusesConnections(port), `port ${port}`).toBe(true);
    expect(existsSync(tempDir!)).toBe(false);
  });
});
