// Keeps the Dockerfile honest without a Docker engine (only the client is installed here):
// the Dockerfile is parsed, and its steps run in clean directories (dockerfile-emulator.ts).
// The build context is the repository's files as a checkout has them (`git ls-files`, plus
// files not yet committed and not ignored) minus .dockerignore; the build stage's RUN lines
// (npm ci, npm run build, npm prune) run there; the runtime stage gets only what its COPY lines
// copy; then its CMD starts with its ENV (the config "mounted" at MODGATE_CONFIG, PORT free),
// as an unprivileged user when the tests run as root, and its HEALTHCHECK must pass.
// Editing the Dockerfile changes what runs here.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort, httpRequest, LOOPBACK, makeTempDir, removeDir, requireTools, runOk } from "./harness/index.js";
import { REPO_ROOT } from "./harness/modgate.js";
import {
  dockerignoreFilter,
  emulateBuild,
  execForm,
  hostPath,
  keyValues,
  parseDockerfile,
  runCommand,
  type FinalImage,
  type Stage,
  type StepLog,
} from "./dockerfile-emulator.js";

const DOCKERFILE = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
const DOCKERIGNORE = existsSync(join(REPO_ROOT, ".dockerignore")) ? readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8") : "";
const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** The documented mount point of the config (README, "Run with Docker"). */
const CONFIG_PATH = "/etc/modgate/modgate.yaml";
/** The module proxy's store in the image: a volume (README, "Run with Docker"). */
const STORE_PATH = "/var/lib/modgate";
/** The example config the image ships: config/modgate.yaml with the store in the volume. */
const IMAGE_CONFIG = "deploy/docker/modgate.yaml";
const BASE_IMAGE = "node:20-bookworm-slim";
/** Per RUN step (npm ci is the slow one); the whole emulation gets a minute more. */
const RUN_TIMEOUT_MS = 300_000;
/** docker stop's default grace period. */
const STOP_TIMEOUT_MS = 10_000;

const stages: Stage[] = parseDockerfile(DOCKERFILE);
const finalStage = stages[stages.length - 1]!;

function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

function finalEnv(): Record<string, string> {
  return Object.assign({}, ...instructions(finalStage, "ENV").map(keyValues)) as Record<string, string>;
}

/** Docker durations such as 30s, 1m30s, 500ms. */
function durationMs(text: string): number {
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    ms += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as "ms" | "s" | "m" | "h"];
  }
  return ms;
}

