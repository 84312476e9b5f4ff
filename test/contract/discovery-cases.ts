// GitLab discovery at the HTTP level (issue 4): requests answered by the
// core app (createApp, as both runtimes serve it) with a Modgate whose group
// rule asks the GitLab stand-in.
// Runtime-agnostic, like cases.ts: discovery.node.test.ts runs these with the
// Node LRU cache, discovery.workers.test.ts inside workerd with the Cache API.
//
// Expected values are written from the stand-in's URL and the projects in
// discovery-fixtures.ts, never computed by modgate's code.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app/hono-app.js";
import { discoveryConfig, GROUP, HOST, PINNED_IMPORT, PROJECT, unseen } from "./discovery-fixtures.js";
import { goImports, goSources } from "./meta.js";
import type { GitLabStandIn } from "../e2e/harness/gitlab-stand-in.js";
import type { Modgate } from "../../src/app/modgate.js";

export type StandInMode = "ok" | "down" | "refuse" | "slow";

/** What the stand-in recorded of one API call (see GitLabApiCall in the e2e harness). */
export interface ApiCall {
  id: string;
  /** `projects/:id` or `groups/:id`. */
  kind: "projects" | "groups" | "";
  auth: "token" | "bad-token" | "none";
  status: number;
}

/** The GitLab stand-in as a test drives it: in process on Node, through a control server from workerd. */
export interface StandInControl {
  /** The stand-in's URL: gitlab.url of the config. */
  url: string;
  /** The one token it accepts. */
  token: string;
  setMode(mode: StandInMode, delayMs?: number): Promise<void>;
  apiCalls(): Promise<ApiCall[]>;
}

/** Where the workerd globalSetup says the stand-in and its control server listen. */
export interface ProvidedStandIn {
  url: string;
  token: string;
  /** Control server: POST /mode {mode, delayMs}, GET /calls. */
  control: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    discoveryStandIn: ProvidedStandIn;
  }
}

/** A StandInControl over the control server the workerd globalSetup runs on Node. */
export function controlOverHttp(provided: ProvidedStandIn): StandInControl {
  return {
    url: provided.url,
    token: provided.token,
    async setMode(mode, delayMs) {
      const response = await fetch(`${provided.control}/mode`, { method: "POST", body: JSON.stringify({ mode, delayMs }) });
      if (response.status !== 204) throw new Error(`stand-in control: setMode answered ${response.status}`);
    },
    async apiCalls() {
      return (await (await fetch(`${provided.control}/calls`)).json()) as ApiCall[];
    },
  };
}

/** A StandInControl for a stand-in running in this process (Node). */
export function controlOf(lab: GitLabStandIn, token: string): StandInControl {
  return {
    url: lab.url,
    token,
    setMode: async (mode, delayMs) => lab.setMode(mode, delayMs),
    apiCalls: async () => lab.apiCalls,
  };
}

/** Runs `fn` and returns what it returned with the API calls made meanwhile. */
export async function withCalls<T>(lab: StandInControl, fn: () => Promise<T>): Promise<{ result: T; calls: ApiCall[] }> {
  const before = (await lab.apiCalls()).length;
  const result = await fn();
  return { result, calls: (await lab.apiCalls()).slice(before) };
}

export interface DiscoveryRuntime {
  control(): StandInControl;
  /** A Modgate for `configText`, with `token` where this runtime keeps the GitLab token. */
  router(configText: string, token: string): Modgate;
}

/** The ssh settings of the contract config: ssh URLs must be built from them. */
export const CONTRACT_SSH = { user: "git", host: "ssh.gitlab.example.com", port: 2222 };

/**
 * TTLs of 0, so every request asks GitLab (and a stale answer is what the
 * cache had): cases do not depend on what ran before them, in this run or,
 * for workerd's Cache API, in an earlier one.
 *
 * apiTimeout is 2 s: every answer of the stand-in must arrive within it, the
 * slow ones (300 ms) included, on a busy machine and across processes (workerd
 * asks a stand-in running on Node). With 0.5 s that left 200 ms of slack.
 */
export function contractDiscoveryConfig(gitlabUrl: string): string {
  return discoveryConfig({ gitlabUrl, ssh: CONTRACT_SSH, apiTimeout: 2, cacheTtl: 0, negativeCacheTtl: 0 });
}

export interface Answered {
  status: number;
  type: string | null;
  cacheControl: string | null;
  location: string | null;
  body: string;
  goImports: string[];
  goSources: string[];
}

/** How a request reaches modgate: the Hono app by default (workerd); Node's test sends it through its node:http listener. */
export type Transport = (router: Modgate, request: Request) => Promise<Response>;

