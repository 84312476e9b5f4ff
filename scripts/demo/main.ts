// `npm run demo`: modgate with a small local GitLab (API and git over HTTP),
// reached by the real go command through a local forward proxy, all on
// loopback. Prints two environments under which `go get` of the demo modules
// works on this machine: direct (modgate's go-import answer, then git) and
// through modgate's module proxy with no git on PATH (GOPROXY=<modgate>).
// Ctrl-C (SIGINT) or SIGTERM tears everything down and
// exits 0. Built from the e2e harness (test/e2e/harness), so the demo and the
// tests run the very same pieces. package.json's `demo` script `exec`s tsx
// after the build, so no sh stays between npm and the demo to die of the
// terminal's SIGINT (npm would then report the signal instead of exit 0).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  makeRepo,
  pathWithoutGit,
  startForwardProxy,
  startGitLabStandIn,
  startModgateNode,
  toolPath,
  REPO_ROOT,
  type ForwardProxy,
  type GitLabStandIn,
  type RunningModgate,
  type ToolName,
} from "../../test/e2e/harness/index.js";
import { demoEnvironment, exportLines, proxyEnvironment, type DemoVariable } from "./environment.js";
import { DEMO_MODULES, DEMO_PROJECTS, VANITY_HOST, demoConfig } from "./modules.js";

/** Hosts that stay off the proxy: everything local listens on 127.0.0.1. */
const DIRECT = ["127.0.0.1", "localhost"];

/**
 * Programs linked next to go in the proxy environment's PATH, for the shell that uses it (the
 * guide's `mktemp -d`, a look at the files): the go command needs none of them, and never git.
 */
const SHELL_TOOLS = ["mktemp", "ls", "cat", "env"];

interface Environments {
  /** GOPROXY=direct: go-import answers, then git. */
  direct: DemoVariable[];
  /** GOPROXY=<modgate>: the module proxy, no git on PATH. */
  proxy: DemoVariable[];
}

interface Running {
  dir?: string;
  gitlab?: GitLabStandIn;
  modgate?: RunningModgate;
  proxy?: ForwardProxy;
}

const say = (line = "") => process.stdout.write(line + "\n");

function missingTools(names: ToolName[]): ToolName[] {
  return names.filter((name) => {
    try {
      toolPath(name);
      return false;
    } catch {
      return true;
    }
  });
}

async function start(running: Running): Promise<Environments> {
  const missing = missingTools(["git", "git-http-backend"]);
  if (missing.length > 0) throw new Error(`the demo serves repositories with git; not found: ${missing.join(", ")} (install git)`);
  if (missingTools(["go"]).length > 0) say("modgate demo: go is not installed here; the demo runs, but to try it you need Go ≥ 1.21 (https://go.dev/dl/)");
  if (!existsSync(join(REPO_ROOT, "dist/node/cli.js"))) throw new Error("dist/node/cli.js is missing: run npm run build (npm run demo does it for you)");

  const dir = await mkdtemp(join(tmpdir(), "modgate-demo-"));
  running.dir = dir;
  const repos = join(dir, "repos");
  for (const m of DEMO_MODULES) await makeRepo(repos, m.project, m.repo);
  // The stand-in wants a token for its private projects; the demo's are public and modgate gets none.
  running.gitlab = await startGitLabStandIn({ root: repos, token: randomBytes(16).toString("hex"), projects: [...DEMO_PROJECTS] });

  const configPath = join(dir, "modgate.yaml");
  await writeFile(configPath, demoConfig(running.gitlab.url, join(dir, "proxy-store")));
  running.modgate = await startModgateNode(configPath);
  running.proxy = await startForwardProxy({ upstreams: { [VANITY_HOST]: running.modgate.url } });
  // The same helper as the e2e tests' no-git clients; under dir, so stop() removes it with the rest.
  const gitless = await pathWithoutGit({ dir: join(dir, "bin-no-git"), tools: SHELL_TOOLS });

  const envs: Environments = {
    direct: demoEnvironment({ vanityHost: VANITY_HOST, proxyUrl: running.proxy.url, direct: DIRECT, modCache: join(dir, "modcache") }),
    proxy: proxyEnvironment({ vanityHost: VANITY_HOST, modgateUrl: running.modgate.url, gitlessPath: gitless.PATH, modCache: join(dir, "modcache-proxy") }),
  };
  await writeFile(join(dir, "env.sh"), exportLines(envs.direct, false).join("\n") + "\n");
  await writeFile(join(dir, "env-proxy.sh"), exportLines(envs.proxy, false).join("\n") + "\n");
  printGuide(running, envs, configPath);
  return envs;
}