describe("Dockerfile: what it declares", () => {
  it("builds in one node:20-bookworm-slim stage and runs in another", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.image).toBe(BASE_IMAGE);
    const build = stages.find((s) => s.name !== undefined && s !== finalStage);
    expect(build, "a named build stage").toBeDefined();
    const runs = instructions(build!, "RUN").join("\n");
    expect(runs).toMatch(/^npm ci\b/m);
    expect(runs).toMatch(/^npm run build\b/m);
    expect(runs).toMatch(/^npm prune --omit=dev\b/m);
  });

  it("runs as a user other than root, created in the runtime stage", () => {
    const users = instructions(finalStage, "USER");
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1]!.trim();
    expect(user.split(":")[0]).not.toMatch(/^(root|0)$/);
    expect(instructions(finalStage, "RUN").join("\n")).toMatch(new RegExp(`useradd\\b.*\\b${user.split(":")[0]}$`, "m"));
    // USER comes after every COPY and RUN, so nothing the service runs as can write its own code.
    const lastUser = finalStage.instructions.map((i) => i.keyword).lastIndexOf("USER");
    const lastCopyOrRun = Math.max(...finalStage.instructions.map((i, n) => (i.keyword === "COPY" || i.keyword === "RUN" ? n : -1)));
    expect(lastUser).toBeGreaterThan(lastCopyOrRun);
  });

  it("takes its config from the documented path, exposes the port it listens on, checks /-/healthz", () => {
    const env = finalEnv();
    expect(env.MODGATE_CONFIG).toBe(CONFIG_PATH);
    expect(instructions(finalStage, "EXPOSE").flatMap((e) => e.split(/\s+/))).toEqual([env.PORT ?? "8080"]);
    const healthchecks = instructions(finalStage, "HEALTHCHECK");
    expect(healthchecks).toHaveLength(1);
    expect(healthchecks[0]).toMatch(/\bCMD\b[\s\S]*\/-\/healthz/);
    expect(instructions(finalStage, "STOPSIGNAL")).toEqual(["SIGTERM"]);
    expect(execForm(instructions(finalStage, "CMD")[0] ?? "")).toEqual(["node", "dist/node/cli.js", "serve"]);
    // From the build context, the runtime stage takes only the example config.
    const fromContext = instructions(finalStage, "COPY").filter((c) => !c.startsWith("--from="));
    expect(fromContext.map((c) => c.split(/\s+/).slice(0, -1).join(" "))).toEqual([IMAGE_CONFIG]);
    expect(fromContext[0]!.split(/\s+/).pop()).toBe(CONFIG_PATH);
  });

  it("gives the module proxy store a volume owned by the service user, and its example config points there", () => {
    expect(instructions(finalStage, "VOLUME")).toEqual([STORE_PATH]);
    const user = instructions(finalStage, "USER").at(-1)!.trim().split(":")[0]!;
    // Docker fills a fresh named volume from the image's directory, ownership included.
    expect(instructions(finalStage, "RUN")).toContain(`install -d -o ${user} -g ${user} -m 0750 ${STORE_PATH}`);
    const example = readFileSync(join(REPO_ROOT, "config/modgate.yaml"), "utf8");
    const image = readFileSync(join(REPO_ROOT, IMAGE_CONFIG), "utf8");
    expect(image).toMatch(new RegExp(`^proxy:[^]*?^  enabled: true\\b[^]*?^  cacheDir: ${STORE_PATH}\\s`, "m"));
    // Otherwise the same as config/modgate.yaml (npm start's): the two cannot drift apart.
    const body = (text: string) => text.replace(/^(#.*\n)+/, "").replace(/^  cacheDir: .*$/m, "  cacheDir: X");
    expect(body(image)).toBe(body(example));
  });

  it("is documented in the README at the same path and port", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Run with Docker"));
    expect(section.startsWith("## Run with Docker")).toBe(true);
    expect(section).toContain(CONFIG_PATH);
    expect(section).toContain("docker build");
    expect(section).toMatch(/\/-\/healthz/);
  });

  it("keeps local state and secrets out of the build context (.dockerignore)", () => {
    const ignored = dockerignoreFilter(DOCKERIGNORE);
    for (const path of ["node_modules/x/index.js", "dist/node/cli.js", ".git/config", ".env", ".dev.vars", "test-results/a.json"]) {
      expect(ignored(path), path).toBe(true);
    }
    for (const path of ["package.json", "package-lock.json", "src/node/cli.ts", "config/modgate.yaml", "tsconfig.build.json"]) {
      expect(ignored(path), path).toBe(false);
    }
  });
});

