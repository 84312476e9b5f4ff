// Discovery hardened (issue 9): case-folded look-ups, the cap on API calls and
// its queue, the circuit while GitLab fails, failures named by their cause,
// default branches checked like ref names, the operator's state lines and the
// metrics. GitLab is the stand-in, or a GitLab failing for real over loopback.
import { createServer } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { assemble } from "../../src/app/assemble.js";
import { MemoryLookupCache } from "../../src/discovery/lookup-cache.js";
import type { LookupEvent } from "../../src/discovery/project-lookup.js";
import { GitlabClient, UNKNOWN_BRANCH } from "../../src/gitlab/client.js";
import { GitlabUnavailable, fetchFailure } from "../../src/gitlab/failure.js";
import type { GitlabState } from "../../src/gitlab/health.js";
import { GitlabStateLog } from "../../src/gitlab/state-log.js";
import { isBranchName } from "../../src/gitlab/ref-name.js";
import { answer } from "../../src/app/answer.js";
import { Metrics } from "../../src/node/metrics.js";
import { startGitLabStandIn, type GitLabStandIn } from "../e2e/harness/gitlab-stand-in.js";
import { startHangingGitLab, startSelfSignedGitLab } from "../e2e/harness/failing-gitlab.js";
import { closeServer, listenLoopback, LOOPBACK } from "../e2e/harness/net.js";
import { requireTool } from "../e2e/harness/tools.js";
import { makeTempDir, removeDir } from "../e2e/harness/tmp.js";
import { controlOf, withCalls, type StandInControl } from "../contract/discovery-cases.js";
import { discoveryConfig, GROUP, HOST, PROJECT, randomToken, STAND_IN_PROJECTS, unseen } from "../contract/discovery-fixtures.js";
import type { Modgate } from "../../src/app/modgate.js";

const token = randomToken();
let lab: GitLabStandIn;
let control: StandInControl;
let dir: string;

beforeAll(async () => {
  dir = await makeTempDir("discovery-hardening");
  lab = await startGitLabStandIn({ root: dir, token, projects: STAND_IN_PROJECTS });
  control = controlOf(lab, token);
});

afterEach(() => lab.setMode("ok"));

afterAll(async () => {
  await lab?.close();
  if (dir) await removeDir(dir);
});

interface Setup {
  url?: string;
  cacheEntries?: number;
  maxConcurrentCalls?: number;
  apiTimeout?: number;
  now?: () => number;
  events?: LookupEvent[];
  states?: GitlabState[];
}

function router(o: Setup = {}): Modgate {
  const text = discoveryConfig({
    gitlabUrl: o.url ?? lab.url,
    cacheTtl: 60,
    negativeCacheTtl: 60,
    ...(o.cacheEntries === undefined ? {} : { cacheEntries: o.cacheEntries }),
    ...(o.maxConcurrentCalls === undefined ? {} : { maxConcurrentCalls: o.maxConcurrentCalls }),
    apiTimeout: o.apiTimeout ?? 2,
  });
  return assemble(compileConfig(text, "hardening.yaml", { env: { GITLAB_TOKEN: token } }), {
    cache: (c) => new MemoryLookupCache(c.discovery.cacheEntries),
    ...(o.now ? { now: o.now } : {}),
    onEvent: (e) => o.events?.push(e),
    onGitlabState: (s) => o.states?.push(s),
  });
}

const ask = async (r: Modgate, path: string) => answer("GET", HOST, `${path}?go-get=1`, r);

