// "The proxy keeps its promises" in the small: what public means (finding 1),
// Cache-Control's scope per request over remembered answers (finding 2),
// decisions and store keys per GitLab project (finding 3), the 401 for a
// mapped path without a project (finding 8).
import { describe, expect, it } from "vitest";
import { isPubliclyReadable, parseProject, type GitlabProject } from "../../src/gitlab/project.js";
import type { GitlabClient } from "../../src/gitlab/client.js";
import { GitlabUnavailable } from "../../src/gitlab/failure.js";
import { MemoryStore } from "../../src/proxy/store/memory-store.js";
import { StoredAnswers, rescoped } from "../../src/proxy/cache/stored-answers.js";
import { dataAnswer, bodyText } from "../../src/http/responses.js";
import { AccessControl } from "../../src/proxy/access.js";
import { AccessDecisions } from "../../src/proxy/auth/decisions.js";
import { basicAuthorization } from "../../src/gitlab/credential.js";
import { Modules, UnknownProject, storePrefix } from "../../src/proxy/modules.js";

describe("isPubliclyReadable (finding 1)", () => {
  it.each([
    ["public", "enabled", true],
    ["public", "private", false],
    ["public", "disabled", false],
    ["public", undefined, false],
    ["internal", "enabled", false],
    ["private", "enabled", false],
  ] as const)("visibility %s, repository_access_level %s → %s", (visibility, level, want) => {
    const body: Record<string, unknown> = { id: 1, path_with_namespace: "g/p", default_branch: "main", visibility };
    if (level !== undefined) body.repository_access_level = level;
    expect(isPubliclyReadable(parseProject(body))).toBe(want);
  });
});

describe("StoredAnswers: the scope of Cache-Control per request (finding 2)", () => {
  const IMMUTABLE = "public, max-age=31536000, immutable";
  it("keeps the bytes once and answers each scope with its own Cache-Control", () => {
    const stored = new StoredAnswers();
    const body = new Uint8Array([1, 2, 3]);
    const made = stored.remember("k", dataAnswer(200, "application/zip", body, IMMUTABLE), "public");
    expect(stored.get("k", "public")).toBe(made);
    const priv = stored.get("k", "private")!;
    expect(priv.headers["Cache-Control"]).toBe("private, max-age=31536000, immutable");
    expect(priv.body).toBe(body);
    // Made once, then the same object (the Node listener encodes its headers once).
    expect(stored.get("k", "private")).toBe(priv);
    expect(stored.get("k", "public")!.headers["Cache-Control"]).toBe(IMMUTABLE);
  });

  it("an answer first made private is public again when the project is", () => {
    const stored = new StoredAnswers();
    stored.remember("k", dataAnswer(200, "application/json", "{}", "private, max-age=31536000, immutable"), "private");
    expect(stored.get("k", "public")!.headers["Cache-Control"]).toBe(IMMUTABLE);
  });

  it("rescoped replaces only the first directive", () => {
    expect(rescoped(dataAnswer(200, "text/plain", "", "public, max-age=60"), "private").headers["Cache-Control"]).toBe("private, max-age=60");
  });
});

describe("per GitLab project, not per path (finding 3)", () => {
  it("store keys carry the project id", () => {
    expect(storePrefix("go.example.com/Team/lib", { id: 42, pathWithNamespace: "g/p", defaultBranch: "main", visibility: "private" })).toBe(
      "go.example.com/!team/lib/@p/42",
    );
    expect(storePrefix("go.example.com/lib", { pathWithNamespace: "g/p", defaultBranch: "main", visibility: "private" })).toBe("go.example.com/lib");
  });

  it("a decision for one project is not reused for another project at the same path", async () => {
    const checks: string[] = [];
    let verdict: "allowed" | "denied" = "allowed";
    const access = new AccessControl(new AccessDecisions(60_000, () => 0), async (project) => {
      checks.push(project);
      return verdict;
    });
    const client = { authorization: basicAuthorization({ user: "u", secret: "s" }), address: () => "192.0.2.1" };
    const request = (projectId: number) => ({ modulePath: "go.example.com/lib", project: "g/lib", projectId, isPublic: false, client });
    expect(await access.decide(request(1))).toBeUndefined();
    verdict = "denied";
    expect((await access.decide(request(2)))?.status).toBe(403);
    expect(await access.decide(request(1))).toBeUndefined();
    expect(checks).toEqual(["g/lib", "g/lib"]);
  });
});

