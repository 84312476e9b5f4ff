// Operations under stress (issue 6): memory over many reloads, SIGTERM in the
// middle of a load, and a GitLab API that flaps or hangs. Against the built
// `modgate serve`, with the GitLab stand-in; loopback only, bounded loops.
import { readFile, writeFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest, makeTempDir, removeDir, startGitLabStandIn, startModgateNode, type GitLabStandIn, type RunningModgate } from "./harness/index.js";
import { discoveryConfig, HOST, importPathOf, PROJECT, randomToken, STAND_IN_PROJECTS, unseen } from "../contract/discovery-fixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir("resilience");
});
afterAll(async () => {
  if (dir) await removeDir(dir);
});

/** A config of `count` literal modules, so each reload compiles something sizeable. */
function bigConfig(count: number): string {
  const modules = Array.from({ length: count }, (_, i) => `  - path: go.example.com/m${i}\n    project: platform/group${i % 7}/m${i}\n`);
  return `gitlab:\n  url: https://gitlab.example.com\nmodules:\n${modules.join("")}`;
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

/** Sends SIGHUP and waits for the reload's report, so reloads never pile up. */
async function reload(modgate: RunningModgate, expectedReloads: number): Promise<void> {
  modgate.child.kill("SIGHUP");
  await expect.poll(() => modgate.output().match(/modgate: reloaded /g)?.length ?? 0, { timeout: 30_000, interval: 5 }).toBe(expectedReloads);
}

describe("reloads", () => {
  it("keeps memory flat over many reloads of a 2,000-module config", async () => {
    const configPath = join(dir, "big.yaml");
    await writeFile(configPath, bigConfig(2_000));
    const modgate = await startModgateNode(configPath, { MODGATE_LOG: "off" });
    try {
      const pid = modgate.child.pid!;
      const ask = () => httpRequest(modgate.url, { path: "/m1999/pkg?go-get=1", host: HOST });
      // Warm up: the first reloads grow the heap to its working size.
      for (let i = 1; i <= 30; i++) await reload(modgate, i);
      const settled = await rssKiB(pid);
      for (let i = 31; i <= 230; i++) {
        await reload(modgate, i);
        if (i % 20 === 0) expect((await ask()).status).toBe(200);
      }
      const after = await rssKiB(pid);
      // 200 more reloads each built a new router of 2,000 modules (several MiB): a leak of even one
      // router per reload would add hundreds of MiB. Allow for GC timing, not for a leak.
      expect(after - settled, `RSS went from ${settled} KiB to ${after} KiB`).toBeLessThan(64 * 1024);
    } finally {
      await modgate.close();
    }
  });
});

describe("SIGTERM under load", () => {
  it("answers every request it accepted completely, then exits 0", async () => {
    const configPath = join(dir, "load.yaml");
    await writeFile(configPath, bigConfig(50));
    const modgate = await startModgateNode(configPath, { MODGATE_LOG: "off" });
    const url = new URL(modgate.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const outcomes = { complete: 0, truncated: 0, wrongStatus: 0, refusedOrReset: 0 };
    let stop = false;

    const one = () =>
      new Promise<void>((resolve) => {
        const req = request({ host: url.hostname, port: url.port, path: "/m7/x?go-get=1", headers: { host: HOST }, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const body = Buffer.concat(chunks);
            if (res.statusCode !== 200) outcomes.wrongStatus++;
            else if (body.length !== Number(res.headers["content-length"]) || !body.toString().includes("</html>")) outcomes.truncated++;
            else outcomes.complete++;
            resolve();
          });
          res.on("error", () => {
            outcomes.truncated++;
            resolve();
          });
        });
        // Refused (server gone) or reset before any response: the client retries elsewhere.
        req.on("error", () => {
          outcomes.refusedOrReset++;
          resolve();
        });
        req.end();
      });
    const worker = async () => {
      while (!stop) await one();
    };

    const workers = Array.from({ length: 16 }, worker);
    await expect.poll(() => outcomes.complete, { timeout: 60_000 }).toBeGreaterThan(500);
    const exited = new Promise<number | null>((resolve) => modgate.child.once("exit", (code) => resolve(code)));
    modgate.child.kill("SIGTERM");
    const code = await exited;
    stop = true;
    await Promise.all(workers);
    agent.destroy();

    expect(code).toBe(0);
    expect(outcomes.truncated).toBe(0);
    expect(outcomes.wrongStatus).toBe(0);
    expect(outcomes.complete).toBeGreaterThan(500);
  });
});

