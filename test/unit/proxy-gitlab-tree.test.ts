// The proxy's tree listing walks GitLab's keyset pages (pagination=keyset, the page_token of the
// Link header), and still follows offset pages from a GitLab that ignores the parameter (< 15.0).
import { describe, expect, it } from "vitest";
import { GitlabClient } from "../../src/gitlab/client.js";

const GITLAB = "https://gitlab.example.com";
const entry = (path: string) => ({ id: "0".repeat(40), name: path, type: "blob", path, mode: "100644" });

/** A fetch answering from `pages` (query → [body, headers]) and recording every URL asked. */
function fakeFetch(answer: (url: URL) => [unknown, Record<string, string>]) {
  const asked: URL[] = [];
  const fn = (async (input: RequestInfo | URL) => {
    const url = new URL(String(input));
    asked.push(url);
    const [body, headers] = answer(url);
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json", ...headers } });
  }) as typeof fetch;
  return { fn, asked };
}

describe("GitlabClient.tree", () => {
  it("asks for keyset pages and follows the page_token of Link", async () => {
    const { fn, asked } = fakeFetch((url) => {
      const token = url.searchParams.get("page_token");
      if (token === null) {
        return [[entry("a.go"), entry("b.go")], { link: `<${GITLAB}/api/v4/projects/g%2Fp/repository/tree?page_token=TOKEN1&pagination=keyset>; rel="next"` }];
      }
      if (token === "TOKEN1") return [[entry("c.go")], {}];
      throw new Error(`unexpected page_token ${token}`);
    });
    const client = new GitlabClient({ url: GITLAB, apiTimeoutMs: 1000, maxConcurrentCalls: 4, fetch: fn });
    const tree = await client.tree("g/p", "abc", "");
    expect(tree?.map((e) => e.path)).toEqual(["a.go", "b.go", "c.go"]);
    expect(asked.map((u) => u.searchParams.get("pagination"))).toEqual(["keyset", "keyset"]);
    expect(asked.map((u) => u.searchParams.get("page_token"))).toEqual([null, "TOKEN1"]);
    // The next page is asked of GitLab's own URL, built by modgate, not the Link's host.
    expect(asked.every((u) => u.origin === GITLAB)).toBe(true);
  });

  it("still walks offset pages when GitLab ignores pagination=keyset", async () => {
    const { fn, asked } = fakeFetch((url) => {
      const page = url.searchParams.get("page") ?? "1";
      return page === "1" ? [[entry("a.go")], { "x-next-page": "2" }] : [[entry("b.go")], { "x-next-page": "" }];
    });
    const client = new GitlabClient({ url: GITLAB, apiTimeoutMs: 1000, maxConcurrentCalls: 4, fetch: fn });
    expect((await client.tree("g/p", "abc", "sub"))?.map((e) => e.path)).toEqual(["a.go", "b.go"]);
    expect(asked.map((u) => u.searchParams.get("page"))).toEqual([null, "2"]);
    expect(asked[0]!.searchParams.get("path")).toBe("sub");
  });
});