function printGuide(running: Running, envs: Environments, configPath: string): void {
  const dir = running.dir!;
  const modgate = running.modgate!.url;
  const [first, second] = DEMO_MODULES;
  say("modgate demo is running (everything on 127.0.0.1):");
  say(`  modgate         ${modgate}   config ${configPath}`);
  say(`                  go-import answers, and the module proxy (GOPROXY=${modgate})`);
  say(`  local GitLab    ${running.gitlab!.url}   API and git over HTTP: ${DEMO_MODULES.map((m) => m.project).join(", ")}`);
  say(`  forward proxy   ${running.proxy!.url}   ${VANITY_HOST} → modgate`);
  say();
  say("Two ways for the go command to get the demo modules, each in a shell of its own.");
  say();
  say(`1. Direct (GOPROXY=direct): set this environment (or run: . ${join(dir, "env.sh")}):`);
  say();
  for (const line of exportLines(envs.direct)) say(line);
  say();
  say(`2. Through modgate's module proxy, with no git on PATH: set this environment (or run: . ${join(dir, "env-proxy.sh")}):`);
  say();
  for (const line of exportLines(envs.proxy)) say(line);
  say();
  say(
    `What differs: direct, the go command reads modgate's go-import answer and clones the repository from the local GitLab with git; ` +
      `through the proxy it runs no git at all: modgate builds the module zips from GitLab's API, and go.sum gets the same h1: sums.`,
  );
  say();
  say("Then, in either shell, try the go command in a new module:");
  say();
  say(`  cd "$(mktemp -d)" && go mod init try`);
  say(`  go get ${first!.path}@latest ${second!.path}@latest`);
  say(`  go run ${first!.path}/cmd/hello`);
  say(`  go mod download -json ${first!.path}@${first!.version}   # the same Sum in both shells`);
  say();
  say("or, from any shell, ask modgate yourself:");
  say();
  say(`  curl -H 'Host: ${VANITY_HOST}' '${modgate}${first!.path.slice(VANITY_HOST.length)}?go-get=1'`);
  say(`  curl '${modgate}/${first!.path}/@v/list'`);
  say(`  node dist/node/cli.js resolve --config ${configPath} ${second!.path}`);
  say(`  node dist/node/cli.js resolve --config ${configPath} ${first!.path}@latest`);
  say();
  say(`Ctrl-C stops modgate, the proxy and the local GitLab and removes ${dir} (use a fresh shell next time).`);
  say("modgate's log follows.");
  say();
}

/** Shows what modgate prints from now on (its access log), so the go command's requests are visible. */
function followLog(modgate: RunningModgate): void {
  const show = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line !== "") say(`modgate | ${line}`);
  };
  modgate.child.stdout?.on("data", show);
  modgate.child.stderr?.on("data", show);
}

async function stop(running: Running): Promise<void> {
  await running.proxy?.close();
  await running.modgate?.close();
  await running.gitlab?.close();
  if (running.dir) await removeTree(running.dir);
}

/** rm -rf, also when the go command left its module cache read-only (GOFLAGS without -modcacherw). */
async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
  } catch {
    await makeWritable(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => {});
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await makeWritable(join(dir, entry.name));
}

async function main(): Promise<number> {
  const running: Running = {};
  let stopping: Promise<number> | undefined;
  const shutdown = (why: string, code: number): Promise<number> => {
    // A terminal's Ctrl-C reaches every process of the group (npm, tsx, this one): act once.
    stopping ??= (async () => {
      say(`modgate demo: ${why}: stopping`);
      await stop(running);
      say("modgate demo: stopped");
      return code;
    })();
    return stopping;
  };
  const stopped = new Promise<number>((resolve) => {
    process.on("SIGINT", () => void shutdown("SIGINT", 0).then(resolve));
    process.on("SIGTERM", () => void shutdown("SIGTERM", 0).then(resolve));
  });
  try {
    await start(running);
  } catch (err) {
    process.stderr.write(`modgate demo: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    await shutdown("start failed", 1);
    return 1;
  }
  if (stopping) return stopping; // a signal arrived while starting
  followLog(running.modgate!);
  running.modgate!.child.once("exit", (code) => {
    if (stopping) return;
    process.stderr.write(`modgate demo: modgate exited (${code}) on its own; its output:\n${running.modgate!.output()}\n`);
    void shutdown("modgate exited", 1).then((c) => process.exit(c));
  });
  return stopped;
}

main().then((code) => process.exit(code));