let transport: Transport = (router, request) => Promise.resolve(createApp({ modgate: () => router }).fetch(request));

export function useTransport(t: Transport): void {
  transport = t;
}

/** GET http://go.example.com<path>[?go-get=1] through the runtime's way in. */
export async function ask(router: Modgate, path: string, goGet = true): Promise<Answered> {
  const request = new Request(`http://${HOST}${path}${goGet ? "?go-get=1" : ""}`, { redirect: "manual" });
  const response = await transport(router, request);
  const body = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    cacheControl: response.headers.get("cache-control"),
    location: response.headers.get("location"),
    body,
    goImports: goImports(body),
    goSources: goSources(body),
  };
}

/** The go-source content GitLab projects get: links on `branch` of the project at `web`. */
export function gitlabGoSource(root: string, web: string, branch: string): string {
  return `${root} ${web} ${web}/-/tree/${branch}{/dir} ${web}/-/blob/${branch}{/dir}/{file}#L{line}`;
}

/** "platform/oss/a/b/c/pkg" → ["platform/oss/a", …, "platform/oss/a/b/c/pkg"]: what one request must look up. */
export function candidates(below: string): string[] {
  const elements = below.split("/");
  return elements.map((_, i) => `${GROUP}/${elements.slice(0, i + 1).join("/")}`);
}

/** How many API calls each route got: "projects platform/oss/a" → 1. */
export function callsPerPath(calls: readonly ApiCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[`${call.kind} ${call.id}`] = (counts[`${call.kind} ${call.id}`] ?? 0) + 1;
  return counts;
}

/**
 * The calls of a walk down `below` that stops at its `depth`-th prefix (the
 * project, or the first prefix that is neither project nor group): a project
 * and a group call for each prefix, once each.
 */
export function walkCalls(below: string, depth = below.split("/").length): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const path of candidates(below).slice(0, depth)) {
    counts[`projects ${path}`] = 1;
    counts[`groups ${path}`] = 1;
  }
  return counts;
}

const HTML = "text/html; charset=utf-8";
const TEXT = "text/plain; charset=utf-8";