describe("AccessControl.challengeUnknown (finding 8)", () => {
  const access = new AccessControl(new AccessDecisions(60_000), async () => "allowed");
  it("without a credential: the private module's very 401", async () => {
    const unknown = access.challengeUnknown("go.example.com/g/nothing", undefined)!;
    const privateOne = (await access.decide({ modulePath: "go.example.com/g/nothing", project: "g/nothing", isPublic: false, client: undefined }))!;
    expect(unknown.status).toBe(401);
    expect(unknown.headers).toEqual(privateOne.headers);
    expect(bodyText(unknown)).toBe(bodyText(privateOne));
  });

  it("with a credential: nothing (the 404 stands)", () => {
    expect(
      access.challengeUnknown("go.example.com/g/nothing", { authorization: basicAuthorization({ user: "u", secret: "s" }), address: () => "" }),
    ).toBeUndefined();
  });
});

describe("Modules: who may read comes from the proxy's own fresh look-up (finding 2)", () => {
  function modules(listTtlMs: number) {
    const clock = { now: 1_000 };
    const state: { project: GitlabProject | undefined; failing: boolean } = {
      project: { id: 7, pathWithNamespace: "g/p", defaultBranch: "main", visibility: "public", repositoryAccessLevel: "enabled" },
      failing: false,
    };
    const client = {
      url: "https://gitlab.example.com",
      health: { isFailing: false },
      project: async () => {
        if (state.failing) throw new GitlabUnavailable("unreachable", "GitLab is down");
        return state.project;
      },
    } as unknown as GitlabClient;
    const m = new Modules({
      // Discovery's (cached) answer carries no visibility: the proxy never takes it for access.
      locate: () => ({ kind: "found", project: "g/p", codeRoot: "go.example.com/p", subdir: "", repo: "https://gitlab.example.com/g/p.git" }),
      client,
      store: new MemoryStore(),
      listTtlMs,
      now: () => clock.now,
    });
    return { m, clock, state };
  }

  // While GitLab fails, a module last known public stays served from its last good location
  // (finding 6 asks for it; finding 2's "never from a stale look-up" holds whenever GitLab answers):
  // a project made private during an outage is private from the first look-up GitLab answers.
  it("a project made private is private after listTtl; while GitLab fails the last good location stands", async () => {
    const { m, clock, state } = modules(60_000);
    expect((await m.find("go.example.com/p")).isPublic).toBe(true);
    state.project = { ...state.project!, visibility: "private" };
    clock.now += 60_001;
    expect((await m.find("go.example.com/p")).isPublic).toBe(false);
    state.project = { ...state.project!, visibility: "public" };
    clock.now += 60_001;
    expect((await m.find("go.example.com/p")).isPublic).toBe(true);
    state.failing = true;
    clock.now += 60_001;
    const stale = await m.find("go.example.com/p");
    expect(stale.isPublic).toBe(true);
    expect(stale.projectId).toBe(7);
    state.failing = false;
    state.project = { ...state.project!, visibility: "private" };
    clock.now += 60_001;
    expect((await m.find("go.example.com/p")).isPublic).toBe(false);
  });

  it("with listTtl 0 the look-up made for the request counts", async () => {
    const { m } = modules(0);
    expect((await m.find("go.example.com/p")).isPublic).toBe(true);
  });

  it("a mapped path without a project is UnknownProject (401 without a credential)", async () => {
    const { m, state } = modules(60_000);
    state.project = undefined;
    await expect(m.find("go.example.com/p")).rejects.toBeInstanceOf(UnknownProject);
  });
});