describe("Dockerfile: build and start steps, emulated in a clean directory", () => {
  const enabled = requireTools("git");
  let workDir = "";
  let image: FinalImage;
  let steps: StepLog[] = [];
  let buildMs = 0;
  /** The user the container would run as: uid/gid 65534 (nobody) when we are root. */
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

  beforeAll(async () => {
    if (!enabled) return;
    workDir = await makeTempDir("dockerfile");
    await chmod(workDir, 0o755); // the unprivileged user must reach the runtime stage's files
    const context = join(workDir, "context");
    await copyContext(context);
    const started = Date.now();
    // Files made in the image get a container's default umask (022), whatever this shell's is.
    const umask = setUmask(0o022);
    try {
      ({ final: image, steps } = await emulateBuild({
        dockerfile: stages,
        context,
        workDir,
        baseEnv: buildEnv(),
        runTimeoutMs: RUN_TIMEOUT_MS,
      }));
    } finally {
      if (umask !== undefined) setUmask(umask);
    }
    buildMs = Date.now() - started;
    console.info(
      `dockerfile: emulated in ${buildMs} ms\n` +
        steps.map((s) => `  stage ${s.stage} line ${s.line}: ${s.keyword} ${s.args.slice(0, 60)} — ${s.skipped ?? `${s.ms} ms`}`).join("\n"),
    );
  }, RUN_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    if (workDir !== "") await removeDir(workDir);
  });

  it.runIf(enabled)("the runtime stage holds only dist/, production node_modules, package.json and the example config", async () => {
    expect((await readdir(image.root)).sort()).toEqual(["app", "etc", "var"]);
    expect(await readdir(hostPath(image.root, "/var"))).toEqual(["lib"]);
    expect(await readdir(hostPath(image.root, "/var/lib"))).toEqual(["modgate"]);
    expect(await readdir(hostPath(image.root, STORE_PATH))).toEqual([]);
    expect(image.volumes).toEqual([STORE_PATH]);
    expect(image.ownedDirs).toEqual([{ path: STORE_PATH, owner: image.user, group: image.user, mode: "0750" }]);
    const app = hostPath(image.root, image.workdir);
    expect(image.workdir).toBe("/app");
    expect((await readdir(app)).sort()).toEqual(["dist", "node_modules", "package.json"]);
    expect(existsSync(join(app, "dist/node/cli.js"))).toBe(true);
    expect(existsSync(join(app, "dist/worker.js")), "the Worker entry is not part of the Node build").toBe(false);
    for (const dep of Object.keys(PACKAGE.dependencies)) expect(existsSync(join(app, "node_modules", dep)), dep).toBe(true);
    for (const dev of Object.keys(PACKAGE.devDependencies)) expect(existsSync(join(app, "node_modules", dev)), dev).toBe(false);
    expect(await readdir(hostPath(image.root, "/etc/modgate"))).toEqual(["modgate.yaml"]);
    expect(await readFile(hostPath(image.root, CONFIG_PATH), "utf8")).toBe(await readFile(join(REPO_ROOT, IMAGE_CONFIG), "utf8"));
    expect(image.user).toBeDefined();
    expect(image.createdUsers).toContain(image.user!.split(":")[0]);
  });

  it.runIf(enabled)("the example config it ships passes modgate check", async () => {
    const result = await runCommand([process.execPath, "dist/node/cli.js", "check", hostPath(image.root, CONFIG_PATH)], {
      cwd: hostPath(image.root, image.workdir),
      env: runtimeEnv(image, 0),
      timeoutMs: 30_000,
      ...asUser,
    });
    expect(result.output).toMatch(/: ok: \d+ modules/);
    expect(result.code).toBe(0);
  });

  it.runIf(enabled)("CMD with the example config writes its store in the volume, as the service user", async () => {
    // Paths inside the image map to the stand-in root; the volume's directory gets the owner
    // `install -d` recorded (here: the user the tests run the service as).
    const store = hostPath(image.root, STORE_PATH);
    if (asUser.uid !== undefined) await runOk("chown", [`${asUser.uid}:${asUser.gid}`, store], { cwd: image.root, env: { PATH: process.env.PATH } });
    const example = await readFile(hostPath(image.root, CONFIG_PATH), "utf8");
    const config = join(workDir, "example-in-stand-in.yaml");
    await writeFile(config, example.replace(`cacheDir: ${STORE_PATH}`, `cacheDir: ${store}`));
    await chmod(config, 0o644);
    const port = await freeLoopbackPort();
    const env = { ...runtimeEnv(image, port), MODGATE_CONFIG: config };
    const server = spawn(argvOf(image.cmd!)[0]!, argvOf(image.cmd!).slice(1), {
      cwd: hostPath(image.root, image.workdir),
      env,
      stdio: ["ignore", "pipe", "pipe"],
      ...asUser,
    });
    try {
      const output = await waitForListening(server, 30_000);
      // The store is set up at start: its temporary area exists, made by the service's user.
      expect(await readdir(store), output()).toEqual([".tmp"]);
      const sumdb = await httpRequest(`http://${LOOPBACK}:${port}`, { path: "/sumdb/sum.golang.org/supported" });
      expect(sumdb.status, "the example config enables the proxy").toBe(404);
      expect(sumdb.body.toString("utf8")).toContain("checksum database");
    } finally {
      server.kill("SIGKILL");
    }
  });

  it.runIf(enabled)("CMD serves the mounted config, HEALTHCHECK passes, go get is answered, STOPSIGNAL stops it cleanly", async () => {
    // Mount a config over the example, as `docker run -v ./modgate.yaml:/etc/modgate/modgate.yaml:ro` does.
    const mounted = hostPath(image.root, image.env.MODGATE_CONFIG!);
    await writeFile(
      mounted,
      `gitlab:\n  url: https://gitlab.example.com\nmodules:\n  - path: go.example.com/tools\n    project: platform/devtools/tools\n  - path: go.example.com/secret\n    project: platform/secret\n    private: true\n`,
    );
    await chmod(mounted, 0o644); // as the README asks: readable by the container's user
    const port = await freeLoopbackPort();
    const env = runtimeEnv(image, port);
    const cwd = hostPath(image.root, image.workdir);
    const healthcheck = image.healthcheck!;
    const healthTimeoutMs = durationMs(healthcheck.options.timeout ?? "30s");
    const runHealthcheck = () => runCommand(argvOf(healthcheck.command), { cwd, env, timeoutMs: healthTimeoutMs, ...asUser });

    const server = spawn(argvOf(image.cmd!)[0]!, argvOf(image.cmd!).slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"], ...asUser });
    try {
      const output = await waitForListening(server, 30_000);
      expect(output()).toContain(`:${port}`);

      const healthy = await runHealthcheck();
      expect(healthy.code, healthy.output).toBe(0);

      const base = `http://${LOOPBACK}:${port}`;
      const goGet = await httpRequest(base, { path: "/tools/pkg/x?go-get=1", host: "go.example.com" });
      expect(goGet.status).toBe(200);
      expect(goGet.body.toString("utf8")).toContain(
        '<meta name="go-import" content="go.example.com/tools git https://gitlab.example.com/platform/devtools/tools.git">',
      );
      const index = await httpRequest(base, { path: "/", host: "go.example.com" });
      expect(index.status).toBe(200);
      expect(index.body.toString("utf8")).toContain("go.example.com/tools");
      expect(index.body.toString("utf8")).not.toContain("go.example.com/secret");

      // docker stop: STOPSIGNAL, then SIGKILL after the grace period.
      const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
      server.kill(image.stopSignal as NodeJS.Signals);
      const code = await Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), STOP_TIMEOUT_MS))]);
      expect(code, output()).toBe(0);

      // A health check that cannot fail is worth nothing: with the server gone it must fail.
      const unhealthy = await runHealthcheck();
      expect(unhealthy.code).not.toBe(0);
    } finally {
      if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
    }
  });
});

