// The 404 for a Host no rule serves names the Host received (issue 9): it is
// request data, so it is escaped and capped before it goes into the answer.
import { describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { answer } from "../../src/core/answer.js";
import { Router } from "../../src/core/router.js";
import type { PlainAnswer } from "../../src/core/responses.js";
import { MAX_QUOTED_CHARS, quoteRequestText } from "../../src/core/request-text.js";

// Two hosts: with one, every Host is answered as that host.
const router = new Router(
  compileConfig(
    "modules:\n  - path: go.example.com/a\n    repo: https://git.example.com/a\n  - path: go.other.org/b\n    repo: https://git.example.com/b\n",
    "two-hosts.yaml",
  ),
);

function bodyFor(host: string | undefined): string {
  const result = answer("GET", host, "/a?go-get=1", router) as PlainAnswer;
  expect(result.status).toBe(404);
  return (result.body ?? "").replace(/\n$/, "");
}

describe("404 for an unknown Host", () => {
  it("names the Host received", () => {
    expect(bodyFor("Unknown.Example.net:8443")).toBe('not found: no modules are served for the host "Unknown.Example.net:8443"');
  });

  it("says so when there is no Host at all", () => {
    expect(bodyFor(undefined)).toBe("not found: the request names no host (no Host header)");
  });

  it("escapes control characters, quotes and non-ASCII, and stays one line", () => {
    const body = bodyFor('evil\r\n"x"\\\u0000é功.example');
    expect(body).toBe('not found: no modules are served for the host "evil\\x0d\\x0a\\"x\\"\\\\\\x00\\xe9\\u{529f}.example"');
    expect(body).not.toMatch(/[\r\n\u0000]/);
  });

  it("caps a long Host", () => {
    const long = "a".repeat(5000) + ".example";
    const body = bodyFor(long);
    expect(body).toContain(`"${"a".repeat(MAX_QUOTED_CHARS)}"...`);
    expect(body.length).toBeLessThan(200);
  });

  it("quotes plain text unchanged", () => {
    expect(quoteRequestText("go.example.com")).toBe('"go.example.com"');
  });
});