describe("case variants of a path", () => {
  it("share the real project's cache entry: made-up ones cannot evict it, and it answers through an outage", async () => {
    let now = 2_000_000_000_000;
    const r = router({ cacheEntries: 2, now: () => now });
    expect((await ask(r, "/oss/steady")).status).toBe(200);
    const variants = ["STEADY", "Steady", "sTeady", "stEady", "steAdy", "steaDy", "steadY", "StEaDy", "sTeAdY"];
    for (const v of variants) expect((await ask(r, `/oss/${v}/pkg`)).status).toBe(404);
    now += 61_000; // every look-up has expired ...
    lab.setMode("down"); // ... and GitLab is down
    const result = await ask(r, "/oss/steady/pkg");
    expect(result.status).toBe(200);
    expect(result.body).toContain(`${lab.url}/${PROJECT.steady}.git`);
  });

  it("make one look-up in flight between them", async () => {
    const r = router();
    lab.setMode("slow", 200);
    const { calls } = await withCalls(control, () => Promise.all(["/oss/Burst", "/oss/BURST", "/oss/burst"].map((p) => ask(r, p))));
    expect(calls.filter((c) => c.id.toLowerCase() === `${GROUP}/burst`)).toHaveLength(2); // one project and one group call
  });
});

describe("the cap on GitLab API calls", () => {
  it("holds at most maxConcurrentCalls sockets to a hanging GitLab, however many requests come", async () => {
    const hanging = await startHangingGitLab();
    try {
      const r = router({ url: hanging.url, maxConcurrentCalls: 4, apiTimeout: 0.5 });
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => ask(r, `/oss/made-up-${i}/x/y/z`)));
      expect(new Set(results.map((a) => a.status))).toEqual(new Set([503]));
      expect(hanging.maxOpen).toBeGreaterThan(0);
      expect(hanging.maxOpen).toBeLessThanOrEqual(4);
    } finally {
      await hanging.close();
    }
  });

  it("answers 503 at once when the queue is full, and says only that", async () => {
    const events: LookupEvent[] = [];
    const r = router({ maxConcurrentCalls: 1, events });
    lab.setMode("slow", 300);
    const results = await Promise.all(Array.from({ length: 30 }, () => ask(r, `/oss/${unseen("queued")}`)));
    const full = results.filter((a) => a.status === 503);
    expect(full.length).toBeGreaterThan(0);
    expect(full[0]!.body).toBe("service unavailable: too many requests are waiting for GitLab; try again later\n");
    // Those that got a slot were answered: GitLab did not fail.
    expect(results.some((a) => a.status === 404)).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ source: "held", cause: "overloaded" }));
  });

  it("refuses maxConcurrentCalls: 0", () => {
    const text = discoveryConfig({ gitlabUrl: lab.url, maxConcurrentCalls: 0 });
    expect(() => compileConfig(text, "x.yaml", { env: { GITLAB_TOKEN: token } })).toThrow(/maxConcurrentCalls/);
    const defaults = compileConfig(discoveryConfig({ gitlabUrl: lab.url }), "x.yaml", { env: { GITLAB_TOKEN: token } });
    expect(defaults.gitlab?.maxConcurrentCalls).toBe(16);
  });
});

describe("the circuit while GitLab fails", () => {
  it("answers uncached paths at once, then lets one probe through after the back-off, and closes on success", async () => {
    let now = 2_100_000_000_000;
    const states: GitlabState[] = [];
    const r = router({ now: () => now, states });
    lab.setMode("down");
    expect((await ask(r, `/oss/${unseen("a")}`)).status).toBe(503);
    expect(states).toEqual([expect.objectContaining({ up: false, kind: "server_error" })]);
    const held = await withCalls(control, () => ask(r, `/oss/${unseen("b")}`));
    expect(held.result.status).toBe(503);
    expect(held.calls).toEqual([]);

    now += 5_000; // the back-off is over: one look-up probes, the others are answered at once
    const probing = await withCalls(control, () => Promise.all([ask(r, `/oss/${unseen("c")}`), ask(r, `/oss/${unseen("d")}`)]));
    expect(probing.result.map((a) => a.status)).toEqual([503, 503]);
    expect(new Set(probing.calls.map((c) => c.id)).size).toBe(1);

    now += 5_000;
    lab.setMode("ok");
    expect((await ask(r, "/oss/a/lib")).status).toBe(200);
    expect(states.at(-1)).toEqual(expect.objectContaining({ up: true }));
    const after = await withCalls(control, () => ask(r, `/oss/${unseen("e")}`));
    expect(after.result.status).toBe(404);
    expect(after.calls.length).toBe(2);
  });
});

