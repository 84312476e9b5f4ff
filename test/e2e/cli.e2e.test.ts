// The `modgate` command line as users run it: the built CLI (dist/node/cli.js)
// as a child process, config files in a temp dir, real HTTP over loopback and
// real signals. Covers issue 2's "Commands": check, resolve, serve (access log,
// PORT, MODGATE_CONFIG), SIGHUP reloads, and SIGTERM/SIGINT drains.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort, LOOPBACK, makeTempDir, removeDir, run, type RunResult } from "./harness/index.js";
import { REPO_ROOT } from "./harness/modgate.js";

const CLI = join(REPO_ROOT, "dist", "node", "cli.js");
/** "Exits promptly": generous, so a slow CI machine never makes it flaky. */
const PROMPT_EXIT_MS = 15_000;

// ---------------------------------------------------------------------------
// Config files

/** Four modules on two hosts: https, a template over ssh on a non-default port, a subdir, a repo: URL. */
const GOOD = `gitlab:
  url: https://gitlab.example.com
  ssh:
    port: 2222
modules:
  - path: go.example.com/tools
    project: platform/devtools/tools
  - path: go.example.com/libs/{name}
    project: platform/libs/{name}
    transport: ssh
  - path: go.example.com/sdk
    project: platform/mono
    subdir: sdk/go
  - path: go.other.org/x
    repo: https://github.com/acme/x
`;

/** Four independent problems; every one must be reported, each at its own line. */
const BAD = `gitlab:
  url: https://gitlab.example.com
modules:
  - path: go.example.com/tools
    project: platform/devtools/tools
    transprt: ssh
  - path: go.example.com/libs/{name}
    project: platform/libs/{nme}
  - path: go.other.org/x
    repo: git@github.com:acme/x.git
  - path: go.example.com/tools
    project: platform/again
`;

/** A config for the server tests: one host, any set of literal modules. */
function serveConfig(modules: Record<string, string>, extra = ""): string {
  const rules = Object.entries(modules)
    .map(([path, project]) => `  - path: go.example.com/${path}\n    project: ${project}\n`)
    .join("");
  return `gitlab:\n  url: https://gitlab.example.com\nmodules:\n${rules}${extra}`;
}

/** 1-based line and column of the first occurrence of needle in text. */
function positionOf(text: string, needle: string): { line: number; col: number } {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`${JSON.stringify(needle)} is not in the config`);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}

// ---------------------------------------------------------------------------
// One-shot commands

/** A minimal environment: no MODGATE_CONFIG, PORT or MODGATE_LOG leaks in from the caller. */
function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", ...extra };
}

function modgate(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], { cwd: dir, env: cliEnv(env), timeoutMs: 30_000 });
}

// ---------------------------------------------------------------------------
// Long-running `modgate serve`

interface ServeProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until the output satisfies the predicate; fails with the output so far. */
  waitFor(what: string, ready: () => boolean, timeoutMs?: number): Promise<void>;
}

const processes = new Set<ServeProcess>();