describe("GitLab faults", () => {
  const token = randomToken();
  let gitlab: GitLabStandIn;
  let modgate: RunningModgate;
  const ask = (path: string) => httpRequest(modgate.url, { path: `${path}?go-get=1`, host: HOST });
  const known = `/${importPathOf(PROJECT.steady).slice(HOST.length + 1)}/pkg`;

  beforeAll(async () => {
    gitlab = await startGitLabStandIn({ root: dir, token, projects: STAND_IN_PROJECTS });
    const configPath = join(dir, "faults.yaml");
    // cacheTtl 0: every request asks GitLab, so every request meets the fault of the moment.
    // apiTimeout 2 s: the stand-in's answers in "ok" must come within it on a busy machine.
    await writeFile(configPath, discoveryConfig({ gitlabUrl: gitlab.url, cacheTtl: 0, negativeCacheTtl: 0, apiTimeout: 2 }));
    modgate = await startModgateNode(configPath, { GITLAB_TOKEN: token, MODGATE_LOG: "off" });
  });
  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), gitlab?.close()]);
  });

  it("serves a known module through a flapping API, and never calls an unknown path missing while GitLab fails", async () => {
    expect((await ask(known)).status).toBe(200); // learnt once while GitLab is up
    const statuses = { known: new Map<string, number[]>(), unknown: new Map<string, number[]>() };
    const record = (map: Map<string, number[]>, mode: string, status: number) => map.set(mode, [...(map.get(mode) ?? []), status]);
    const modes = ["down", "ok", "refuse", "ok", "down", "down", "ok"] as const;
    for (const [round, mode] of modes.entries()) {
      gitlab.setMode(mode);
      for (let i = 0; i < 5; i++) {
        record(statuses.known, mode, (await ask(known)).status);
        const fresh = `/oss/${unseen(`flap${round}x${i}`)}`;
        record(statuses.unknown, mode, (await ask(fresh)).status);
      }
    }
    gitlab.setMode("ok");
    // The known module: fresh answers while GitLab is up, stale ones while it fails; always 200.
    for (const [, list] of statuses.known) expect(new Set(list)).toEqual(new Set([200]));
    // An unknown path: 503 while GitLab fails, never 404 or 200. Once GitLab is back, 404 when it says
    // so — or still 503 for the few seconds modgate holds it as failing (the circuit's back-off).
    expect(new Set([...statuses.unknown.get("down")!, ...statuses.unknown.get("refuse")!])).toEqual(new Set([503]));
    for (const status of statuses.unknown.get("ok")!) expect([404, 503]).toContain(status);
    // After the back-off, one request probes GitLab, and unknown paths are 404 again.
    await expect.poll(async () => (await ask(`/oss/${unseen("after")}`)).status, { timeout: 15_000, interval: 500 }).toBe(404);
  });

  it("gives up on a hanging API at its timeout instead of waiting for the answer", async () => {
    // The stand-in would answer after 10 s, with the project; a 503 proves the 2 s timeout cut it.
    gitlab.setMode("slow", 10_000);
    try {
      const res = await ask(`/oss/${unseen("hang")}`);
      expect(res.status).toBe(503);
      // Clients get the generic reason; the cause is the operator's (metrics, and the stderr line).
      expect(res.body.toString()).toBe("service unavailable: GitLab is unavailable; try again later\n");
      const metrics = (await httpRequest(modgate.url, { path: "/-/metrics", host: HOST })).body.toString();
      expect(metrics).toMatch(/^modgate_gitlab_failures_total\{cause="timeout"\} [1-9]/m);
    } finally {
      gitlab.setMode("ok");
    }
  });
});
