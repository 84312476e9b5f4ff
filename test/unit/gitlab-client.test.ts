// The one GitLab client (src/gitlab/client.ts): the project as both discovery
// and the proxy read it, every call refused while modgate is misconfigured,
// and the access check taking a slot of the same cap as every other call.
import { describe, expect, it } from "vitest";
import { GitlabClient, UNKNOWN_BRANCH } from "../../src/gitlab/client.js";
import { GitlabUnavailable } from "../../src/gitlab/failure.js";

const GITLAB = "https://gitlab.example.com";

function answering(body: unknown, asked: string[] = []): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    asked.push(String(input));
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
}

const client = (fetchFn: typeof fetch, extra: { misconfigured?: string; maxConcurrentCalls?: number } = {}) =>
  new GitlabClient({
    url: GITLAB,
    token: "t",
    apiTimeoutMs: 1000,
    maxConcurrentCalls: extra.maxConcurrentCalls ?? 4,
    fetch: fetchFn,
    ...(extra.misconfigured ? { misconfigured: extra.misconfigured } : {}),
  });

describe("GitlabClient.project", () => {
  it("reads the id and repository_access_level when GitLab sends them", async () => {
    const asked: string[] = [];
    const body = { id: 42, path_with_namespace: "g/p", default_branch: "main", visibility: "internal", repository_access_level: "private" };
    expect(await client(answering(body, asked)).project("g/p")).toEqual({
      id: 42,
      pathWithNamespace: "g/p",
      defaultBranch: "main",
      visibility: "internal",
      repositoryAccessLevel: "private",
    });
    expect(asked).toEqual([`${GITLAB}/api/v4/projects/g%2Fp`]);
  });

  it("leaves out what GitLab did not send, and has HEAD for an empty repository's default branch", async () => {
    const body = { path_with_namespace: "g/p", default_branch: null, visibility: "public", repository_access_level: "sometimes" };
    expect(await client(answering(body)).project("g/p")).toEqual({ pathWithNamespace: "g/p", defaultBranch: UNKNOWN_BRANCH, visibility: "public" });
  });
});

describe("GitlabClient while misconfigured", () => {
  it("refuses every call with the reason, and sends nothing", async () => {
    const asked: string[] = [];
    const c = client(answering({}, asked), { misconfigured: "set the secret GITLAB_TOKEN" });
    for (const call of [() => c.project("g/p"), () => c.group("g"), () => c.tags("g/p", ""), () => c.canRead("g/p", { user: "u", secret: "s" })]) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GitlabUnavailable);
      expect(err).toMatchObject({ kind: "misconfigured", reason: "set the secret GITLAB_TOKEN" });
    }
    expect(asked).toEqual([]);
  });
});

describe("GitlabClient.canRead", () => {
  it("takes a slot of the cap on calls like any other call", async () => {
    let open = 0;
    let maxOpen = 0;
    const slow = (async () => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      await new Promise((resolve) => setTimeout(resolve, 20));
      open--;
      return new Response("refs", { status: 200 });
    }) as typeof fetch;
    const c = client(slow, { maxConcurrentCalls: 1 });
    const verdicts = await Promise.all([1, 2, 3].map(() => c.canRead("g/p", { user: "u", secret: "s" })));
    expect(verdicts).toEqual(["allowed", "allowed", "allowed"]);
    expect(maxOpen).toBe(1);
    expect(c.callsInFlight).toBe(0);
  });
});
