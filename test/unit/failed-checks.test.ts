// Finding 7: credential checks GitLab rejects are limited per client address
// and across all clients (src/proxy/auth/failed-checks.ts), checks in flight
// hold a slot, the memory is bounded; the access decision answers 429 / 503
// with Retry-After, sends nothing to GitLab past a limit, and takes GitLab's
// ban answer as "unavailable", never as a decision.
import { describe, expect, it } from "vitest";
import { FailedChecks, isRefusal, limiterKey, type CheckRefusal, type CheckTicket } from "../../src/proxy/auth/failed-checks.js";
import { AccessControl, BAN_HOLD_MS, type AccessRequest } from "../../src/proxy/access.js";
import { AccessDecisions } from "../../src/proxy/auth/decisions.js";
import { basicAuthorization, type Credential } from "../../src/gitlab/credential.js";
import { GitlabClient, type AccessVerdict } from "../../src/gitlab/client.js";
import { GitlabUnavailable } from "../../src/gitlab/failure.js";
import { bodyText } from "../../src/http/responses.js";
import { compileConfig } from "../../src/config/load.js";
import type { ConfigError } from "../../src/config/problems.js";

const ticket = (r: CheckTicket | CheckRefusal): CheckTicket => {
  if (isRefusal(r)) throw new Error(`refused: ${JSON.stringify(r)}`);
  return r;
};
const refusal = (r: CheckTicket | CheckRefusal): CheckRefusal => {
  if (!isRefusal(r)) throw new Error("not refused");
  return r;
};

describe("FailedChecks", () => {
  const make = (clock: { now: number }, over: Partial<{ perClient: number; total: number; windowMs: number; maxClients: number }> = {}) =>
    new FailedChecks({ perClient: 3, total: 5, windowMs: 60_000, ...over }, () => clock.now);

  it("lets perClient rejected checks through per address in a window, then refuses with the seconds until the oldest leaves it", () => {
    const clock = { now: 1_000_000 };
    const limits = make(clock);
    for (let i = 0; i < 3; i++) {
      ticket(limits.begin("198.51.100.1")).settle(true);
      clock.now += 10_000;
    }
    // Rejections at t, t+10 s, t+20 s; now t+30 s: the first leaves the window at t+60 s.
    expect(refusal(limits.begin("198.51.100.1"))).toEqual({ scope: "client", limit: 3, windowSeconds: 60, retryAfterSeconds: 30 });
    clock.now += 29_999;
    expect(refusal(limits.begin("198.51.100.1")).retryAfterSeconds).toBe(1);
    clock.now += 1;
    ticket(limits.begin("198.51.100.1")).settle(true);
    expect(refusal(limits.begin("198.51.100.1")).retryAfterSeconds).toBe(10);
  });

  it("counts only rejections: accepted checks (allowed, denied) free their slot", () => {
    const clock = { now: 0 };
    const limits = make(clock);
    for (let i = 0; i < 50; i++) ticket(limits.begin("198.51.100.1")).settle(false);
    ticket(limits.begin("198.51.100.1"));
  });

  it("a check in flight holds a slot: a burst sends at most perClient at once", () => {
    const clock = { now: 0 };
    const limits = make(clock);
    const results = Array.from({ length: 40 }, () => limits.begin("198.51.100.1"));
    expect(results.filter((r) => !isRefusal(r))).toHaveLength(3);
    // Blocked by checks in flight only: try again in a second.
    expect(refusal(results[3]!)).toMatchObject({ scope: "client", retryAfterSeconds: 1 });
    for (const r of results) if (!isRefusal(r)) r.settle(false);
    ticket(limits.begin("198.51.100.1"));
  });

  it("caps rejections from all addresses together (503 scope), while other addresses each stay under their own", () => {
    const clock = { now: 0 };
    const limits = make(clock);
    for (const a of ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]) ticket(limits.begin(a)).settle(true);
    expect(refusal(limits.begin("10.0.0.6"))).toEqual({ scope: "all", limit: 5, windowSeconds: 60, retryAfterSeconds: 60 });
    clock.now += 60_000;
    ticket(limits.begin("10.0.0.6"));
  });

  it("an address over its own limit gets 429 scope even when everyone's share is used too", () => {
    const clock = { now: 0 };
    const limits = make(clock, { perClient: 2, total: 2 });
    ticket(limits.begin("10.0.0.1")).settle(true);
    ticket(limits.begin("10.0.0.1")).settle(true);
    expect(refusal(limits.begin("10.0.0.1")).scope).toBe("client");
    expect(refusal(limits.begin("10.0.0.2")).scope).toBe("all");
  });

  it("settling twice counts once", () => {
    const clock = { now: 0 };
    const limits = make(clock, { perClient: 2 });
    const t = ticket(limits.begin("10.0.0.1"));
    t.settle(true);
    t.settle(true);
    ticket(limits.begin("10.0.0.1"));
  });

  it("keeps a bounded number of addresses", () => {
    const clock = { now: 0 };
    const limits = make(clock, { maxClients: 100, total: 1_000_000 });
    for (let i = 0; i < 5_000; i++) ticket(limits.begin(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)).settle(true);
    expect(limits.clientsKept).toBe(100);
  });

  it.each([
    ["198.51.100.7", "198.51.100.7"],
    ["", "unknown"],
    ["::ffff:198.51.100.7", "198.51.100.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2::9", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
  ])("counts %s as %s (an IPv6 client by its /64)", (address, key) => {
    expect(limiterKey(address)).toBe(key);
  });

  it("one IPv6 /64 is one client, whichever of its addresses it uses", () => {
    const clock = { now: 0 };
    const limits = make(clock, { perClient: 2, total: 100 });
    ticket(limits.begin("2001:db8:1:2::a")).settle(true);
    ticket(limits.begin("2001:db8:1:2::b")).settle(true);
    expect(refusal(limits.begin("2001:db8:1:2:ffff::c")).scope).toBe("client");
    ticket(limits.begin("2001:db8:1:3::a"));
  });
});