// ---------------------------------------------------------------------------

/** Sets the process umask and returns the old one; undefined where it cannot be set (worker threads). */
function setUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined;
  }
}

/** The repository's files, as a fresh checkout has them, minus .dockerignore, copied to dir. */
async function copyContext(dir: string): Promise<void> {
  const { stdout } = await runOk("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  const ignored = dockerignoreFilter(DOCKERIGNORE);
  const files = [...new Set(stdout.split("\0").filter((f) => f !== ""))].filter((f) => !ignored(f));
  for (const file of files) {
    const from = join(REPO_ROOT, file);
    if (!existsSync(from)) continue; // deleted, not yet committed
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await copyFile(from, join(dir, file));
  }
}

/**
 * The environment of the build stage's RUN steps: this machine's (HOME for npm's cache and
 * settings, PATH for node and npm), without what `npm test` and vitest add. npm_config_* from
 * the outer npm would point npm at this repository (npm_config_local_prefix) instead of the
 * stage's WORKDIR. prefer-offline lets npm ci use the cache the outer install filled.
 */
function buildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/.test(key) || /^VITEST/.test(key) || ["INIT_CWD", "NODE_ENV", "NODE_OPTIONS", "TEST"].includes(key)) continue;
    env[key] = value;
  }
  env.npm_config_prefer_offline = "true";
  env.npm_config_update_notifier = "false";
  return env;
}

/** A container's environment: the image's ENV over a base PATH; the config path mapped into the stand-in root. */
function runtimeEnv(img: FinalImage, port: number): NodeJS.ProcessEnv {
  return {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: "/nonexistent",
    ...img.env,
    MODGATE_CONFIG: hostPath(img.root, img.env.MODGATE_CONFIG!),
    PORT: String(port),
  };
}

/** `node` in an exec form is the image's node: here, the one running the tests. */
function argvOf(argv: string[]): string[] {
  return argv[0] === "node" ? [process.execPath, ...argv.slice(1)] : argv;
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<() => string> {
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening after ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (/listening on http:\/\/\S+/.test(output)) {
        clearTimeout(timer);
        resolve(() => output);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before listening:\n${output}`));
    });
  });
}
