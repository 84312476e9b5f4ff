// The module proxy's access decision (issue 11): every outcome, the
// remembered decision and its expiry, and what the cache key is made of.
import { describe, expect, it } from "vitest";
import { AccessControl, type AccessRequest } from "../../src/proxy/access.js";
import { AccessDecisions } from "../../src/proxy/auth/decisions.js";
import { basicAuthorization, credentialOf, type Credential } from "../../src/gitlab/credential.js";
import { GitlabClient, type AccessVerdict } from "../../src/gitlab/client.js";
import { GitlabUnavailable } from "../../src/gitlab/failure.js";
import { bodyText } from "../../src/http/responses.js";

const TOKEN = "glpat-secret-token-123";
const basic = (user: string, secret: string) => basicAuthorization({ user, secret });

type RequestOptions = Partial<Omit<AccessRequest, "client">> & { authorization?: string | undefined; address?: string };

/** A request for the private module; `authorization: undefined` sends none. */
function request(over: RequestOptions = {}): AccessRequest {
  const { authorization, address, ...rest } = over;
  const client = { authorization: "authorization" in over ? authorization : basic("me", TOKEN), address: () => address ?? "192.0.2.1" };
  return { modulePath: "go.example.com/team/lib", project: "platform/team/lib", isPublic: false, client, ...rest };
}

/** An access control whose GitLab answers `verdict`, counting checks. */
function control(verdict: AccessVerdict | (() => Promise<AccessVerdict>), clock = { now: 0 }, ttlMs = 60_000) {
  const checks: Array<{ project: string; credential: Credential }> = [];
  const access = new AccessControl(new AccessDecisions(ttlMs, () => clock.now), async (project, credential) => {
    checks.push({ project, credential });
    return typeof verdict === "function" ? verdict() : verdict;
  });
  return { access, checks, clock };
}

describe("credentialOf", () => {
  it.each([
    ["Basic from .netrc", basic("gitlab-ci-token", "job-123"), { user: "gitlab-ci-token", secret: "job-123" }],
    ["Basic with a colon in the password", basic("deploy", "a:b"), { user: "deploy", secret: "a:b" }],
    ["Basic with UTF-8", basic("jür", "pässword"), { user: "jür", secret: "pässword" }],
    ["Bearer (GOAUTH header)", `Bearer ${TOKEN}`, { user: "oauth2", secret: TOKEN }],
    ["scheme in any case", `bearer ${TOKEN}`, { user: "oauth2", secret: TOKEN }],
  ])("%s", (_, header, want) => {
    expect(credentialOf(header)).toEqual(want);
  });

  it.each([undefined, null, ""])("no header (%s) is no credential", (header) => {
    expect(credentialOf(header)).toBeUndefined();
  });

  it.each(["Basic", "Basic !!!", `Basic ${btoa("no-colon")}`, `Basic ${btoa("user:")}`, "Digest abc", "Bearer ", "token"])("%s is malformed", (header) => {
    expect(credentialOf(header)).toBe("malformed");
  });
});