const TOKEN = "glpat-member-token";
const basic = (user: string, secret: string) => basicAuthorization({ user, secret });
const request = (secret: string, address = "198.51.100.1"): AccessRequest => ({
  modulePath: "go.example.com/team/lib",
  project: "platform/team/lib",
  isPublic: false,
  client: { authorization: basic("u", secret), address: () => address },
});

/** An access control over a GitLab that accepts TOKEN and rejects anything else, counting checks. */
function control(options: { perClient?: number; total?: number; gitlab?: (c: Credential) => Promise<AccessVerdict> } = {}) {
  const clock = { now: 1_000_000 };
  const checks: string[] = [];
  const lines: string[] = [];
  const gitlab = options.gitlab ?? (async (c: Credential) => (c.secret === TOKEN ? "allowed" : "rejected"));
  const access = new AccessControl(
    new AccessDecisions(60_000, () => clock.now),
    async (_project, credential) => {
      checks.push(credential.secret);
      return gitlab(credential);
    },
    {
      failedChecks: new FailedChecks({ perClient: options.perClient ?? 5, total: options.total ?? 8, windowMs: 60_000 }, () => clock.now),
      now: () => clock.now,
      report: (line) => lines.push(line),
    },
  );
  return { access, checks, clock, lines };
}

describe("AccessControl with the limits", () => {
  it("40 made-up tokens from one address: 5 reach GitLab, the rest get 429 with Retry-After and what to do", async () => {
    const { access, checks } = control();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => access.decide(request(`made-up-${i}`))));
    expect(checks).toHaveLength(5);
    expect(answers.filter((a) => a?.status === 401)).toHaveLength(5);
    const limited = answers.filter((a) => a?.status === 429);
    expect(limited).toHaveLength(35);
    const a = limited[0]!;
    expect(a.headers["Content-Type"]).toBe("text/plain; charset=utf-8");
    expect(a.headers["Cache-Control"]).toBe("no-store");
    expect(Number(a.headers["Retry-After"])).toBeGreaterThanOrEqual(1);
    expect(bodyText(a)).toMatch(
      /^go\.example\.com\/team\/lib: too many rejected GitLab tokens from your address \(5 in 60 s\), so this one was not checked; retry in \d+ s with a token GitLab accepts in ~\/\.netrc for go\.example\.com\n$/,
    );
  });

  it("a member's valid token from another address still gets through, and remembered decisions are unaffected", async () => {
    const { access, checks, clock } = control();
    for (let i = 0; i < 40; i++) await access.decide(request(`made-up-${i}`, "203.0.113.66"));
    expect(await access.decide(request(TOKEN, "198.51.100.1"))).toBeUndefined();
    // The attacker's address is refused a new check, but a token it had checked is answered from memory.
    expect((await access.decide(request("made-up-0", "203.0.113.66")))!.status).toBe(401);
    expect((await access.decide(request("made-up-39", "203.0.113.66")))!.status).toBe(429);
    clock.now += 1;
    expect(checks.filter((c) => c === TOKEN)).toHaveLength(1);
  });

  it("the all-clients cap holds back everyone's new checks with 503 (the trade-off), until the window frees a slot", async () => {
    const { access, checks, clock } = control({ perClient: 5, total: 8 });
    for (let i = 0; i < 5; i++) await access.decide(request(`a-${i}`, "203.0.113.1"));
    for (let i = 0; i < 5; i++) await access.decide(request(`b-${i}`, "203.0.113.2"));
    expect(checks).toHaveLength(8);
    const held = (await access.decide(request(TOKEN, "198.51.100.1")))!;
    expect(held.status).toBe(503);
    expect(held.headers["Retry-After"]).toBe("60");
    expect(bodyText(held)).toMatch(
      /too many rejected GitLab tokens from all clients \(8 in 60 s\): modgate holds token checks back so GitLab does not ban its address; retry in 60 s/,
    );
    clock.now += 60_000;
    expect(await access.decide(request(TOKEN, "198.51.100.1"))).toBeUndefined();
  });

  it("GitLab's ban is 503 with Retry-After, remembered as nothing, one operator line; checks wait it out, then ask again", async () => {
    let banned = true;
    const ban = new GitlabUnavailable("banned", "GitLab has banned modgate's address from Git HTTP authentication", 403);
    const { access, checks, clock, lines } = control({
      gitlab: async () => {
        if (banned) throw ban;
        return "allowed";
      },
    });
    const first = (await access.decide(request(TOKEN)))!;
    expect(first.status).toBe(503);
    expect(first.headers["Retry-After"]).toBe(String(BAN_HOLD_MS / 1000));
    expect(bodyText(first)).toMatch(/GitLab has temporarily banned modgate's address from checking tokens \(too many failed logins\); retry in 15 s/);
    // Held back: not sent again while the hold lasts.
    clock.now += 10_000;
    const second = (await access.decide(request(TOKEN)))!;
    expect(second.status).toBe(503);
    expect(second.headers["Retry-After"]).toBe("5");
    expect(checks).toHaveLength(1);
    expect(lines).toEqual(["modgate: GitLab has banned modgate's address from Git HTTP authentication"]);
    banned = false;
    clock.now += 5_000;
    // Nothing was remembered: the same credential is checked again, and allowed.
    expect(await access.decide(request(TOKEN))).toBeUndefined();
    expect(checks).toHaveLength(2);
    expect(lines[1]).toMatch(/GitLab answers modgate's credential checks again/);
  });

  it("a ban does not count as a rejection of the client's token", async () => {
    const { access } = control({
      perClient: 1,
      gitlab: async () => {
        throw new GitlabUnavailable("banned", "banned", 403);
      },
    });
    expect((await access.decide(request("x")))!.status).toBe(503);
  });

  it("a full queue of checks is 503 with Retry-After", async () => {
    const { access } = control({
      gitlab: async () => {
        throw new GitlabUnavailable("overloaded", "too many credential checks at once (gitlab.maxConcurrentChecks)");
      },
    });
    const a = (await access.decide(request(TOKEN)))!;
    expect(a.status).toBe(503);
    expect(a.headers["Retry-After"]).toBe("5");
  });
});