describe("GitLab failures name their cause", () => {
  const api = (url: string, apiTimeoutMs = 1_000) => ({ url, apiTimeoutMs, token });
  const fetchProject = (o: ReturnType<typeof api>, path: string) => new GitlabClient({ ...o, maxConcurrentCalls: 16 }).project(path, { probe: false });
  const failure = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitlabUnavailable);
    return err as GitlabUnavailable;
  };

  it("a self-signed certificate: set NODE_EXTRA_CA_CERTS", async () => {
    if (!requireTool("openssl")) return;
    const tls = await startSelfSignedGitLab(dir);
    try {
      const err = await failure(fetchProject(api(tls.url), PROJECT.deep));
      expect(err.kind).toBe("tls");
      expect(err.reason).toMatch(/self-signed certificate in certificate chain .*set NODE_EXTRA_CA_CERTS=\/path\/ca\.pem/);
    } finally {
      await tls.close();
    }
  });

  it("a refused connection, with the address", async () => {
    const server = createServer();
    const port = await listenLoopback(server);
    await closeServer(server);
    const err = await failure(fetchProject(api(`http://${LOOPBACK}:${port}`), PROJECT.deep));
    expect(err.kind).toBe("refused");
    expect(err.reason).toContain(`connection refused to ${LOOPBACK}:${port}`);
  });

  it("an unknown host", async () => {
    const err = await failure(fetchProject(api("http://gitlab.modgate-test.invalid"), PROJECT.deep));
    expect(err.kind).toBe("dns");
    expect(err.reason).toContain("no such host gitlab.modgate-test.invalid");
  });

  it("a GitLab that does not answer in time", async () => {
    const hanging = await startHangingGitLab();
    try {
      const err = await failure(fetchProject(api(hanging.url, 300), PROJECT.deep));
      expect(err.kind).toBe("timeout");
      expect(err.reason).toContain("timed out after 0.3 s");
    } finally {
      await hanging.close();
    }
  });

  it.each([
    [401, "token_rejected", /GitLab rejected the token \(401\): check gitlab\.token \/ GITLAB_TOKEN/],
    [403, "forbidden", /403.*read_api/],
    [429, "rate_limited", /rate-limiting modgate \(429\), retry after 30 s/],
    [502, "server_error", /GitLab failed \(502\)/],
    [302, "redirect", /redirect to elsewhere\.example:8443/],
  ] as const)("HTTP %i", async (status, kind, reason) => {
    const server = createServer((_, res) => {
      res.writeHead(status, { "retry-after": "30", location: "https://elsewhere.example:8443/api/v4/x", "content-type": "application/json" });
      res.end("{}");
    });
    const port = await listenLoopback(server);
    try {
      const err = await failure(fetchProject(api(`http://${LOOPBACK}:${port}`), PROJECT.deep));
      expect(err.kind).toBe(kind);
      expect(err.reason).toMatch(reason);
      expect(err.reason).not.toContain(token);
    } finally {
      await closeServer(server);
    }
  });

  it("degrades to a generic reason for causes it does not know (other runtimes)", () => {
    const err = fetchFailure(new TypeError("Network connection lost."), "https://gitlab.example.com", 5_000);
    expect(err.kind).toBe("unreachable");
    expect(err.reason).toBe("GitLab at https://gitlab.example.com could not be reached");
  });
});