describe("AccessControl.decide", () => {
  it("lets anyone read a public project, and does not check a credential sent anyway", async () => {
    const { access, checks } = control("denied");
    expect(await access.decide(request({ isPublic: true }))).toBeUndefined();
    expect(await access.decide(request({ isPublic: true, authorization: undefined }))).toBeUndefined();
    expect(checks).toHaveLength(0);
  });

  it.each(["private", "internal"] as const)("answers 401 with a Basic challenge when a %s project's request has no credential", async (visibility) => {
    const { access, checks } = control("allowed");
    const a = (await access.decide(request({ isPublic: false, authorization: undefined })))!;
    expect(a.status).toBe(401);
    expect(a.headers["WWW-Authenticate"]).toBe('Basic realm="go.example.com"');
    expect(bodyText(a)).toMatch(/^go\.example\.com\/team\/lib: .*~\/\.netrc \(machine go\.example\.com login <you> password <token>\)/);
    expect(checks).toHaveLength(0);
  });

  it("answers 401 for an Authorization header it cannot read, without asking GitLab", async () => {
    const { access, checks } = control("allowed");
    const a = (await access.decide(request({ authorization: "Digest x" })))!;
    expect(a.status).toBe(401);
    expect(checks).toHaveLength(0);
  });

  it("answers 401 when GitLab rejects the token, saying what to do", async () => {
    const a = (await control("rejected").access.decide(request()))!;
    expect(a.status).toBe(401);
    expect(a.headers["WWW-Authenticate"]).toBe('Basic realm="go.example.com"');
    expect(bodyText(a)).toBe("go.example.com/team/lib: GitLab token rejected (401); put a token with read_repository in ~/.netrc for go.example.com\n");
  });

  it("answers 403 when GitLab accepts the token but it may not read the code (a Guest, no membership, outside the job token allowlist)", async () => {
    const a = (await control("denied").access.decide(request()))!;
    expect(a.status).toBe(403);
    expect(a.headers["Content-Type"]).toBe("text/plain; charset=utf-8");
    expect(bodyText(a)).toMatch(/^go\.example\.com\/team\/lib: GitLab does not let this token read the module's repository \(403\)/);
  });

  it("allows a reader, asking GitLab with the client's own credential about the project", async () => {
    const { access, checks } = control("allowed");
    expect(await access.decide(request())).toBeUndefined();
    expect(checks).toEqual([{ project: "platform/team/lib", credential: { user: "me", secret: TOKEN } }]);
  });

  it("never puts the credential in an answer", async () => {
    for (const verdict of ["rejected", "denied"] as const) {
      const a = (await control(verdict).access.decide(request()))!;
      expect(JSON.stringify(a)).not.toContain(TOKEN);
    }
  });

  it("remembers a decision per credential and project until authTtl, then asks again (a revoked token stops working)", async () => {
    let verdict: AccessVerdict = "allowed";
    const { access, checks, clock } = control(async () => verdict, { now: 1_000 }, 60_000);
    for (let i = 0; i < 5; i++) expect(await access.decide(request())).toBeUndefined();
    expect(checks).toHaveLength(1);
    verdict = "rejected";
    clock.now += 59_999;
    expect(await access.decide(request())).toBeUndefined();
    clock.now += 1;
    expect((await access.decide(request()))!.status).toBe(401);
    expect(checks).toHaveLength(2);
  });

  it("keeps decisions apart by credential and by project", async () => {
    const { access, checks } = control("allowed");
    await access.decide(request());
    await access.decide(request({ authorization: basic("me", "another-token") }));
    await access.decide(request({ authorization: basic("other-login", TOKEN) }));
    await access.decide(request({ project: "platform/team/other" }));
    await access.decide(request());
    expect(checks).toHaveLength(4);
  });

  it("asks GitLab once for concurrent requests of one credential and project", async () => {
    let release!: (v: AccessVerdict) => void;
    // authTtl 0: nothing is remembered, so a request can only share the check in flight.
    const { access, checks } = control(() => new Promise<AccessVerdict>((r) => (release = r)), { now: 0 }, 0);
    const all = Promise.all(Array.from({ length: 20 }, () => access.decide(request())));
    // The key is computed synchronously (decisions.ts): every request has reached the check in
    // flight when decide() returns, so there is nothing to wait for before GitLab answers.
    expect(checks).toHaveLength(1);
    release("allowed");
    expect(await all).toEqual(Array(20).fill(undefined));
    expect(checks).toHaveLength(1);
    // Nothing was remembered: the next request asks again.
    const next = access.decide(request());
    release("allowed");
    expect(await next).toBeUndefined();
    expect(checks).toHaveLength(2);
  });

  it("decides nothing while GitLab fails: the failure propagates (a 5xx) and the next request asks again", async () => {
    let fail = true;
    const { access, checks } = control(async () => {
      if (fail) throw new GitlabUnavailable("timeout", "timed out");
      return "allowed";
    });
    await expect(access.decide(request())).rejects.toBeInstanceOf(GitlabUnavailable);
    fail = false;
    expect(await access.decide(request())).toBeUndefined();
    expect(checks).toHaveLength(2);
  });
});

describe("AccessDecisions.keyOf", () => {
  it("is an HMAC of login and secret: hex, not the secret, different per credential and per process", async () => {
    const a = new AccessDecisions(1000);
    const b = new AccessDecisions(1000);
    const key = await a.keyOf({ user: "me", secret: TOKEN });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain(TOKEN);
    expect(await a.keyOf({ user: "me", secret: TOKEN })).toBe(key);
    expect(await a.keyOf({ user: "me", secret: TOKEN + "x" })).not.toBe(key);
    expect(await a.keyOf({ user: "you", secret: TOKEN })).not.toBe(key);
    expect(await b.keyOf({ user: "me", secret: TOKEN })).not.toBe(key);
  });
});

describe("GitlabClient.canRead (GitLab's git endpoint)", () => {
  interface Seen {
    url?: string;
    auth?: string | null;
    privateToken?: string | null;
    redirect?: RequestRedirect;
  }
  function gitlab(status: number, seen: Seen = {}): typeof fetch {
    return async (input, init) => {
      seen.url = String(input);
      seen.auth = new Headers(init?.headers).get("authorization");
      seen.privateToken = new Headers(init?.headers).get("private-token");
      seen.redirect = init?.redirect;
      return new Response("refs", { status, headers: status === 302 ? { Location: "https://elsewhere.example/x" } : {} });
    };
  }
  const checkReadAccess = (f: typeof fetch, project: string, credential: Credential) =>
    new GitlabClient({ url: "https://gitlab.example.com/prefix", token: "modgate-token", apiTimeoutMs: 1000, maxConcurrentCalls: 4, fetch: f }).canRead(
      project,
      credential,
    );

  it("asks info/refs of the project with the credential as Basic, never following redirects", async () => {
    const seen: Seen = {};
    expect(await checkReadAccess(gitlab(200, seen), "platform/team/lib", { user: "gitlab-ci-token", secret: "job" })).toBe("allowed");
    expect(seen.url).toBe("https://gitlab.example.com/prefix/platform/team/lib.git/info/refs?service=git-upload-pack");
    expect(seen.auth).toBe(basic("gitlab-ci-token", "job"));
    expect(seen.redirect).toBe("manual");
    // The client's credential alone: modgate's token never goes to the git endpoint.
    expect(seen.privateToken).toBeNull();
  });

  it.each([
    [200, "allowed"],
    [401, "rejected"],
    [403, "denied"],
    [404, "denied"],
  ] as const)("maps %i to %s", async (status, verdict) => {
    expect(await checkReadAccess(gitlab(status), "g/p", { user: "u", secret: "s" })).toBe(verdict);
  });

  it.each([302, 429, 500, 502])("treats %i as GitLab failing, not as a decision", async (status) => {
    await expect(checkReadAccess(gitlab(status), "g/p", { user: "u", secret: "s" })).rejects.toBeInstanceOf(GitlabUnavailable);
  });
});
