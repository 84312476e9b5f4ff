// Finding 7, end to end: `modgate serve` (the built CLI) in front of the GitLab
// stand-in with GitLab's ban of Git HTTP auth on (rack_attack.git_basic_auth:
// 10 failures in 60 s ban an address for an hour, GitLab's defaults when
// enabled). modgate trusts the test as its reverse proxy
// (server.trustedProxies: [127.0.0.1]), so X-Forwarded-For names each
// simulated client. Made-up tokens from one address reach GitLab at most
// proxy.failedAuth.perClient times, the rest are 429 with Retry-After; a
// member's token still gets its module; the all-clients cap holds new checks
// back (503) before GitLab's ban could be reached; GitLab's ban answer is a
// 503 naming it, remembered as nothing.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeDir, requireTools, startModgateNode, type RunningModgate } from "./harness/index.js";
import { CLIENT_TOKENS as T, DEPLOY_USER, startPrivateModulesLab, type PrivateModulesLab } from "./harness/private-modules-lab.js";

const SERVER_TOKEN = "glpat-modgate-server-throttle-0123";
/** Long enough that no decision of this file expires while it runs. */
const AUTH_TTL = 600;
/** proxy.failedAuth's defaults. */
const PER_CLIENT = 5;
const TOTAL = 8;
const MODULE = "go.example.com/team/lib";
const MODGATE_IP = "127.0.0.1";

