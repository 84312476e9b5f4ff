// `npm run dev:worker` as a Worker user runs it (issue 9): the config is
// compiled once at start; a broken config stops it with the located problems
// (no wrangler stack trace); an edit to the config takes effect in the running
// Worker, and a broken edit is reported while the last good config serves on.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest, makeTempDir, removeDir, REPO_ROOT, run, startModgateWorker, type RunningModgate } from "./harness/index.js";

const ONE = "modules:\n  - path: go.example.com/a\n    repo: https://git.example.com/a\n";
const TWO = `${ONE}  - path: go.example.com/b\n    repo: https://git.example.com/b\n`;
const BROKEN = "modules:\n  - path: go.example.com/a\n    rpo: https://git.example.com/a\n";
/** Generous: workerd reloads in well under a second; a slow CI machine must not fail here. */
const RELOAD_DEADLINE_MS = 60_000;

async function statusOf(worker: RunningModgate, path: string): Promise<number> {
  return (await httpRequest(worker.url, { path, host: "go.example.com" })).status;
}

async function waitUntil(what: string, done: () => Promise<boolean> | boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + RELOAD_DEADLINE_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${RELOAD_DEADLINE_MS} ms\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("npm run dev:worker", () => {
  let dir: string;
  let config: string;
  let worker: RunningModgate | undefined;

  beforeAll(async () => {
    dir = await makeTempDir("worker-dev");
    config = join(dir, "modgate.yaml");
  });
  afterAll(async () => {
    await worker?.close();
    await removeDir(dir);
  });

  it("stops on a broken config with its file:line:col problems, exit 1, no stack trace", async () => {
    await writeFile(config, BROKEN);
    const result = await run("npm", ["run", "dev:worker", "--", "--port", "0", "--ip", "127.0.0.1"], {
      cwd: REPO_ROOT,
      env: { ...process.env, MODGATE_CONFIG: config },
      timeoutMs: 120_000,
    });
    const output = result.stdout + result.stderr;
    expect(result.code, output).toBe(1);
    expect(output).toContain(`${config}:3:5: unknown key "rpo" in modules[0]: did you mean repo?`);
    expect(output).not.toMatch(/wrangler \d|\[ERROR\]|^\s+at /m);
  });

  it("compiles once at start and applies edits to the config while it runs", async () => {
    await writeFile(config, ONE);
    worker = await startModgateWorker(config);
    const atStart = worker.output();
    expect(atStart.match(/modgate: compiled /g), atStart).toHaveLength(1);
    expect(atStart).not.toContain("[custom build]");
    expect(await statusOf(worker, "/a?go-get=1")).toBe(200);
    expect(await statusOf(worker, "/b?go-get=1")).toBe(404);

    await writeFile(config, TWO);
    // While workerd reloads, a request may fail outright: that counts as "not yet".
    await waitUntil(
      "the new module served",
      () =>
        statusOf(worker!, "/b?go-get=1").then(
          (s) => s === 200,
          () => false,
        ),
      worker.output,
    );

    const before = worker.output().length;
    await writeFile(config, BROKEN);
    await waitUntil("the broken edit reported", () => worker!.output().slice(before).includes(`${config}:3:5: unknown key "rpo"`), worker.output);
    expect(worker.output().slice(before)).toContain("the Worker keeps the last good config");
    expect(await statusOf(worker, "/b?go-get=1")).toBe(200);
  });
});
