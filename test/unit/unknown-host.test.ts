// The 404 for a Host no rule serves names the Host received (issue 9). It is
// request data: only a well-formed host is shown (capped); anything else is
// described, never echoed. (test/unit/properties.test.ts checks that no
// answer carries hostile request data.)
import { bodyText } from "../../src/http/responses.js";
import { describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { answer } from "../../src/app/answer.js";
import { Router } from "../../src/core/router.js";
import type { PlainAnswer } from "../../src/http/responses.js";
import { MAX_SHOWN_HOST } from "../../src/core/request-text.js";
import { modgateOf } from "../support/modgate-of.js";

// Two hosts: with one, every Host is answered as that host.
const router = new Router(
  compileConfig(
    "modules:\n  - path: go.example.com/a\n    repo: https://git.example.com/a\n  - path: go.other.org/b\n    repo: https://git.example.com/b\n",
    "two-hosts.yaml",
  ),
);

/** The 404's one line, without its newline. */
function lineFor(host: string | undefined): string {
  const result = answer("GET", host, "/a?go-get=1", modgateOf(router)) as PlainAnswer;
  expect(result.status).toBe(404);
  expect(result.body).toMatch(/^[\x20-\x7e]*\n$/);
  return bodyText(result).slice(0, -1);
}

describe("404 for an unknown Host", () => {
  it("names the Host received, port included", () => {
    expect(lineFor("Unknown.Example.net:8443")).toBe("not found: no modules are served for the host Unknown.Example.net:8443");
    expect(lineFor("[::1]:80")).toBe("not found: no modules are served for the host [::1]:80");
  });

  it("says so when there is no Host at all", () => {
    expect(lineFor(undefined)).toBe("not found: no modules are served for a request without a Host header");
  });

  it("describes, without echoing, a Host that is not a host name", () => {
    for (const host of ["evil\r\nX-Injected: 1", "<b>x</b>", 'go.example.com"q', "go.example.com ", "go.ex\u00e4mple.com", "a@b.example"]) {
      const line = lineFor(host);
      expect(line).toBe(`not found: no modules are served for a Host header that is not a host name (${host.length} characters)`);
    }
  });

  it("caps a long Host", () => {
    expect(lineFor("a".repeat(5000) + ".example")).toBe(`not found: no modules are served for the host ${"a".repeat(MAX_SHOWN_HOST)}...`);
  });
});
