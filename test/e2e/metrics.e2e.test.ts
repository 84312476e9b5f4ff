// /-/metrics of `modgate serve`: requests by outcome and status, GitLab API
// calls and their latency, discovery cache results, config reloads.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest, makeTempDir, removeDir, startGitLabStandIn, startModgateNode, type GitLabStandIn, type RunningModgate } from "./harness/index.js";

const TOKEN = "metrics-test-token-7f3a";

function configFor(gitlab: GitLabStandIn): string {
  return `gitlab:
  url: ${gitlab.url}
  token: \${GITLAB_TOKEN}
modules:
  - path: go.example.com/tools
    project: platform/devtools/tools
  - path: go.example.com/oss
    group: platform/oss
`;
}

/** The value of one sample line, e.g. sample(text, 'modgate_requests_total{outcome="answered",status="200"}'). */
function sample(metrics: string, series: string): number {
  const line = metrics.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe("/-/metrics", () => {
  let dir: string;
  let gitlab: GitLabStandIn;
  let modgate: RunningModgate;
  let configPath: string;

  beforeAll(async () => {
    dir = await makeTempDir("metrics");
    gitlab = await startGitLabStandIn({ root: dir, token: TOKEN, projects: [{ path: "platform/oss/lib", visibility: "public" }] });
    configPath = join(dir, "modgate.yaml");
    await writeFile(configPath, configFor(gitlab));
    modgate = await startModgateNode(configPath, { GITLAB_TOKEN: TOKEN, MODGATE_LOG: "off" });
  });
  afterAll(async () => {
    await Promise.allSettled([modgate?.close(), gitlab?.close()]);
    await removeDir(dir);
  });

  const get = (path: string, method = "GET") => httpRequest(modgate.url, { path, host: "go.example.com", method });
  const metrics = async () => {
    const res = await get("/-/metrics");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.body.toString("utf8");
  };

  it("counts requests by outcome and status", async () => {
    const before = await metrics();
    await get("/tools/pkg?go-get=1");
    await get("/tools/pkg?go-get=1");
    await get("/nothing?go-get=1");
    await get("/tools", "POST");
    const after = await metrics();
    const delta = (series: string) => sample(after, series) - sample(before, series);
    // The 2 hits, and the /-/metrics request that produced `before` (counted after it rendered).
    expect(delta('modgate_requests_total{outcome="answered",status="200"}')).toBe(3);
    expect(delta('modgate_requests_total{outcome="not_found",status="404"}')).toBe(1);
    expect(delta('modgate_requests_total{outcome="rejected",status="405"}')).toBe(1);
  });

  it("counts GitLab API calls, their latency, and cache hits and misses", async () => {
    const before = await metrics();
    expect((await get("/oss/lib/sub?go-get=1")).status).toBe(200); // looks up oss/lib (a project: the walk ends there)
    expect((await get("/oss/nope?go-get=1")).status).toBe(404); // looks up oss/nope (neither project nor group)
    expect((await get("/oss/lib?go-get=1")).status).toBe(200); // oss/lib again: from cache
    const after = await metrics();
    const delta = (series: string) => sample(after, series) - sample(before, series);
    expect(delta('modgate_gitlab_api_calls_total{outcome="found"}')).toBe(1);
    expect(delta('modgate_gitlab_api_calls_total{outcome="missing"}')).toBe(1);
    expect(delta("modgate_gitlab_api_call_seconds_count")).toBe(2);
    expect(delta('modgate_gitlab_api_call_seconds_bucket{le="+Inf"}')).toBe(2);
    expect(delta('modgate_discovery_cache_total{result="miss"}')).toBe(2);
    expect(delta('modgate_discovery_cache_total{result="hit"}')).toBe(1);
    expect(sample(after, "modgate_gitlab_up")).toBe(1);
    expect(after).not.toContain(TOKEN);
  });

  it("counts config reloads, good and broken", async () => {
    const before = await metrics();
    modgate.child.kill("SIGHUP");
    await expect
      .poll(async () => sample(await metrics(), 'modgate_config_reloads_total{result="ok"}'))
      .toBe(sample(before, 'modgate_config_reloads_total{result="ok"}') + 1);
    await writeFile(configPath, "modules:\n  - path: go.example.com/tools\n    projekt: x\n");
    modgate.child.kill("SIGHUP");
    await expect
      .poll(async () => sample(await metrics(), 'modgate_config_reloads_total{result="failed"}'))
      .toBe(sample(before, 'modgate_config_reloads_total{result="failed"}') + 1);
    await writeFile(configPath, configFor(gitlab));
  });
});
