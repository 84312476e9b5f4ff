// `npm run demo` as a newcomer runs it (issue 9): the demo comes up as a
// process group, the environment it prints is read back, and the real go
// command fetches the demo modules under it, from a fresh module, with its
// own HOME and GOPATH. Then a terminal's Ctrl-C (SIGINT to the whole process
// group): the demo exits 0, nothing of it is left running or listening, and
// its temp directory is gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_GO_CACHE,
  isolatedGitEnv,
  makeTempDir,
  REPO_ROOT,
  removeDir,
  requireTools,
  run,
  toolPath,
} from './harness/index.js';

const HAVE_TOOLS = requireTools('go', 'git', 'git-http-backend');
const READY = "modgate's log follows.";

interface Demo {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm run demo` in its own process group, as a shell would start it in a terminal. */
function startDemo(): Demo {
  const env = { ...process.env };
  // Nothing of the caller's modgate or proxy settings may leak in.
  for (const name of ['MODGATE_CONFIG', 'PORT', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete env[name];
  const child = spawn('npm', ['run', 'demo'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
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
  for (const line of output.split('\n')) {
    const m = /^export ([A-Za-z_][A-Za-z0-9_]*)=('(?:[^']|'\\'')*'|\S*)(?:\s+#.*)?$/.exec(line);
    if (!m) continue;
    const raw = m[2]!;
    env[m[1]!] = raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
  }
  return env;
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
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

describe.skipIf(!HAVE_TOOLS)('npm run demo', () => {
  let demo: Demo;
  let dir: string;
  let printed: Record<string, string>;

  beforeAll(async () => {
    dir = await makeTempDir('demo-client');
    demo = startDemo();
    await waitForOutput(demo, READY, 150_000);
    printed = parseExports(demo.output());
  });

  afterAll(async () => {
    if (demo?.child.pid !== undefined && groupAlive(demo.child.pid)) process.kill(-demo.child.pid, 'SIGKILL');
    if (dir) await removeDir(dir);
  });

  it('prints the environment the go command needs', () => {
    expect(Object.keys(printed)).toEqual(
      expect.arrayContaining(['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'no_proxy', 'GOINSECURE', 'GOPROXY', 'GOPRIVATE', 'GOFLAGS', 'GOMODCACHE']),
    );
    expect(printed.HTTPS_PROXY).toBe(printed.HTTP_PROXY);
    expect(printed.HTTP_PROXY).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lets the go command get the demo modules under that environment', async () => {
    const home = join(dir, 'home');
    const work = join(dir, 'try');
    await mkdir(home);
    await mkdir(work);
    // A clean machine: private HOME and GOPATH, no toolchain switching; then exactly what the demo printed.
    const env = isolatedGitEnv({
      PATH: [join(toolPath('go'), '..'), join(toolPath('git'), '..'), '/usr/bin', '/bin'].join(':'),
      HOME: home,
      GOPATH: join(dir, 'gopath'),
      GOCACHE: DEFAULT_GO_CACHE,
      GOTOOLCHAIN: 'local',
      ...printed,
    });
    const go = (args: string[]) => run(toolPath('go'), args, { cwd: work, env });
    const init = await go(['mod', 'init', 'try']);
    expect(init.code, init.stderr).toBe(0);
    const get = await go(['get', 'go.example.com/greet@latest', 'go.example.com/oss/cli/color@latest']);
    expect(get.code, `${get.stderr}\n--- demo output:\n${demo.output()}`).toBe(0);
    expect(get.stderr).toContain('go: added go.example.com/greet v1.0.0');
    expect(get.stderr).toContain('go: added go.example.com/oss/cli/color v0.1.0');
    const hello = await go(['run', 'go.example.com/greet/cmd/hello']);
    expect(hello.code, hello.stderr).toBe(0);
    expect(hello.stdout).toContain('Hello, gopher');
    // The requests went through modgate: its access log is shown by the demo.
    expect(demo.output()).toMatch(/modgate \| \{.*"path":"\/oss\/cli\/color".*"status":200/);
  });

  it('stops on Ctrl-C: exits 0, leaves nothing running or listening, removes its files', async () => {
    const banner = demo.output().slice(0, demo.output().indexOf(READY));
    const ports = [...banner.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    expect(new Set(ports).size).toBe(3); // modgate, the local GitLab, the proxy
    const tempDir = /(\S*modgate-demo-[^/\s]+)/.exec(banner)?.[1];
    expect(tempDir && existsSync(tempDir)).toBe(true);

    process.kill(-demo.child.pid!, 'SIGINT'); // what a terminal does on Ctrl-C
    const { code, signal } = await demo.exited;
    expect({ code, signal }, demo.output()).toEqual({ code: 0, signal: null });
    expect(demo.output()).toContain('modgate demo: stopped');
    expect(groupAlive(demo.child.pid!)).toBe(false);
    for (const port of new Set(ports)) expect(await refusesConnections(port), `port ${port}`).toBe(true);
    expect(existsSync(tempDir!)).toBe(false);
  });
});
