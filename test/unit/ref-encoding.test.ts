// Ref names (a static rule's branch:, a project's default_branch) and API
// paths enter URLs percent-encoded per path element (issue 9): a raw "功能"
// in a Location header crashed the Node listener, "#", "?" and "%" steered
// links. Exact Location and go-source for a table of names, on static rules
// and through a group rule whose GitLab answers with the name.
import { bodyText } from "../../src/http/responses.js";
import { describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { answer } from "../../src/app/answer.js";
import type { PlainAnswer } from "../../src/http/responses.js";
import { Router } from "../../src/core/router.js";
import { encodePath, encodePathSegment } from "../../src/core/url-path.js";
import { assemble } from "../../src/app/assemble.js";
import { MemoryLookupCache } from "../../src/discovery/lookup-cache.js";
import { goSources } from "../contract/meta.js";
import { compiledModule, handBuilt } from "./configs.js";
import { modgateOf } from "../support/modgate-of.js";
import type { Modgate } from "../../src/app/modgate.js";

const GITLAB = "https://gitlab.example.com";
const WEB = `${GITLAB}/platform/tools`;

/** [ref as GitLab names it, the ref as it must appear in a URL path]. */
const REFS: Array<[ref: string, encoded: string]> = [
  ["功能", "%E5%8A%9F%E8%83%BD"],
  ["é", "%C3%A9"],
  ["a#b", "a%23b"],
  ["a?b", "a%3Fb"],
  ["100%", "100%25"],
  ["%2e%2e/x", "%252e%252e/x"],
  ["feature/x", "feature/x"],
  ["release/功能 1", "release/%E5%8A%9F%E8%83%BD%201"],
  ["{dir}", "%7Bdir%7D"],
  ["main", "main"],
];

async function settle(a: PlainAnswer | Promise<PlainAnswer>): Promise<PlainAnswer> {
  return a instanceof Promise ? a : Promise.resolve(a);
}

/** Every header value must be one node:http and fetch accept: visible ASCII only. */
function expectAsciiHeaders(a: PlainAnswer): void {
  for (const [name, value] of Object.entries(a.headers)) expect(value, name).toMatch(/^[\x20-\x7e]*$/);
}

describe("encodePath", () => {
  it("keeps the slashes between elements and encodes each element", () => {
    for (const [ref, encoded] of REFS) expect(encodePath(ref), ref).toBe(encoded);
  });

  it("keeps what a path segment may carry (RFC 3986 pchar) and encodes the rest", () => {
    expect(encodePathSegment("a-b_c.d~e!$&'()*+,;=:@")).toBe("a-b_c.d~e!$&'()*+,;=:@");
    expect(encodePathSegment('a/b c"<>\\^`|[]\u0000\u007f')).toBe("a%2Fb%20c%22%3C%3E%5C%5E%60%7C%5B%5D%00%7F");
  });

  it("turns a lone surrogate into U+FFFD instead of throwing", () => {
    expect(encodePathSegment("x\ud800")).toBe("x%EF%BF%BD");
  });
});

describe("static rules: Location and go-source with an odd branch", () => {
  const router = new Router(
    handBuilt(
      REFS.map(([ref], i) =>
        compiledModule(`go.example.com/m${i}`, {
          repo: `${WEB}.git`,
          gitlab: { web: WEB, branch: ref },
          browser: "gitlab",
        }),
      ),
    ),
  );

  it.each(REFS.map(([ref, encoded], i) => ({ ref, encoded, i })))("$ref → $encoded", async ({ encoded, i }) => {
    const browser = await settle(answer("GET", "go.example.com", `/m${i}/pkg/sub`, modgateOf(router)));
    expect(browser.status).toBe(302);
    expect(browser.headers.Location).toBe(`${WEB}/-/tree/${encoded}/pkg/sub`);
    expectAsciiHeaders(browser);

    const goGet = await settle(answer("GET", "go.example.com", `/m${i}/pkg?go-get=1`, modgateOf(router)));
    expect(goSources(bodyText(goGet))).toEqual([`go.example.com/m${i} ${WEB} ${WEB}/-/tree/${encoded}{/dir} ${WEB}/-/blob/${encoded}{/dir}/{file}#L{line}`]);
  });

  it("keeps a subdir after the encoded ref", async () => {
    const sdk = new Router(
      handBuilt([compiledModule("go.example.com/sdk", { repo: `${WEB}.git`, subdir: "sdk/go", gitlab: { web: WEB, branch: "功能" }, browser: "gitlab" })]),
    );
    const browser = await settle(answer("GET", "go.example.com", "/sdk/x", modgateOf(sdk)));
    expect(browser.headers.Location).toBe(`${WEB}/-/tree/%E5%8A%9F%E8%83%BD/sdk/go/x`);
    const goGet = await settle(answer("GET", "go.example.com", "/sdk?go-get=1", modgateOf(sdk)));
    expect(goSources(bodyText(goGet))[0]).toContain(`${WEB}/-/blob/%E5%8A%9F%E8%83%BD/sdk/go{/dir}/{file}#L{line}`);
  });
});

describe("group rules: the API's default_branch and path", () => {
  /** A router for go.example.com/oss → platform/oss whose GitLab answers every project look-up with `project`. */
  function groupRouter(project: { path_with_namespace: string; default_branch: string }): Modgate {
    const config = compileConfig(
      `gitlab:\n  url: ${GITLAB}\nmodules:\n  - path: go.example.com/oss\n    group: platform/oss\n    browser: gitlab\n`,
      "group.yaml",
    );
    // Only the look-up of the project itself finds it; its subpaths are missing.
    const fakeGitlab: typeof fetch = async (input) => {
      const url = String(input instanceof Request ? input.url : input);
      const found = url.endsWith(`/projects/${encodeURIComponent(project.path_with_namespace)}`);
      return found ? Response.json({ ...project, visibility: "public" }) : Response.json({ message: "404 Project Not Found" }, { status: 404 });
    };
    return assemble(config, { cache: () => new MemoryLookupCache(100), fetch: fakeGitlab });
  }

  // A default_branch git would refuse as a ref name (space, "?") never reaches a URL: links use HEAD (issue 9).
  const expected = (ref: string, encoded: string) => (/[ ?]/.test(ref) ? "HEAD" : encoded);
  it.each(REFS.map(([ref, encoded]) => ({ ref, encoded: expected(ref, encoded) })))("default_branch $ref → $encoded", async ({ ref, encoded }) => {
    const router = groupRouter({ path_with_namespace: "platform/oss/tool", default_branch: ref });
    const browser = await settle(answer("GET", "go.example.com", "/oss/tool/cmd", router));
    expect(browser.status).toBe(302);
    expect(browser.headers.Location).toBe(`${GITLAB}/platform/oss/tool/-/tree/${encoded}/cmd`);
    expectAsciiHeaders(browser);
    const goGet = await settle(answer("GET", "go.example.com", "/oss/tool?go-get=1", router));
    expect(goSources(bodyText(goGet))[0]).toBe(
      `go.example.com/oss/tool ${GITLAB}/platform/oss/tool ${GITLAB}/platform/oss/tool/-/tree/${encoded}{/dir} ${GITLAB}/platform/oss/tool/-/blob/${encoded}{/dir}/{file}#L{line}`,
    );
  });
});