describe("default_branch, checked like a ref name", () => {
  it.each(["main", "release/1.x", "功能", "feature-ü", "v1.2", "a.b/c_d"])("accepts %j", (name) => {
    expect(isBranchName(name)).toBe(true);
  });

  it.each([
    "",
    "HEAD",
    "@",
    "-x",
    "a..b",
    "a@{1}",
    "a b",
    "a~1",
    "a^",
    "a:b",
    "a?",
    "a*",
    "a[b",
    "a\\b",
    "a/",
    "/a",
    "a//b",
    "a.",
    ".a",
    "a/.b",
    "a.lock",
    "a/b.lock/c",
    "a\u0000b",
    "a\tb",
    "a\u007fb",
  ])("refuses %j", (name) => {
    expect(isBranchName(name)).toBe(false);
  });

  it("links to HEAD instead of a branch git would refuse", async () => {
    const project = await new GitlabClient({ url: lab.url, apiTimeoutMs: 2_000, maxConcurrentCalls: 16, token }).project(PROJECT.oddBranch);
    expect(project).toMatchObject({ defaultBranch: UNKNOWN_BRANCH });
  });
});

describe("the operator's line per change of GitLab's state", () => {
  const failing = (kind: "timeout" | "refused", since = 0): GitlabState => ({ up: false, kind, reason: `why ${kind}`, since });

  it("writes one line when GitLab starts failing, one when its cause changes, one when it recovers", () => {
    let now = 0;
    const lines: string[] = [];
    const log = new GitlabStateLog(
      (l) => lines.push(l),
      () => now,
      0,
    );
    log.update(failing("timeout"));
    log.update(failing("timeout"));
    log.update(failing("refused"));
    now = 90_000;
    log.update({ up: true, since: now });
    log.update({ up: true, since: now });
    expect(lines).toEqual([
      "modgate: GitLab is failing (timeout): why timeout; serving cached answers, 503 for paths not cached",
      "modgate: GitLab is failing (refused): why refused; serving cached answers, 503 for paths not cached",
      "modgate: GitLab answers again after failing for 90 s",
    ]);
  });

  it("writes at most one failing line per interval while GitLab flaps, then the state it ended in", () => {
    vi.useFakeTimers();
    try {
      const lines: string[] = [];
      const log = new GitlabStateLog(
        (l) => lines.push(l),
        () => Date.now(),
        60_000,
      );
      log.update(failing("timeout", Date.now()));
      for (let i = 0; i < 21; i++) {
        vi.advanceTimersByTime(1_000);
        log.update(i % 2 === 0 ? { up: true, since: Date.now() } : failing("timeout", Date.now()));
      }
      // Failing, answers again (told at once), and the failures after it held back.
      expect(lines.map((l) => l.slice(0, 30))).toEqual(["modgate: GitLab is failing (ti", "modgate: GitLab answers again "]);
      log.update(failing("refused", Date.now())); // it ends failing ...
      vi.advanceTimersByTime(60_000);
      // ... which is told once the interval is over.
      expect(lines).toHaveLength(3);
      expect(lines[2]).toMatch(/^modgate: GitLab is failing \(refused\)/);
      log.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("/-/metrics", () => {
  it("has a gauge of GitLab's state and failures by cause, from a fixed set of labels", () => {
    const metrics = new Metrics();
    metrics.countLookup({ path: "p", source: "api", outcome: "unavailable", cause: "tls", detail: `https://gitlab.corp ${token}` });
    metrics.countLookup({ path: "p", source: "held", outcome: "unavailable", cause: "tls" });
    metrics.countLookup({ path: "p", source: "held", outcome: "unavailable", cause: "overloaded" });
    metrics.setGitlabState({ up: false, kind: "tls", reason: "x", since: 0 });
    const text = metrics.render();
    expect(text).toContain("modgate_gitlab_up 0\n");
    expect(text).toContain('modgate_gitlab_failures_total{cause="tls"} 1\n');
    expect(text).toContain('modgate_gitlab_failures_total{cause="overloaded"} 1\n');
    expect(text).toContain('modgate_discovery_cache_total{result="held"} 2\n');
    expect(text).not.toContain("gitlab.corp");
    expect(text).not.toContain(token);
    metrics.setGitlabState({ up: true, since: 1 });
    expect(metrics.render()).toContain("modgate_gitlab_up 1\n");
  });
});
