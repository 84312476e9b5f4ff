// `npm run build:worker`: the deployable bundle stays small, ships the
// compiled config as data (no YAML parser, no zod), and a broken config
// fails the build with the same located messages as `modgate check`.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeDir, REPO_ROOT, run } from "./harness/index.js";

/** The budget the issue sets for gzipped JavaScript under dist/worker. */
const GZIP_BUDGET_BYTES = 64 * 1024;

/** Where `npm run build:worker` writes the deployable bundle. */
const OUTDIR = join(REPO_ROOT, "dist/worker");

function buildWorker(configPath: string) {
  return run("npm", ["run", "build:worker"], {
    cwd: REPO_ROOT,
    env: { ...process.env, MODGATE_CONFIG: configPath },
    timeoutMs: 120_000,
  });
}

async function javascriptUnder(dir: string): Promise<Buffer> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".js") || f.endsWith(".mjs"));
  expect(files.length).toBeGreaterThan(0);
  return Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, f)))));
}

describe("Worker build", () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await makeTempDir("worker-build");
  });
  afterAll(async () => {
    await removeDir(tmp);
  });

  it("bundles the example config into a minified Worker within the gzip budget", async () => {
    const result = await buildWorker(join(REPO_ROOT, "config/modgate.yaml"));
    expect(result.code, result.stderr + result.stdout).toBe(0);
    // The config is compiled once, by the npm script, not again by a wrangler [build] command.
    expect((result.stdout + result.stderr).match(/modgate: compiled /g), result.stderr).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toContain("[custom build]");
    const js = await javascriptUnder(OUTDIR);
    const gzipped = gzipSync(js).length;
    expect(gzipped).toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
    const text = js.toString("utf8");
    // The config ships as data ...
    expect(text).toContain("platform/devtools/tools");
    // ... and the YAML parser and zod stay behind (their error classes are named in their code).
    expect(text).not.toMatch(/YAMLParseError|YAMLSemanticError/);
    expect(text).not.toMatch(/ZodError|\$ZodType/);
  });

  it("fails on a broken config and names the file, line and column", async () => {
    const configPath = join(tmp, "broken.yaml");
    await writeFile(configPath, "modules:\n  - path: go.example.com/tools\n    projct: platform/tools\n");
    const result = await buildWorker(configPath);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain(`${configPath}:3:5: unknown key "projct"`);
    // The compile step stops the build before wrangler starts: no wrangler banner, no stack trace.
    expect(result.stdout + result.stderr).not.toMatch(/wrangler \d|\[ERROR\]|^\s+at /m);
  });
});
