// `modgate serve --workers N`: N processes on one port; SIGHUP reloads every
// worker, a crashed worker is replaced, SIGTERM stops them all with exit 0.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest, makeTempDir, removeDir, startModgateNode, type RunningModgate } from "./harness/index.js";

const config = (modules: string[]) =>
  `gitlab:\n  url: https://gitlab.example.com\nmodules:\n${modules.map((m) => `  - path: go.example.com/${m}\n    project: platform/${m}\n`).join("")}`;

/** The pids of a process's children (the cluster's workers). */
function childrenOf(pid: number): number[] {
  return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
    .split("\n")
    .map((line) => Number(line.trim()))
    .filter((n) => n > 0);
}

describe("serve --workers 2", () => {
  let dir: string;
  let configPath: string;
  let modgate: RunningModgate;
  const ask = (path: string) => httpRequest(modgate.url, { path: `${path}?go-get=1`, host: "go.example.com" });
  const count = (re: RegExp) => modgate.output().match(re)?.length ?? 0;
  const workerPids = () => [...modgate.output().matchAll(/worker (\d+) exited/g)].map((m) => Number(m[1]));

  beforeAll(async () => {
    dir = await makeTempDir("cluster");
    configPath = join(dir, "modgate.yaml");
    await writeFile(configPath, config(["tools"]));
    modgate = await startModgateNode(configPath, { MODGATE_LOG: "off" }, ["--workers", "2"]);
  });
  afterAll(async () => {
    await modgate?.close();
    await removeDir(dir);
  });

  it("announces the port once, for 2 workers, and answers on it", async () => {
    expect(modgate.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(2 workers\)/);
    expect(count(/listening on/g)).toBe(1);
    for (let i = 0; i < 20; i++) expect((await ask("/tools/pkg")).status).toBe(200);
  });

  it("SIGHUP to the primary reloads every worker", async () => {
    await writeFile(configPath, config(["tools", "fresh"]));
    modgate.child.kill("SIGHUP");
    await expect.poll(() => count(/modgate: reloaded /g), { timeout: 30_000 }).toBe(2);
    // Every worker now knows the new module, whichever one answers.
    for (let i = 0; i < 20; i++) expect((await ask("/fresh")).status).toBe(200);
  });

  it("replaces a worker that dies", async () => {
    const before = workerPids().length;
    const workers = childrenOf(modgate.child.pid!);
    expect(workers.length).toBe(2);
    process.kill(workers[0]!, "SIGKILL");
    await expect.poll(() => workerPids().length, { timeout: 30_000 }).toBe(before + 1);
    await expect.poll(() => childrenOf(modgate.child.pid!).length, { timeout: 30_000 }).toBe(2);
    for (let i = 0; i < 20; i++) expect((await ask("/tools")).status).toBe(200);
  });

  it("SIGTERM stops every worker and exits 0", async () => {
    const code = await modgate.close();
    expect(code).toBe(0);
    await expect(ask("/tools")).rejects.toThrow();
  });
});