const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString("base64")}`;

describe.skipIf(!requireTools("git", "git-http-backend"))("credential checks throttled, and GitLab's ban answered as unavailable", () => {
  let lab: PrivateModulesLab;
  let modgate: RunningModgate;
  let dir: string;

  beforeAll(async () => {
    lab = await startPrivateModulesLab(SERVER_TOKEN, { gitBasicAuthBan: { maxretry: 10, findtime: 60, bantime: 3600 } });
    dir = await makeTempDir("proxy-auth-throttle");
    // proxyExtra goes under proxy:; the server: section follows it at the top level.
    const configPath = await lab.writeConfig(dir, SERVER_TOKEN, AUTH_TTL, `  cacheDir: ${join(dir, "store")}\nserver:\n  trustedProxies: ["${MODGATE_IP}"]`);
    modgate = await startModgateNode(configPath);
  });

  afterAll(async () => {
    await modgate?.close();
    await Promise.allSettled([lab?.close(), dir && removeDir(dir)]);
  });

  /** A request of the module proxy as a client at `from` with `authorization`. */
  function ask(path: string, authorization: string, from: string): Promise<Response> {
    return fetch(`${modgate.url}/${MODULE}/@v/${path}`, { headers: { authorization, "x-forwarded-for": from } });
  }

  /** Access checks the stand-in has seen (git info/refs), oldest first. */
  const checks = () => lab.lab.gitRequests.filter((g) => g.url.includes("/info/refs"));

  it("40 distinct made-up tokens from one address: at most perClient checks reach GitLab, the rest get 429 with Retry-After", async () => {
    const before = checks().length;
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => ask("list", basic("guesser", `glpat-made-up-${i}`), "203.0.113.10")));
    const bodies = await Promise.all(answers.map((r) => r.text()));
    const sent = checks().slice(before);
    expect(sent).toHaveLength(PER_CLIENT);
    for (const s of sent) expect(s.identity).toMatch(/^rejected/);
    expect(answers.filter((r) => r.status === 401)).toHaveLength(PER_CLIENT);
    const limited = answers.map((r, i) => ({ r, body: bodies[i]! })).filter(({ r }) => r.status === 429);
    expect(limited).toHaveLength(40 - PER_CLIENT);
    for (const { r, body } of limited) {
      const retry = Number(r.headers.get("retry-after"));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(60);
      expect(r.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(body).toMatch(
        /^go\.example\.com\/team\/lib: too many rejected GitLab tokens from your address \(5 in 60 s\), so this one was not checked; retry in \d+ s with a token GitLab accepts in ~\/\.netrc for go\.example\.com\n$/,
      );
    }
    // GitLab saw fewer failures from modgate's address than its ban needs.
    expect(lab.lab.gitAuthBan!.failures(MODGATE_IP)).toBe(PER_CLIENT);
    // And still refuses that address nothing.
    expect(lab.lab.gitAuthBan!.banned(MODGATE_IP, "anyone")).toBe(false);
  });

  it("a member's valid token from another address still gets the module", async () => {
    const before = checks().length;
    const list = await ask("list", basic("alice", T.alice), "198.51.100.20");
    expect(list.status).toBe(200);
    expect(await list.text()).toContain("v1.0.0");
    const info = await ask("v1.0.0.info", basic("alice", T.alice), "198.51.100.20");
    expect(info.status).toBe(200);
    // One check, remembered for the second request; GitLab resets the address's count on success.
    expect(
      checks()
        .slice(before)
        .map((c) => c.identity),
    ).toEqual(["personal-access-token:alice"]);
    expect(lab.lab.gitAuthBan!.failures(MODGATE_IP)).toBe(0);
  });

  it("GitLab's ban of modgate's address is a 503 naming it, one operator line, and remembers nothing", async () => {
    // Another git client on modgate's host fails its logins until GitLab bans the address.
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${lab.lab.url}/platform/team/lib.git/info/refs?service=git-upload-pack`, {
        headers: { authorization: basic("someone", `wrong-${i}`) },
      });
      await r.text();
    }
    expect(lab.lab.gitAuthBan!.banned(MODGATE_IP, "alice")).toBe(true);

    const before = checks().length;
    const banned = await ask("list", basic("alice", T.revocable), "198.51.100.21");
    expect(banned.status).toBe(503);
    expect(banned.headers.get("retry-after")).toBe("15");
    expect(await banned.text()).toBe(
      `${MODULE}: GitLab has temporarily banned modgate's address from checking tokens (too many failed logins); retry in 15 s\n`,
    );
    expect(
      checks()
        .slice(before)
        .map((c) => [c.status, c.identity]),
    ).toEqual([[403, "banned"]]);
    // Held back while the ban is waited out: no second check.
    const again = await ask("list", basic("alice", T.revocable), "198.51.100.21");
    expect(again.status).toBe(503);
    expect(Number(again.headers.get("retry-after"))).toBeLessThanOrEqual(15);
    expect(checks().length).toBe(before + 1);
    // One line for the operator, saying what to do.
    await expect
      .poll(() => modgate.output())
      .toMatch(
        /modgate: GitLab has banned modgate's address from Git HTTP authentication after too many failed logins \(403 "Too many failed authentication attempts from this IP"\).*ip_whitelist/,
      );
    expect(modgate.output().match(/has banned modgate's address/g)).toHaveLength(1);

    // The ban lifts; the same credential, once the hold is over, is checked again and allowed:
    // nothing was remembered as "denied" or "rejected".
    lab.lab.gitAuthBan!.lift();
    await expect.poll(async () => (await ask("list", basic("alice", T.revocable), "198.51.100.21")).status, { timeout: 60_000, interval: 1_000 }).toBe(200);
    expect(checks().at(-1)!.identity).toBe("personal-access-token:alice");
    await expect.poll(() => modgate.output()).toMatch(/GitLab answers modgate's credential checks again/);
  });

  it("the all-clients cap stops new checks (503) before GitLab's ban is reached; remembered decisions still served", async () => {
    const before = checks().length;
    // Made-up tokens from one address after another, until modgate holds checks back for everyone.
    let held: Response | undefined;
    let n = 0;
    for (let a = 11; a < 20 && held === undefined; a++) {
      for (let i = 0; i < PER_CLIENT + 1; i++) {
        const r = await ask("list", basic("guesser", `glpat-wave-${a}-${i}`), `203.0.113.${a}`);
        n++;
        if (r.status === 503) {
          held = r;
          break;
        }
        await r.text();
        expect([401, 429]).toContain(r.status);
      }
    }
    expect(held, `no 503 after ${n} requests`).toBeDefined();
    expect(held!.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await held!.text()).toMatch(
      /too many rejected GitLab tokens from all clients \(8 in 60 s\): modgate holds token checks back so GitLab does not ban its address; retry in \d+ s/,
    );
    const sent = checks().slice(before);
    expect(sent.length).toBeLessThanOrEqual(TOTAL);
    // GitLab never got to ban modgate.
    expect(lab.lab.gitAuthBan!.failures(MODGATE_IP)).toBeLessThan(10);
    expect(lab.lab.gitAuthBan!.banned(MODGATE_IP, "anyone")).toBe(false);

    // The trade-off: a valid token not checked before waits too (503) while the cap is used up ...
    const deploy = await ask("list", basic(DEPLOY_USER, T.deploy), "198.51.100.30");
    expect(deploy.status).toBe(503);
    expect(checks().length).toBe(before + sent.length);
    // ... while a decision already remembered is served as before.
    expect((await ask("list", basic("alice", T.alice), "198.51.100.20")).status).toBe(200);
  });

  it("never puts a client token in a log line", () => {
    for (const secret of [...Object.values(T), SERVER_TOKEN]) expect(modgate.output()).not.toContain(secret);
  });
});
