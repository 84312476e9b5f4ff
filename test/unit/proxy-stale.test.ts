// Finding 6 of "the proxy keeps its promises": warm answers go on while GitLab
// fails. A module found before is answered from its last good location once
// its look-up is due and GitLab is down or hanging (the look-up goes on in
// the background, one at a time); a stale list says no-cache; a private
// module is answered while this credential's remembered decision holds
// (authTtl), then 503, never 404. The proxy service over a real GitlabClient
// whose fetch is a hand-made GitLab; the clock is injected.
import { describe, expect, it } from "vitest";
import { GitlabClient } from "../../src/gitlab/client.js";
import type { Client } from "../../src/http/client.js";
import type { PlainAnswer } from "../../src/http/responses.js";
import type { Located } from "../../src/proxy/location.js";
import { parseProxyPath } from "../../src/proxy/protocol/request.js";
import { ProxyService } from "../../src/proxy/service.js";
import { MemoryStore } from "../../src/proxy/store/memory-store.js";

const GITLAB = "https://gitlab.example.com";
const LIST_TTL_S = 60;
const AUTH_TTL_S = 300;
const COMMIT = "a".repeat(40);
const INFO = `{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}`;
const PROJECTS: Record<string, "public" | "private"> = { "platform/pub": "public", "platform/priv": "private" };
const READER: Client = { authorization: `Basic ${btoa("reader:glpat-reader")}`, address: () => "192.0.2.1" };
const ANONYMOUS: Client = { authorization: undefined, address: () => "192.0.2.2" };

type Mode = "ok" | "down" | "hang";

/** A GitLab answering the project, its tags and the credential check; down (500) or hanging (until the call's timeout) on demand. */
function world() {
  let t = 1_000_000;
  const state = { mode: "ok" as Mode, calls: [] as string[], hanging: 0 };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetchFn: typeof fetch = (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    state.calls.push(url.pathname);
    if (state.mode === "down") return Promise.resolve(json({ message: "500 Internal Server Error" }, 500));
    if (state.mode === "hang") {
      state.hanging++;
      return new Promise<Response>((_, reject) => {
        const signal = init?.signal;
        signal?.addEventListener("abort", () => {
          state.hanging--;
          reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
        });
      });
    }
    const path = decodeURIComponent(url.pathname);
    const project = /^\/api\/v4\/projects\/(platform\/[a-z]+)$/.exec(path)?.[1];
    if (project && PROJECTS[project])
      return Promise.resolve(json({ path_with_namespace: project, default_branch: "main", visibility: PROJECTS[project], repository_access_level: "enabled" }));
    if (/^\/api\/v4\/projects\/platform\/[a-z]+\/repository\/tags$/.test(path)) return Promise.resolve(json([{ name: "v1.0.0", commit: { id: COMMIT } }]));
    if (/^\/platform\/[a-z]+\.git\/info\/refs$/.test(path)) return Promise.resolve(new Response("", { status: 200 }));
    return Promise.resolve(json({ message: "404 Not Found" }, 404));
  };
  const now = () => t;
  // apiTimeout 3 s (real time): a hanging call outlives the look-up's grace (1 s), so an answer given while it hangs did not wait for it.
  const gitlab = new GitlabClient({ url: GITLAB, token: "t", apiTimeoutMs: 3_000, maxConcurrentCalls: 8, fetch: fetchFn, now });
  const store = new MemoryStore();
  const locate = (modulePath: string): Located => {
    const name = /^go\.example\.com\/([a-z]+)$/.exec(modulePath)?.[1];
    if (!name || !PROJECTS[`platform/${name}`]) return { kind: "missing", reason: `no module ${modulePath}` };
    return { kind: "found", project: `platform/${name}`, codeRoot: modulePath, subdir: "", repo: `${GITLAB}/platform/${name}.git` };
  };
  const proxy = new ProxyService({
    locate,
    store,
    gitlab,
    listTtlSeconds: LIST_TTL_S,
    authTtlSeconds: AUTH_TTL_S,
    failedAuth: { perClient: 100, total: 1000, windowSeconds: 60 },
    report: () => {},
    now,
  });
  const ask = async (path: string, client?: Client): Promise<PlainAnswer> => proxy.handle(parseProxyPath(path), client);
  return {
    state,
    ask,
    store,
    advance: (ms: number) => {
      t += ms;
    },
    /** Stores v1.0.0's .info of both modules, as a warm proxy has it. */
    async warm() {
      for (const name of ["pub", "priv"]) await store.put(`go.example.com/${name}/@v/v1.0.0.info`, new TextEncoder().encode(INFO));
    },
  };
}

const text = (a: PlainAnswer) => (typeof a.body === "string" ? a.body : new TextDecoder().decode(a.body as Uint8Array));