describe("GitlabClient.canRead and GitLab's ban", () => {
  const client = (f: typeof fetch, maxConcurrentChecks = 4) =>
    new GitlabClient({ url: "https://gitlab.example.com", apiTimeoutMs: 1000, maxConcurrentCalls: 16, maxConcurrentChecks, fetch: f });
  const answering =
    (status: number, body: string): typeof fetch =>
    async () =>
      new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

  it.each([
    ["GitLab's IpBlocked (ApplicationController: render plain: e.message, status: :forbidden)", "Too many failed authentication attempts from this IP"],
    ["Rack::Attack's blocklist default (older GitLab)", "Forbidden\n"],
  ])("maps 403 %s to GitlabUnavailable(banned)", async (_, body) => {
    const err = await client(answering(403, body))
      .canRead("g/p", { user: "u", secret: "s" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitlabUnavailable);
    expect((err as GitlabUnavailable).kind).toBe("banned");
    expect((err as GitlabUnavailable).reason).toMatch(/banned modgate's address.*ip_whitelist/);
  });

  it("keeps GitLab's other 403s (GitAccess's messages) a decision: denied", async () => {
    expect(await client(answering(403, "You are not allowed to download code from this project.")).canRead("g/p", { user: "u", secret: "s" })).toBe("denied");
  });

  it("caps checks in flight on their own gate, apart from the API's", async () => {
    let inFlight = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const slow: typeof fetch = () => {
      inFlight++;
      most = Math.max(most, inFlight);
      return new Promise((resolve) =>
        releases.push(() => {
          inFlight--;
          resolve(new Response("", { status: 401 }));
        }),
      );
    };
    const c = client(slow, 2);
    const all = Promise.all(Array.from({ length: 6 }, (_, i) => c.canRead("g/p", { user: "u", secret: String(i) })));
    await new Promise((r) => setTimeout(r, 20));
    expect(inFlight).toBe(2);
    expect(c.gate.active).toBe(2);
    while (releases.length > 0 || inFlight > 0) {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await all).toEqual(Array(6).fill("rejected"));
    expect(most).toBe(2);
  });
});

describe("proxy.failedAuth and gitlab.maxConcurrentChecks in the config", () => {
  const config = (proxy: string[], gitlab: string[] = []) =>
    [
      "gitlab:",
      "  url: https://gitlab.example.com",
      ...gitlab,
      "proxy:",
      "  enabled: true",
      ...proxy,
      "modules:",
      "  - path: go.example.com/x",
      "    project: a/b",
      "",
    ].join("\n");
  const problems = (text: string) => {
    try {
      compileConfig(text, "c.yaml");
    } catch (err) {
      return (err as ConfigError).problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
    }
    return [];
  };

  it("defaults: 5 per client address and 8 from all clients per 60 s; 4 checks at once", () => {
    const c = compileConfig(config([]), "c.yaml");
    expect(c.proxy.failedAuth).toEqual({ perClient: 5, total: 8, windowSeconds: 60 });
    expect(c.gitlab?.maxConcurrentChecks).toBe(4);
  });

  it("takes values that work", () => {
    const c = compileConfig(config(["  failedAuth:", "    perClient: 2", "    total: 20", "    window: 180"], ["  maxConcurrentChecks: 2"]), "c.yaml");
    expect(c.proxy.failedAuth).toEqual({ perClient: 2, total: 20, windowSeconds: 180 });
    expect(c.gitlab?.maxConcurrentChecks).toBe(2);
  });

  it("locates wrong values", () => {
    expect(problems(config(["  failedAuth:", "    perClient: 0", "    window: 1.5"]))).toEqual([
      "6:16: proxy.failedAuth.perClient: Too small: expected number to be >=1",
      "7:13: proxy.failedAuth.window: Invalid input: expected int, received number",
    ]);
    expect(problems(config(["  failedAuth:", "    perclient: 3"]))).toEqual(['6:5: unknown key "perclient" in proxy.failedAuth: did you mean perClient?']);
    expect(problems(config([], ["  maxConcurrentChecks: 0"]))).toEqual(["3:24: gitlab.maxConcurrentChecks: Too small: expected number to be >=1"]);
  });

  it("refuses a per-client share larger than everyone's", () => {
    expect(problems(config(["  failedAuth:", "    perClient: 9"]))).toEqual([
      "6:16: proxy.failedAuth.perClient (9) is more than proxy.failedAuth.total (8): one client could use every client's share; make perClient at most total",
    ]);
  });
});
