// Paths with dot segments or backslashes are read as a WHATWG URL parser
// reads them (that is all a Worker ever sees), on every runtime; and such a
// path can never name a host or fail the request.
import { bodyText } from "../../src/http/responses.js";
import { describe, expect, it } from "vitest";
import { answer } from "../../src/app/answer.js";
import { compileConfig } from "../../src/config/load.js";
import { Router } from "../../src/core/router.js";
import { modgateOf } from "../support/modgate-of.js";

const router = new Router(
  compileConfig(
    `gitlab:
  url: https://gitlab.example.com
modules:
  - path: go.example.com/tools
    project: platform/tools
  - path: go.example.com/libs/{name}
    project: platform/libs/{name}
`,
    "normalise.yaml",
  ),
);

const ask = async (target: string) => answer("GET", "go.example.com", target, modgateOf(router));
const goImportOf = (body: string | null) => /<meta name="go-import" content="([^"]*)">/.exec(body ?? "")?.[1];

describe("dot segments and backslashes", () => {
  it.each([
    ["/tools/../libs/foo?go-get=1", "go.example.com/libs/foo git https://gitlab.example.com/platform/libs/foo.git"],
    ["/libs/x/%2e%2e/y/z?go-get=1", "go.example.com/libs/y git https://gitlab.example.com/platform/libs/y.git"],
    ["/tools/./pkg?go-get=1", "go.example.com/tools git https://gitlab.example.com/platform/tools.git"],
    ["/libs\\foo?go-get=1", "go.example.com/libs/foo git https://gitlab.example.com/platform/libs/foo.git"],
  ])("%s is answered as its normalised path", async (target, goImport) => {
    const a = await ask(target);
    expect(a.status).toBe(200);
    expect(goImportOf(bodyText(a))).toBe(goImport);
  });

  it.each(["//evil.example/tools?go-get=1", "/\\\\evil.example/tools?go-get=1", "/\\/%5c..%5c/..?go-get=1", "//%5c..%5c/./g\\internal!"])(
    "%s never names a host and never fails",
    async (target) => {
      const a = await ask(target);
      expect(a.status).toBe(404);
      expect(a.body).not.toContain("evil.example");
    },
  );
});
