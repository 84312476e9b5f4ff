// `modgate store verify [--fix]` with the built CLI (issue "the proxy keeps
// its promises"): versions built through the proxy verify clean; a stored
// zip changed in place (same size) is named with why and exit 1; --fix
// removes the whole version, and the next download builds it again with the
// h1 the go command recorded the first time. Repositories reach modgate
// through the GitLab stand-in's REST API.
import { existsSync, readdirSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addCommit,
  createGoEnv,
  createRepoRoot,
  makeRepo,
  makeTempDir,
  removeDir,
  requireTools,
  run,
  startGitLabStandIn,
  startModgateNode,
  type GitLabStandIn,
  type GoEnv,
  type RepoRoot,
  type RunningModgate,
} from "./harness/index.js";
import { REPO_ROOT } from "./harness/modgate.js";

const HOST = "go.example.com";
const MODULE = `${HOST}/tools`;
const TOKEN = "glpat-store-verify-test-token";
const CLI = join(REPO_ROOT, "dist", "node", "cli.js");

describe.skipIf(!requireTools("go", "git"))("modgate store verify", () => {
  let repos: RepoRoot;
  let lab: GitLabStandIn;
  let modgate: RunningModgate | undefined;
  const goEnvs: GoEnv[] = [];
  let dir: string;
  let store: string;
  let configPath: string;

  beforeAll(async () => {
    repos = await createRepoRoot();
    const tools = await makeRepo(repos.dir, "platform/tools", {
      files: { "go.mod": `module ${MODULE}\n\ngo 1.21\n`, "a.go": "package tools\n" },
      tags: ["v1.0.0"],
    });
    await addCommit(tools, { files: { "b.go": "package tools\n\nconst B = 1\n" }, tags: ["v1.1.0"] });
    lab = await startGitLabStandIn({ root: repos.dir, token: TOKEN, projects: [{ path: "platform/tools", visibility: "public" }] });
    dir = await makeTempDir("store-verify");
    store = join(dir, "store");
    configPath = join(dir, "modgate.yaml");
    await writeFile(
      configPath,
      `gitlab:\n  url: ${lab.url}\n  token: ${TOKEN}\nproxy:\n  enabled: true\n  cacheDir: ${store}\nmodules:\n  - path: ${MODULE}\n    project: platform/tools\n`,
    );
  });

  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), lab?.close()]);
    await Promise.allSettled([...goEnvs.map((g) => g.close()), repos?.close(), dir && removeDir(dir)]);
  });

  const verify = (...args: string[]) =>
    run(process.execPath, [CLI, "store", "verify", "--config", configPath, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      timeoutMs: 60_000,
    });
  /** `go mod download -json` through a modgate started now, with a module cache of its own. */
  const download = async (version: string) => {
    modgate ??= await startModgateNode(configPath);
    const goEnv = await createGoEnv({ env: { GOPROXY: modgate.url } });
    goEnvs.push(goEnv);
    const d = await goEnv.goModDownload(`${MODULE}@${version}`);
    expect(d.info?.Error, d.stderr).toBeUndefined();
    return d.info!;
  };
  /** The store keys are the GitLab project's: `<module>/@p/<project id>/@v/…` (one project here). */
  const projectDir = () => {
    const ids = readdirSync(join(store, `${HOST}/tools/@p`));
    expect(ids).toHaveLength(1);
    return `${HOST}/tools/@p/${ids[0]}`;
  };
  const stored = (version: string, ext: string) => join(store, `${projectDir()}/@v/${version}.${ext}`);

  it("builds through the proxy, verifies, names a changed zip, removes it with --fix, and the next download builds it again", async () => {
    const first = await download("v1.0.0");
    await download("v1.1.0");
    expect(first.Sum).toMatch(/^h1:/);
    // The record holds the h1 the go command computed, and the zip's size.
    const zipPath = stored("v1.0.0", "zip");
    const size = (await stat(zipPath)).size;
    expect(await readFile(stored("v1.0.0", "ziphash"), "utf8")).toBe(`${first.Sum}\n${size}\n`);

    const clean = await verify();
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toBe(`${store}: 2 versions checked, every zip as recorded\n`);

    // One byte changed in place, the size kept: a file's name in the central directory (its last mention).
    const zip = await readFile(zipPath);
    zip[zip.lastIndexOf("a.go")] = "z".charCodeAt(0);
    await writeFile(zipPath, zip);
    expect((await stat(zipPath)).size).toBe(size);

    const bad = await verify();
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    const lines = bad.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`^${MODULE}@v1\\.0\\.0: its files hash to h1:\\S+, recorded ${escape(first.Sum!)} \\(${projectDir()}/@v/v1\\.0\\.0\\.zip\\)$`),
    );
    expect(lines[1]).toBe(`${store}: 2 versions checked, 1 bad: run with --fix to remove them`);
    expect(existsSync(zipPath)).toBe(true); // without --fix nothing is removed

    const fixed = await verify("--fix");
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(1);
    expect(fixed.stdout).toContain(`${MODULE}@v1.0.0: its files hash to `);
    expect(fixed.stdout).toContain(`: removed\n${store}: 2 versions checked, 1 bad: removed, built again on their next download\n`);
    for (const ext of ["zip", "ziphash", "info", "mod"]) expect(existsSync(stored("v1.0.0", ext)), ext).toBe(false);
    for (const ext of ["zip", "ziphash", "info", "mod"]) expect(existsSync(stored("v1.1.0", ext)), ext).toBe(true);
    const after = await verify();
    expect(after.code).toBe(0);
    expect(after.stdout).toBe(`${store}: 1 version checked, every zip as recorded\n`);

    // A server that served v1.0.0 remembers small answers in memory: the next download is a new process's.
    await modgate!.close();
    modgate = undefined;
    const again = await download("v1.0.0");
    expect(again.Sum).toBe(first.Sum);
    expect(existsSync(zipPath)).toBe(true);
    expect((await readFile(stored("v1.0.0", "ziphash"), "utf8")).split("\n")[0]).toBe(first.Sum);
    const rebuilt = await verify();
    expect(rebuilt.code, rebuilt.stdout).toBe(0);
    expect(rebuilt.stdout).toBe(`${store}: 2 versions checked, every zip as recorded\n`);
  });

  it("exits 1 saying so when the config names no store", async () => {
    const none = join(dir, "none.yaml");
    await writeFile(
      none,
      `gitlab:\n  url: ${lab.url}\nproxy:\n  enabled: true\n  cacheDir: ${join(dir, "never-built")}\nmodules:\n  - path: ${MODULE}\n    project: platform/tools\n`,
    );
    const r = await run(process.execPath, [CLI, "store", "verify", "--config", none], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`there is no store at ${join(dir, "never-built")}`);
    expect(existsSync(join(dir, "never-built"))).toBe(false);
  });

  it("refuses an unknown subcommand or argument with the usage", async () => {
    const r = await run(process.execPath, [CLI, "store", "check"], { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown store subcommand "check"');
    expect(r.stderr).toContain("modgate store verify [--config FILE] [--fix]");
  });
});

/** A string as a literal in a RegExp. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