export function describeDiscoveryAnswers(name: string, runtime: DiscoveryRuntime): void {
  describe(name, () => {
    let lab: StandInControl;
    let router: Modgate;

    beforeEach(async () => {
      lab = runtime.control();
      await lab.setMode("ok");
      router = runtime.router(contractDiscoveryConfig(lab.url), lab.token);
    });

    afterEach(async () => {
      await lab.setMode("ok");
    });

    const during = <T>(fn: () => Promise<T>) => withCalls(lab, fn);

    const https = (project: string) => `${lab.url}/${project}.git`;
    const web = (project: string) => `${lab.url}/${project}`;
    const ssh = (project: string) => `ssh://git@ssh.gitlab.example.com:2222/${project}.git`;

    it("answers for a project three subgroups deep, asked for a package below it", async () => {
      const { result, calls } = await during(() => ask(router, "/oss/a/b/c/pkg/y"));
      expect(result.status).toBe(200);
      expect(result.type).toBe(HTML);
      // discovery.cacheTtl is 0 here: clients may keep the answer no longer than modgate does.
      expect(result.cacheControl).toBe("public, max-age=0");
      expect(result.goImports).toEqual([`go.example.com/oss/a/b/c git ${https(PROJECT.deep)}`]);
      expect(result.goSources).toEqual([gitlabGoSource("go.example.com/oss/a/b/c", web(PROJECT.deep), "main")]);
      // Walked down from the group to the project, each prefix asked once (project and group), with the token.
      expect(callsPerPath(calls)).toEqual(walkCalls("a/b/c"));
      expect(calls.every((c) => c.auth === "token")).toBe(true);
    });

    it("answers for a shallower project beside a deeper one", async () => {
      const shallow = await ask(router, "/oss/a/lib/sub");
      expect(shallow.goImports).toEqual([`go.example.com/oss/a/lib git ${https(PROJECT.shallow)}`]);
      const deep = await ask(router, "/oss/a/b/c");
      expect(deep.goImports).toEqual([`go.example.com/oss/a/b/c git ${https(PROJECT.deep)}`]);
    });

    it("finds a private project with the token and serves it over ssh (transport auto)", async () => {
      const { result, calls } = await during(() => ask(router, "/oss/secret/pkg"));
      expect(result.status).toBe(200);
      expect(result.goImports).toEqual([`go.example.com/oss/secret git ${ssh(PROJECT.secret)}`]);
      // Links use the project's default branch, from the API.
      expect(result.goSources).toEqual([gitlabGoSource("go.example.com/oss/secret", web(PROJECT.secret), "trunk")]);
      expect(calls.find((c) => c.id === PROJECT.secret)).toMatchObject({ auth: "token", status: 200 });
      // No pkg.go.dev link for a private module.
      expect(result.body).not.toContain("pkg.go.dev");
    });

    it("serves an internal project over ssh too", async () => {
      const result = await ask(router, "/oss/inner");
      expect(result.goImports).toEqual([`go.example.com/oss/inner git ${ssh(PROJECT.internal)}`]);
    });

    it("sends browsers to pkg.go.dev for a public project, to GitLab's tree for a private one", async () => {
      const pub = await ask(router, "/oss/a/b/c/pkg/y", false);
      expect(pub.status).toBe(302);
      expect(pub.location).toBe("https://pkg.go.dev/go.example.com/oss/a/b/c/pkg/y");
      const priv = await ask(router, "/oss/secret/pkg", false);
      expect(priv.status).toBe(302);
      expect(priv.location).toBe(`${web(PROJECT.secret)}/-/tree/trunk/pkg`);
    });

    it("serves a moved project under its old import path with the new repository", async () => {
      const result = await ask(router, "/oss/old-name/pkg");
      expect(result.status).toBe(200);
      expect(result.goImports).toEqual([`go.example.com/oss/old-name git ${https(PROJECT.moved)}`]);
      expect(result.goSources).toEqual([gitlabGoSource("go.example.com/oss/old-name", web(PROJECT.moved), "main")]);
    });

    it("answers 404 for a path GitLab does not know, after asking about its first element only", async () => {
      const { result, calls } = await during(() => ask(router, "/oss/nope/x"));
      expect(result.status).toBe(404);
      expect(result.type).toBe(TEXT);
      expect(result.goImports).toEqual([]);
      // Neither a project nor a group: nothing can be below it.
      expect(calls.map((c) => [c.kind, c.id, c.status]).sort()).toEqual([
        ["groups", `${GROUP}/nope`, 404],
        ["projects", `${GROUP}/nope`, 404],
      ]);
    });

    it("costs two API calls for a made-up path however deep", async () => {
      const deep = `${unseen("made-up")}/${Array.from({ length: 15 }, (_, i) => `e${i}`).join("/")}`;
      const { result, calls } = await during(() => ask(router, `/oss/${deep}`));
      expect(result.status).toBe(404);
      expect(callsPerPath(calls)).toEqual(walkCalls(deep, 1));
    });

    it("costs a look-up per level for a made-up path below real groups, stopping at the first unknown element", async () => {
      const { result, calls } = await during(() => ask(router, "/oss/a/b/zzz/y/x/w"));
      expect(result.status).toBe(404);
      expect(callsPerPath(calls)).toEqual(walkCalls("a/b/zzz/y/x/w", 3));
    });

    it("does not serve a project moved out of the group, and says why", async () => {
      const { result, calls } = await during(() => ask(router, "/oss/escaped/pkg"));
      expect(result.status).toBe(404);
      expect(result.goImports).toEqual([]);
      expect(result.body).toMatch(/moved out of the GitLab group platform\/oss/);
      // GitLab did find it under the old path (its redirect route).
      expect(calls.find((c) => c.kind === "projects" && c.id === PROJECT.escapedFrom)).toMatchObject({ status: 200 });
      const browser = await ask(router, "/oss/escaped/pkg", false);
      expect(browser.status).toBe(404);
      expect(browser.location).toBeNull();
    });

    it("links to HEAD when the default branch is no valid branch name", async () => {
      const result = await ask(router, "/oss/odd-branch/pkg");
      expect(result.status).toBe(200);
      expect(result.goSources).toEqual([gitlabGoSource("go.example.com/oss/odd-branch", web(PROJECT.oddBranch), "HEAD")]);
      expect(result.body).not.toContain("bad..name");
    });

    it("answers 404 at the group rule's own path without asking GitLab", async () => {
      const { result, calls } = await during(() => ask(router, "/oss"));
      expect(result.status).toBe(404);
      expect(calls).toEqual([]);
    });

    it("does not call the API for a static project rule, even inside the group's path", async () => {
      const { result, calls } = await during(() => ask(router, "/oss/pinned/sub"));
      expect(result.status).toBe(200);
      expect(result.goImports).toEqual([`${PINNED_IMPORT} git ${https(PROJECT.pinned)}`]);
      expect(calls).toEqual([]);
    });

    it("treats a project found only in another letter case as missing", async () => {
      const { result, calls } = await during(() => ask(router, "/oss/a/b/C"));
      expect(result.status).toBe(404);
      // GitLab did find it (its routes are case-insensitive): modgate refused the other case.
      expect(calls.find((c) => c.kind === "projects" && c.id === `${GROUP}/a/b/C`)).toMatchObject({ status: 200 });
    });

    it("stops at a group found only in another letter case", async () => {
      const { result, calls } = await during(() => ask(router, "/oss/A/B/C"));
      expect(result.status).toBe(404);
      // GitLab found the group platform/oss/a for "A": nothing below it can match the import path.
      expect(callsPerPath(calls)).toEqual(walkCalls("A/B/C", 1));
      expect(calls.find((c) => c.kind === "groups")).toMatchObject({ status: 200 });
    });

    it("never looks up anything outside the group", async () => {
      const hostile = [
        "/oss/%2e%2e/elsewhere/pinned",
        "/oss/..%2Felsewhere%2Fpinned",
        "/oss/a%2Fb%2Fc",
        "/oss/./a/b/c/../../../elsewhere",
        "/oss//a",
        "/oss/%2E%2E/%2E%2E/x",
        "/oss/a/%2e/b",
      ];
      const { result, calls } = await during(() => Promise.all(hostile.map((p) => ask(router, p))));
      expect(result.map((r) => r.goImports)).toEqual(hostile.map(() => []));
      for (const call of calls) {
        expect(call.id.startsWith(`${GROUP}/`), call.id).toBe(true);
        expect(
          call.id.split("/").filter((e) => e === "" || e === "." || e === ".."),
          call.id,
        ).toEqual([]);
      }
    });

    it("serves the last answer while GitLab is down", async () => {
      const before = await ask(router, "/oss/steady");
      expect(before.goImports).toEqual([`go.example.com/oss/steady git ${https(PROJECT.steady)}`]);
      await lab.setMode("down");
      const { result, calls } = await during(() => ask(router, "/oss/steady"));
      expect(result.status).toBe(200);
      expect(result.goImports).toEqual(before.goImports);
      // It did ask (the TTL is 0) and GitLab failed: the answer is the stale one.
      expect(calls.map((c) => [c.kind, c.id, c.status]).sort()).toEqual([
        ["groups", PROJECT.steady, 500],
        ["projects", PROJECT.steady, 500],
      ]);
    });

    it("answers 503 at once, without asking, while GitLab is known to fail", async () => {
      await lab.setMode("down");
      expect((await ask(router, `/oss/${unseen("first")}`)).status).toBe(503);
      const { result, calls } = await during(() => ask(router, `/oss/${unseen("second")}`));
      expect(result.status).toBe(503);
      expect(calls).toEqual([]);
    });

    it.each([["down"], ["refuse"]] as const)("answers 503 naming GitLab when it is %s and nothing is cached", async (mode) => {
      await lab.setMode(mode);
      const result = await ask(router, `/oss/${unseen("never")}/x`);
      expect(result.status).toBe(503);
      expect(result.type).toBe(TEXT);
      expect(result.cacheControl).toBe("no-cache");
      expect(result.body).toBe("service unavailable: GitLab is unavailable; try again later\n");
      expect(result.goImports).toEqual([]);
    });

    it("answers 503 when GitLab is slower than apiTimeout, instead of waiting", async () => {
      // GitLab would answer long after the test (and its timeout) is over: a 503 can only be the timeout's.
      await lab.setMode("slow", 600_000);
      const result = await ask(router, `/oss/${unseen("slow")}`);
      expect(result.status).toBe(503);
      expect(result.body).toMatch(/GitLab/);
    });

    it("answers 503, not 404, when GitLab rejects the token, without telling the client so", async () => {
      const wrong = runtime.router(contractDiscoveryConfig(lab.url), "glpat-not-the-token");
      const { result, calls } = await during(() => ask(wrong, `/oss/${unseen("rejected")}`));
      expect(result.status).toBe(503);
      // Whether modgate's token works is the operator's business (the log), not an anonymous client's.
      expect(result.body).toBe("service unavailable: GitLab is unavailable; try again later\n");
      expect(calls.map((c) => [c.auth, c.status])).toEqual([
        ["bad-token", 401],
        ["bad-token", 401],
      ]);
    });

    it("makes one API call per candidate path for a burst of concurrent requests", async () => {
      // Slow answers keep every call in flight while the burst arrives.
      await lab.setMode("slow", 300);
      const { result, calls } = await during(() => Promise.all(Array.from({ length: 30 }, () => ask(router, "/oss/burst/x/y/pkg/z"))));
      expect(new Set(result.map((r) => r.goImports.join()))).toEqual(new Set([`go.example.com/oss/burst/x/y git ${https(PROJECT.burst)}`]));
      // burst and burst/x are groups, burst/x/y the project: one call per route, whatever the burst.
      expect(callsPerPath(calls)).toEqual(walkCalls("burst/x/y"));
    });
  });
}