function spawnServe(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): ServeProcess {
  const child = spawn(process.execPath, [CLI, "serve", ...args], {
    cwd: dir,
    env: cliEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  child.stdout!.setEncoding("utf8").on("data", (d: string) => ((stdout += d), notify()));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => ((stderr += d), notify()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      resolve({ code, signal });
      notify();
    }),
  );
  const proc: ServeProcess = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor(what, ready, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (ready()) {
            done();
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`modgate exited (${child.exitCode ?? child.signalCode}) while waiting for ${what}\nstderr:\n${stderr}\nstdout:\n${stdout}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${what}\nstderr:\n${stderr}\nstdout:\n${stdout}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
  processes.add(proc);
  return proc;
}

const LISTENING = /modgate: listening on http:\/\/127\.0\.0\.1:(\d+)/;

/** `modgate serve --config FILE --port 0 --hostname 127.0.0.1`, resolved once it listens. */
async function startServe(dir: string, configPath: string, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess & { port: number }> {
  const proc = spawnServe(dir, ["--config", configPath, "--port", "0", "--hostname", LOOPBACK], env);
  await proc.waitFor("the listening line", () => LISTENING.test(proc.stderr()), 30_000);
  return Object.assign(proc, { port: Number(LISTENING.exec(proc.stderr())![1]) });
}

function alive(proc: ServeProcess): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null;
}

/** Resolves with the exit, or rejects if the process is still running after ms. */
async function exitWithin(proc: ServeProcess, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`modgate still running ${ms} ms after the signal\nstderr:\n${proc.stderr()}`)), ms);
  });
  try {
    return await Promise.race([proc.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function count(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, "g"))?.length ?? 0;
}

/** Rewrites the config, sends SIGHUP and waits until the server reports the outcome. */
async function reloadWith(proc: ServeProcess, configPath: string, text: string): Promise<"reloaded" | "failed"> {
  const reloadedBefore = count(proc.stderr(), /modgate: reloaded /);
  const failedBefore = count(proc.stderr(), /modgate: reload failed/);
  await writeFile(configPath, text);
  proc.child.kill("SIGHUP");
  await proc.waitFor(
    "the reload to be reported",
    () => count(proc.stderr(), /modgate: reloaded /) > reloadedBefore || count(proc.stderr(), /modgate: reload failed/) > failedBefore,
  );
  return count(proc.stderr(), /modgate: reloaded /) > reloadedBefore ? "reloaded" : "failed";
}

// ---------------------------------------------------------------------------
// HTTP over loopback with a Host header (fetch cannot set Host)

interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, options: { host?: string; method?: string; agent?: Agent | false } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: LOOPBACK,
        port,
        path,
        method: options.method ?? "GET",
        headers: { host: options.host ?? "go.example.com" },
        agent: options.agent ?? false,
        timeout: 20_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`request ${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** The go-import tags of a go-get answer, each as its content fields. */
function goImports(html: string): string[][] {
  return [...html.matchAll(/<meta name="go-import" content="([^"]*)">/g)].map((m) => m[1]!.split(" "));
}

/**
 * A raw HTTP/1.1 connection: the test decides exactly which bytes go out and when,
 * so a request can be left half-sent (in flight) while the server is signalled.
 */
class RawConnection {
  private buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    socket.on("error", () => {}); // a reset shows up as close
    this.closedPromise = new Promise((resolve) =>
      socket.once("close", () => {
        this.closed = true;
        this.wake?.();
        resolve();
      }),
    );
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, LOOPBACK);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  write(text: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(text, (err) => (err ? reject(err) : resolve())));
  }

  /** The next complete response (status line, headers, Content-Length body). */
  async response(timeoutMs = 20_000): Promise<HttpResult> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end >= 0) {
        const [statusLine, ...headerLines] = this.buffer.subarray(0, end).toString("latin1").split("\r\n");
        const headers: IncomingHttpHeaders = {};
        for (const line of headerLines) {
          const colon = line.indexOf(":");
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers["content-length"]);
        if (!Number.isInteger(length)) throw new Error(`response without Content-Length: ${statusLine}`);
        if (this.buffer.length >= end + 4 + length) {
          const body = this.buffer.subarray(end + 4, end + 4 + length).toString("utf8");
          this.buffer = this.buffer.subarray(end + 4 + length);
          return { status: Number(statusLine!.split(" ")[1]), headers, body };
        }
      }
      if (this.closed) throw new Error(`connection closed before a complete response: ${JSON.stringify(this.buffer.toString("latin1"))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no complete response within ${timeoutMs} ms: ${JSON.stringify(this.buffer.toString("latin1"))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const rawConnections = new Set<RawConnection>();
async function openRaw(port: number): Promise<RawConnection> {
  const conn = await RawConnection.open(port);
  rawConnections.add(conn);
  return conn;
}

/**
 * Resolves true once a new TCP connection to port is refused. The server stops listening in
 * the same tick it prints its signal message, so a caller that has seen that message gets its
 * answer at the first try; the deadline is only for a server that never stops listening, and
 * generous, so a busy machine cannot make a right server fail.
 */
async function refusesConnections(port: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, LOOPBACK);
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
    });
    if (refused) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Returns once the server has read what was already written to it, such as the first half of a
 * request (before it has, SIGTERM's closeIdleConnections would count that connection idle): a
 * request on a new connection is answered only some rounds of the server's event loop later,
 * and each round reads every socket with data waiting. An order, not a delay.
 */
async function serverHasRead(port: number): Promise<void> {
  expect((await get(port, "/tools?go-get=1", { agent: false })).status).toBe(200);
}

// ---------------------------------------------------------------------------

let dir: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  dir = await makeTempDir("cli");
  await writeFile(join(dir, "good.yaml"), GOOD);
  await writeFile(join(dir, "bad.yaml"), BAD);
});

afterEach(async () => {
  for (const conn of rawConnections) conn.destroy();
  rawConnections.clear();
  const running = [...processes];
  processes.clear();
  for (const proc of running) if (alive(proc)) proc.child.kill("SIGKILL");
  await Promise.all(running.map((proc) => proc.exited));
});

afterAll(async () => {
  if (dir) await removeDir(dir);
});

describe("modgate check", () => {
  it("accepts a good file: exit 0 and a one-line summary naming the module count", async () => {
    const result = await modgate(dir, ["check", "good.yaml"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toHaveLength(1);
    expect(result.stdout).toMatch(/^good\.yaml\b.*\b4 modules\b/);
  });

  it("reports every problem of a bad file at once as file:line:col, exit 1", async () => {
    const result = await modgate(dir, ["check", "bad.yaml"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const errors = lines(result.stderr);
    for (const line of errors) expect(line).toMatch(/^bad\.yaml:\d+:\d+: \S/);

    const at = (needle: string) => {
      const { line, col } = positionOf(BAD, needle);
      return `bad.yaml:${line}:${col}: `;
    };
    const reported = (prefix: string, message: RegExp) => errors.some((line) => line.startsWith(prefix) && message.test(line.slice(prefix.length)));
    // An unknown key is located at the key, with a suggestion.
    expect(reported(at("transprt"), /unknown key "transprt".*did you mean transport/), result.stderr).toBe(true);
    // A template variable the path does not have, at the project value.
    expect(reported(at("platform/libs/{nme}"), /\{nme\}/), result.stderr).toBe(true);
    // An scp-style URL the go command would reject.
    expect(reported(at("git@github.com"), /scp/), result.stderr).toBe(true);
    // A second rule for the same path, naming the first.
    const duplicate = BAD.lastIndexOf("go.example.com/tools");
    const dupLine = BAD.slice(0, duplicate).split("\n").length;
    expect(
      errors.some((line) => new RegExp(`^bad\\.yaml:${dupLine}:\\d+: .*duplicate`).test(line)),
      result.stderr,
    ).toBe(true);
  });

  it("locates a YAML syntax error", async () => {
    await writeFile(join(dir, "syntax.yaml"), "gitlab:\n  url: https://gitlab.example.com\nmodules:\n  - path: go.example.com/a\n    project: [unclosed\n");
    const result = await modgate(dir, ["check", "syntax.yaml"]);
    expect(result.code).toBe(1);
    expect(lines(result.stderr).length).toBeGreaterThan(0);
    for (const line of lines(result.stderr)) expect(line).toMatch(/^syntax\.yaml:\d+:\d+: \S/);
  });

  it("explains a missing file in one line, exit 1, no stack trace", async () => {
    const result = await modgate(dir, ["check", "no-such-file.yaml"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/no-such-file\.yaml/);
    expect(result.stderr).toMatch(/cannot read|not found|no such file|ENOENT/i);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("without a FILE checks the config serve would load: --config, then $MODGATE_CONFIG, then config/modgate.yaml", async () => {
    const own = await makeTempDir("cli-default");
    try {
      // No config/modgate.yaml here: the message says where it looked and what to do.
      const missing = await modgate(own, ["check"]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^config\/modgate\.yaml: cannot read the config file: no such file; pass --config FILE or set MODGATE_CONFIG\n$/);

      await mkdir(join(own, "config"));
      await writeFile(join(own, "config", "modgate.yaml"), serveConfig({ one: "platform/one" }));
      await writeFile(join(own, "good.yaml"), GOOD);
      await writeFile(join(own, "bad.yaml"), BAD);
      const fallback = await modgate(own, ["check"]);
      expect(fallback.stderr).toBe("");
      expect(fallback.code).toBe(0);
      // One module is "1 module", one host "1 host".
      expect(fallback.stdout).toBe("config/modgate.yaml: ok: 1 module on 1 host (go.example.com)\n");

      const fromEnv = await modgate(own, ["check"], { MODGATE_CONFIG: "good.yaml" });
      expect(fromEnv.code).toBe(0);
      expect(fromEnv.stdout).toMatch(/^good\.yaml: ok: 4 modules on 2 hosts/);

      const flag = await modgate(own, ["check", "--config", "bad.yaml"], { MODGATE_CONFIG: "good.yaml" });
      expect(flag.code).toBe(1);
      expect(lines(flag.stderr)[0]).toMatch(/^bad\.yaml:\d+:\d+: /);
    } finally {
      await removeDir(own);
    }
  });

  it("an empty $MODGATE_CONFIG counts as unset, as in the shell: check and resolve read config/modgate.yaml", async () => {
    const own = await makeTempDir("cli-empty-env");
    try {
      await mkdir(join(own, "config"));
      await writeFile(join(own, "config", "modgate.yaml"), serveConfig({ one: "platform/one" }));
      // Not a file named "": `MODGATE_CONFIG= modgate check` is `modgate check`.
      const checked = await modgate(own, ["check"], { MODGATE_CONFIG: "" });
      expect(checked.stderr).toBe("");
      expect(checked.code).toBe(0);
      expect(checked.stdout).toBe("config/modgate.yaml: ok: 1 module on 1 host (go.example.com)\n");
      const resolved = await modgate(own, ["resolve", "go.example.com/one/pkg"], { MODGATE_CONFIG: "" });
      expect(resolved.code, resolved.stderr).toBe(0);
      expect(goImports(resolved.stdout)).toEqual([["go.example.com/one", "git", "https://gitlab.example.com/platform/one.git"]]);
    } finally {
      await removeDir(own);
    }
  });

  it("with two FILEs, or a FILE and --config, is a usage error: exit 2", async () => {
    for (const args of [
      ["check", "good.yaml", "bad.yaml"],
      ["check", "--config", "good.yaml", "bad.yaml"],
    ]) {
      const result = await modgate(dir, args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/usage:/);
      expect(result.stderr).toMatch(/modgate check \[--config FILE \| FILE\]/);
      expect(result.stdout).toBe("");
    }
  });
});

describe("modgate --version", () => {
  it("prints the version of package.json, exit 0", async () => {
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-v", "version"]) {
      const result = await modgate(dir, [flag]);
      expect(result.code, flag).toBe(0);
      expect(result.stdout, flag).toBe(`modgate ${version}\n`);
      expect(result.stderr, flag).toBe("");
    }
  });
});

describe("modgate resolve", () => {
  it("prints the go-import and go-source tags with the module root as prefix", async () => {
    const result = await modgate(dir, ["resolve", "--config", "good.yaml", "go.example.com/tools/pkg/x"]);
    expect(result.code, result.stderr).toBe(0);
    const out = lines(result.stdout);
    expect(out.filter((l) => l.includes('name="go-import"'))).toEqual([
      '<meta name="go-import" content="go.example.com/tools git https://gitlab.example.com/platform/devtools/tools.git">',
    ]);
    const source = out.filter((l) => l.includes('name="go-source"'));
    expect(source).toHaveLength(1);
    expect(source[0]).toMatch(/^<meta name="go-source" content="go\.example\.com\/tools https:\/\/gitlab\.example\.com\/platform\/devtools\/tools /);
    expect(out).toHaveLength(2);
  });

  it("answers templates, ssh on a non-default port, subdir and repo: rules", async () => {
    const cases: [string, string[]][] = [
      ["go.example.com/libs/foo/bar", ["go.example.com/libs/foo", "git", "ssh://git@gitlab.example.com:2222/platform/libs/foo.git"]],
      ["go.example.com/sdk/inner", ["go.example.com/sdk", "git", "https://gitlab.example.com/platform/mono.git", "sdk/go"]],
      ["go.other.org/x/y/z", ["go.other.org/x", "git", "https://github.com/acme/x"]],
    ];
    for (const [importPath, fields] of cases) {
      const result = await modgate(dir, ["resolve", "--config", "good.yaml", importPath]);
      expect(result.code, `${importPath}: ${result.stderr}`).toBe(0);
      expect(goImports(result.stdout), importPath).toEqual([fields]);
    }
  });

  it("explains why there is no answer: exit 1, no tags", async () => {
    const cases: [string, RegExp][] = [
      ["go.example.com/nope/x", /no module/],
      ["go.example.com/toolsx", /no module/], // element boundary: not go.example.com/tools
      ["unknown.example.net/a", /host unknown\.example\.net/],
      ["go.example.com/bad path", /not a valid Go import path/],
    ];
    for (const [importPath, why] of cases) {
      const result = await modgate(dir, ["resolve", "--config", "good.yaml", importPath]);
      const output = result.stdout + result.stderr;
      expect(result.code, importPath).toBe(1);
      expect(output, importPath).toContain(importPath);
      expect(output, importPath).toMatch(why);
      expect(output, importPath).not.toMatch(/<meta/);
    }
  });

  it("reads $MODGATE_CONFIG when --config is absent, and --config wins over it", async () => {
    const fromEnv = await modgate(dir, ["resolve", "go.example.com/libs/zap"], { MODGATE_CONFIG: join(dir, "good.yaml") });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(goImports(fromEnv.stdout)).toEqual([["go.example.com/libs/zap", "git", "ssh://git@gitlab.example.com:2222/platform/libs/zap.git"]]);

    const flagWins = await modgate(dir, ["resolve", "--config", "good.yaml", "go.example.com/libs/zap"], { MODGATE_CONFIG: join(dir, "missing.yaml") });
    expect(flagWins.code, flagWins.stderr).toBe(0);
    expect(goImports(flagWins.stdout)).toHaveLength(1);

    // Neither: the default config/modgate.yaml, which does not exist in this directory.
    const neither = await modgate(dir, ["resolve", "go.example.com/libs/zap"]);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toMatch(/config[/\\]modgate\.yaml/);
  });

  it("reports a broken config with its locations, and a missing IMPORT_PATH as usage", async () => {
    const broken = await modgate(dir, ["resolve", "--config", "bad.yaml", "go.example.com/tools"]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toMatch(/^bad\.yaml:\d+:\d+: /m);

    const usage = await modgate(dir, ["resolve", "--config", "good.yaml"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage:/);
  });
});

describe("bad invocations", () => {
  it("an unknown command, no command or an unknown flag: exit 2 with usage", async () => {
    for (const args of [
      ["frobnicate"],
      [],
      ["check", "--frob", "good.yaml"],
      ["serve", "extra"],
      ["serve", "--port", "eighty"],
      ["serve", "--port", ""],
      ["serve", "--port", " "],
    ]) {
      const result = await modgate(dir, args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toMatch(/usage:[\s\S]*modgate serve[\s\S]*modgate check[\s\S]*modgate resolve/);
      expect(result.stdout, args.join(" ")).toBe("");
    }
  });

  it("serve with a broken config: exit 1, located errors, never listens", async () => {
    const result = await modgate(dir, ["serve", "--config", "bad.yaml", "--port", "0", "--hostname", LOOPBACK]);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/listening/);
    expect(result.stdout).toBe("");
    const errors = lines(result.stderr);
    expect(errors.length).toBeGreaterThanOrEqual(4);
    for (const line of errors) expect(line).toMatch(/^bad\.yaml:\d+:\d+: \S/);
  });

  it("serve with a missing config: exit 1 with the reason, never listens", async () => {
    const result = await modgate(dir, ["serve", "--config", "absent.yaml", "--port", "0", "--hostname", LOOPBACK]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/absent\.yaml/);
    expect(result.stderr).not.toMatch(/listening/);
  });
});

describe("modgate serve", () => {
  it("answers go-get requests and writes one JSON access-log line per request on stdout", async () => {
    const config = join(dir, "serve-log.yaml");
    await writeFile(config, GOOD);
    const server = await startServe(dir, config);

    const goGet = await get(server.port, "/tools/pkg/x?go-get=1");
    expect(goGet.status).toBe(200);
    expect(goGet.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(goImports(goGet.body)).toEqual([["go.example.com/tools", "git", "https://gitlab.example.com/platform/devtools/tools.git"]]);
    const other = await get(server.port, "/x?go-get=1", { host: "go.other.org" });
    expect(goImports(other.body)).toEqual([["go.other.org/x", "git", "https://github.com/acme/x"]]);
    expect((await get(server.port, "/tools", { method: "HEAD" })).status).toBe(302);
    expect((await get(server.port, "/nope?go-get=1")).status).toBe(404);
    expect((await get(server.port, "/tools?go-get=1", { method: "POST" })).status).toBe(405);

    const expected = [
      { method: "GET", host: "go.example.com", path: "/tools/pkg/x", status: 200 },
      { method: "GET", host: "go.other.org", path: "/x", status: 200 },
      { method: "HEAD", host: "go.example.com", path: "/tools", status: 302 },
      { method: "GET", host: "go.example.com", path: "/nope", status: 404 },
      { method: "POST", host: "go.example.com", path: "/tools", status: 405 },
    ];
    await server.waitFor("an access-log line per request", () => lines(server.stdout()).length >= expected.length);
    server.child.kill("SIGTERM");
    expect((await exitWithin(server, PROMPT_EXIT_MS)).code).toBe(0);

    const entries = lines(server.stdout()).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toHaveLength(expected.length);
    entries.forEach((entry, i) => expect(entry, JSON.stringify(entry)).toMatchObject(expected[i]!));
    expect(entries[0]!.query).toBe("go-get=1");
    // Operational messages go to stderr, never into the access log.
    expect(server.stderr()).toMatch(LISTENING);
  });

  it("MODGATE_LOG=off: no stdout at all", async () => {
    const config = join(dir, "serve-quiet.yaml");
    await writeFile(config, GOOD);
    const server = await startServe(dir, config, { MODGATE_LOG: "off" });
    expect((await get(server.port, "/tools?go-get=1")).status).toBe(200);
    expect((await get(server.port, "/nope?go-get=1")).status).toBe(404);
    server.child.kill("SIGTERM");
    expect((await exitWithin(server, PROMPT_EXIT_MS)).code).toBe(0);
    expect(server.stdout()).toBe("");
    expect(server.stderr()).toMatch(LISTENING);
  });

  it('an empty $PORT counts as unset: port 8080, not Number("") = 0 (a random port)', async () => {
    const proc = spawnServe(dir, ["--config", "good.yaml", "--hostname", LOOPBACK], { PORT: "", MODGATE_LOG: "off" });
    const closed = new Promise<void>((resolve) => proc.child.once("close", () => resolve()));
    const listening = await proc
      .waitFor("the listening line", () => LISTENING.test(proc.stderr()), 30_000)
      .then(
        () => true,
        () => false,
      );
    if (listening) {
      expect(Number(LISTENING.exec(proc.stderr())![1])).toBe(8080);
    } else {
      // 8080 is taken on this machine: modgate says so, naming the port it tried.
      await closed;
      expect(proc.stderr()).toContain(`modgate: cannot listen on ${LOOPBACK}:8080: the port is taken`);
    }
  });

  it("listens on $PORT and reads $MODGATE_CONFIG when no flags say otherwise", async () => {
    await writeFile(join(dir, "from-env.yaml"), serveConfig({ envmod: "platform/from-env" }));
    let server: ServeProcess | undefined;
    let port = 0;
    for (let attempt = 0; attempt < 3 && server === undefined; attempt++) {
      port = await freeLoopbackPort();
      const proc = spawnServe(dir, ["--hostname", LOOPBACK], { PORT: String(port), MODGATE_CONFIG: "from-env.yaml" });
      const ready = await proc
        .waitFor("the listening line", () => LISTENING.test(proc.stderr()), 30_000)
        .then(
          () => true,
          (err: Error) => {
            if (/EADDRINUSE/.test(proc.stderr())) return false; // lost a bind race: try another port
            throw err;
          },
        );
      if (ready) server = proc;
    }
    expect(server, "could not bind a free port in 3 attempts").toBeDefined();
    expect(Number(LISTENING.exec(server!.stderr())![1])).toBe(port);
    expect(server!.stderr()).toMatch(/\(1 module from from-env\.yaml\)/);
    const answer = await get(port, "/envmod/sub?go-get=1");
    expect(answer.status).toBe(200);
    expect(goImports(answer.body)).toEqual([["go.example.com/envmod", "git", "https://gitlab.example.com/platform/from-env.git"]]);
  });
});

describe("SIGHUP reloads the config", () => {
  it("serves a new module after a reload; a broken file is located and the last good config keeps serving", async () => {
    const config = join(dir, "reload.yaml");
    await writeFile(config, serveConfig({ old: "platform/old" }));
    const server = await startServe(dir, config);
    expect((await get(server.port, "/old?go-get=1")).status).toBe(200);
    expect((await get(server.port, "/fresh?go-get=1")).status).toBe(404);

    // A good file: the new module is served, the old one still is.
    expect(await reloadWith(server, config, serveConfig({ old: "platform/old", fresh: "platform/fresh" }))).toBe("reloaded");
    const fresh = await get(server.port, "/fresh/pkg?go-get=1");
    expect(fresh.status).toBe(200);
    expect(goImports(fresh.body)).toEqual([["go.example.com/fresh", "git", "https://gitlab.example.com/platform/fresh.git"]]);

    // A broken file: reported with file:line:col, and nothing changes.
    const broken = serveConfig({ old: "platform/old", fresh: "platform/fresh" }, "  - path: go.example.com/third\n    projekt: platform/third\n");
    const { line, col } = positionOf(broken, "projekt");
    expect(await reloadWith(server, config, broken)).toBe("failed");
    expect(server.stderr()).toContain(`${config}:${line}:${col}: unknown key "projekt"`);
    expect(alive(server)).toBe(true);
    expect((await get(server.port, "/old?go-get=1")).status).toBe(200);
    expect((await get(server.port, "/fresh?go-get=1")).status).toBe(200);
    expect((await get(server.port, "/third?go-get=1")).status).toBe(404);

    // Fixing the file and reloading again works.
    expect(await reloadWith(server, config, serveConfig({ third: "platform/third" }))).toBe("reloaded");
    expect((await get(server.port, "/third?go-get=1")).status).toBe(200);
    expect((await get(server.port, "/old?go-get=1")).status).toBe(404);
  });

  it("drops no request while reloading five times under steady load", async () => {
    const config = join(dir, "load.yaml");
    const configs = [
      serveConfig({ steady: "platform/steady", a: "platform/a" }),
      serveConfig({ steady: "platform/steady", b: "platform/b" }, "  - path: go.example.com/libs/{name}\n    project: platform/libs/{name}\n"),
    ];
    await writeFile(config, configs[0]!);
    const server = await startServe(dir, config, { MODGATE_LOG: "off" });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const REQUESTS = 200;
    const RELOADS = 5;
    const failures: string[] = [];
    let issued = 0;
    let completed = 0;
    let reloading = true;
    try {
      const worker = async (n: number) => {
        // Every fourth worker opens a fresh connection per request; the others reuse keep-alive ones.
        while ((issued < REQUESTS || reloading) && issued < REQUESTS * 10) {
          const i = issued++;
          const path = i % 2 === 0 ? `/steady/pkg${i}?go-get=1` : "/steady?go-get=1";
          try {
            const res = await get(server.port, path, { agent: n === 3 ? false : agent });
            if (res.status !== 200 || goImports(res.body).length !== 1) failures.push(`${path}: ${res.status} ${res.body.slice(0, 200)}`);
          } catch (err) {
            failures.push(`${path}: ${(err as Error).message}`);
          }
          completed++;
        }
      };
      const reloader = async () => {
        try {
          for (let r = 1; r <= RELOADS; r++) {
            while (completed < r * (REQUESTS / (RELOADS + 1))) await delay(1);
            expect(await reloadWith(server, config, configs[r % 2]!)).toBe("reloaded");
          }
        } finally {
          reloading = false;
        }
      };
      await Promise.all([worker(0), worker(1), worker(2), worker(3), reloader()]);
    } finally {
      agent.destroy();
    }
    expect(failures).toEqual([]);
    expect(completed).toBeGreaterThanOrEqual(REQUESTS);
    expect(count(server.stderr(), /modgate: reloaded /)).toBe(RELOADS);
    // The last reload (an odd one) installed configs[1].
    expect((await get(server.port, "/b?go-get=1")).status).toBe(200);
    expect((await get(server.port, "/a?go-get=1")).status).toBe(404);
  });
});

describe("SIGTERM and SIGINT", () => {
  const GO_GET_HEAD = "GET /tools/pkg?go-get=1 HTTP/1.1\r\nHost: go.example.com\r\n";

  it("SIGTERM stops accepting, finishes in-flight requests on keep-alive connections and exits 0 promptly", async () => {
    const config = join(dir, "drain.yaml");
    await writeFile(config, GOOD);
    const server = await startServe(dir, config);

    // An idle keep-alive connection: one request answered, then nothing.
    const idle = await openRaw(server.port);
    await idle.write(`${GO_GET_HEAD}Connection: keep-alive\r\n\r\n`);
    expect((await idle.response()).status).toBe(200);

    // Three connections, each with a request in flight: a full request answered first
    // (so the connection is accepted and kept alive), then a second one half-sent.
    const inFlight: RawConnection[] = [];
    for (let i = 0; i < 3; i++) {
      const conn = await openRaw(server.port);
      await conn.write(`${GO_GET_HEAD}Connection: keep-alive\r\n\r\n`);
      expect((await conn.response()).status).toBe(200);
      await conn.write(`GET /tools/in-flight/${i}?go-get=1 HTTP/1.1\r\nHost: go.example.com\r\n`);
      inFlight.push(conn);
    }
    await serverHasRead(server.port); // the first halves

    server.child.kill("SIGTERM");
    await server.waitFor("the SIGTERM message", () => /SIGTERM/.test(server.stderr()));

    // No new connections while draining (the process is still up: requests are in flight).
    expect(await refusesConnections(server.port)).toBe(true);
    expect(alive(server)).toBe(true);
    // The idle keep-alive connection is closed by the server, not left to hold the exit.
    await idle.closedPromise;

    // The in-flight requests complete, with their full answers.
    await delay(300);
    for (const conn of inFlight) await conn.write("Accept: */*\r\n\r\n");
    for (const [i, conn] of inFlight.entries()) {
      const res = await conn.response();
      expect(res.status).toBe(200);
      expect(goImports(res.body)).toEqual([["go.example.com/tools", "git", "https://gitlab.example.com/platform/devtools/tools.git"]]);
      expect(res.body).toContain("</html>");
      await server.waitFor(`the access-log line of in-flight request ${i}`, () => server.stdout().includes(`"path":"/tools/in-flight/${i}"`));
    }

    // The clients keep their connections open; the server must still exit, 0, promptly.
    const exit = await exitWithin(server, PROMPT_EXIT_MS);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await refusesConnections(server.port, 0)).toBe(true);
  });

  it("a response finished while draining closes its connection: no new requests after SIGTERM", async () => {
    const config = join(dir, "drain-close.yaml");
    await writeFile(config, GOOD);
    const server = await startServe(dir, config);
    const conn = await openRaw(server.port);
    await conn.write(`${GO_GET_HEAD}Connection: keep-alive\r\n\r\n`);
    expect((await conn.response()).status).toBe(200);
    await conn.write(GO_GET_HEAD);
    await serverHasRead(server.port);

    server.child.kill("SIGTERM");
    await server.waitFor("the SIGTERM message", () => /SIGTERM/.test(server.stderr()));
    await conn.write("Connection: keep-alive\r\n\r\n");
    const drained = await conn.response();
    expect(drained.status).toBe(200);
    // The server is stopping: it must tell the client not to reuse the connection...
    expect(String(drained.headers.connection).toLowerCase()).toBe("close");
    // ...and must not serve another request on it.
    await conn.write(`GET /tools/after-sigterm?go-get=1 HTTP/1.1\r\nHost: go.example.com\r\n\r\n`);
    await conn.closedPromise;
    expect(server.stdout()).not.toContain("/tools/after-sigterm");
    expect((await exitWithin(server, PROMPT_EXIT_MS)).code).toBe(0);
  });

  it("SIGINT exits 0 promptly", async () => {
    const config = join(dir, "sigint.yaml");
    await writeFile(config, GOOD);
    const server = await startServe(dir, config);
    expect((await get(server.port, "/tools?go-get=1")).status).toBe(200);
    server.child.kill("SIGINT");
    expect(await exitWithin(server, PROMPT_EXIT_MS)).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/SIGINT/);
  });
});