describe("a module found before, its look-up due, GitLab failing (finding 6)", () => {
  for (const mode of ["down", "hang"] as const) {
    it(`GitLab ${mode}: a public module's stored .info is answered from the last good location, and the look-up goes on in the background`, async () => {
      const w = world();
      await w.warm();
      expect((await w.ask("/go.example.com/pub/@v/v1.0.0.info")).status).toBe(200);
      w.state.mode = mode;
      w.advance(LIST_TTL_S * 1000 + 1);
      const first = await w.ask("/go.example.com/pub/@v/v1.0.0.info");
      expect(first.status, text(first)).toBe(200);
      expect(text(first)).toBe(INFO);
      // Hanging: answered while GitLab's call still hangs (it is given 3 s; the answer waited 1 s at most).
      if (mode === "hang") expect(w.state.hanging).toBeGreaterThan(0);
      // Others asked meanwhile: at once, with no GitLab call of their own (one look-up at a time).
      const calls = w.state.calls.length;
      const more = await Promise.all([1, 2, 3].map(() => w.ask("/go.example.com/pub/@v/v1.0.0.info")));
      expect(more.map((a) => a.status)).toEqual([200, 200, 200]);
      if (mode === "hang") expect(w.state.hanging).toBeGreaterThan(0);
      expect(w.state.calls.length).toBe(calls);
      // Never a 404 while GitLab fails, however long.
      w.advance(10 * LIST_TTL_S * 1000);
      expect((await w.ask("/go.example.com/pub/@v/v1.0.0.info")).status).toBe(200);
    });

    it(`GitLab ${mode}: the last good list is answered at once with no-cache, refreshed in the background`, async () => {
      const w = world();
      const fresh = await w.ask("/go.example.com/pub/@v/list");
      expect(fresh.status).toBe(200);
      expect(fresh.headers["Cache-Control"]).toBe(`public, max-age=${LIST_TTL_S}`);
      w.state.mode = mode;
      w.advance(LIST_TTL_S * 1000 + 1);
      const stale = await w.ask("/go.example.com/pub/@v/list");
      expect(stale.status, text(stale)).toBe(200);
      expect(text(stale)).toBe("v1.0.0\n");
      expect(stale.headers["Cache-Control"]).toBe("public, no-cache");
      if (mode === "hang") expect(w.state.hanging).toBeGreaterThan(0);
      // GitLab back: the background refresh brings a fresh list (and max-age) again.
      w.state.mode = "ok";
      w.advance(LIST_TTL_S * 1000 + 1);
      await w.ask("/go.example.com/pub/@v/list");
      await expect
        .poll(async () => (await w.ask("/go.example.com/pub/@v/list")).headers["Cache-Control"], { timeout: 10_000 })
        .toBe(`public, max-age=${LIST_TTL_S}`);
    });
  }

  it("a private module: answered while the credential's remembered decision holds (authTtl), then 503, never 404; anonymous clients never", async () => {
    const w = world();
    await w.warm();
    expect((await w.ask("/go.example.com/priv/@v/v1.0.0.info", READER)).status).toBe(200);
    expect((await w.ask("/go.example.com/priv/@v/list", READER)).status).toBe(200);
    w.state.mode = "down";
    w.advance(LIST_TTL_S * 1000 + 1);
    const remembered = await w.ask("/go.example.com/priv/@v/v1.0.0.info", READER);
    expect(remembered.status, text(remembered)).toBe(200);
    expect(remembered.headers["Cache-Control"]).toMatch(/^private,/);
    const list = await w.ask("/go.example.com/priv/@v/list", READER);
    expect(list.status, text(list)).toBe(200);
    expect(list.headers["Cache-Control"]).toBe("private, no-cache");
    // No credential: the module was last known private, so nothing stale is served to it.
    expect((await w.ask("/go.example.com/priv/@v/v1.0.0.info", ANONYMOUS)).status).toBe(401);
    // The decision expired: GitLab cannot decide again, so 503 naming it, never a fresh grant nor 404.
    w.advance(AUTH_TTL_S * 1000);
    const expired = await w.ask("/go.example.com/priv/@v/v1.0.0.info", READER);
    expect(expired.status, text(expired)).toBe(503);
    expect(text(expired)).toMatch(/GitLab/);
  });

  it("GitLab up: a due look-up is waited for, so a project made private is refused at once", async () => {
    const w = world();
    await w.warm();
    expect((await w.ask("/go.example.com/pub/@v/v1.0.0.info")).status).toBe(200);
    PROJECTS["platform/pub"] = "private";
    try {
      w.advance(LIST_TTL_S * 1000 + 1);
      expect((await w.ask("/go.example.com/pub/@v/v1.0.0.info")).status).toBe(401);
    } finally {
      PROJECTS["platform/pub"] = "public";
    }
  });
});
