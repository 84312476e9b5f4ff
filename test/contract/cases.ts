// The HTTP contract of modgate (issue 2, "Behaviour") as a table of requests
// and the answers they must get. Runtime-agnostic: app.node.test.ts runs it
// through app.request() on Node, and the same table runs inside Cloudflare
// workerd later, so this file imports nothing Node-only (no node:*, no fs).
//
// Every expected value below is written out by hand from the contract and
// the config in CONTRACT_CONFIG; none is computed by modgate's code.
import { expect } from "vitest";
import { goImports, goSources, metaTags } from "./meta.js";

export { CONTRACT_CONFIG, CONTRACT_CONFIG_FILE } from "./config.js";

export interface ContractCase {
  name: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  expect: {
    status: number;
    /** Header values: a string must match exactly, a RegExp must match. */
    headers?: Record<string, string | RegExp>;
    /** The content of the single go-import tag; when absent, the body must carry no go-import tag. */
    goImport?: string;
    /** The content of the single go-source tag; null: no go-source tag at all. */
    goSource?: string | null;
    location?: string;
    bodyIncludes?: string[];
    bodyExcludes?: string[];
    /** The exact body, e.g. "" for HEAD. */
    body?: string;
    bodyMatches?: RegExp;
  };
}

/** A Web-standard Request for a case, the same on every runtime. */
export function toRequest(c: ContractCase): Request {
  // manual: a 302 must come back as is (a Workers service binding would follow it, back into the Worker).
  const init: RequestInit = { method: c.method, redirect: "manual" };
  if (c.headers) init.headers = c.headers;
  return new Request(c.url, init);
}

// ---- expected values, written from the config above ------------------------

const EX = "http://go.example.com";
const OTHER = "http://go.other.org";
const GITLAB = "https://gitlab.example.com";

const HIT_CACHE = "public, max-age=600";
const HTML = "text/html; charset=utf-8";
const TEXT = "text/plain; charset=utf-8";
/** A one-line explanation. */
const ONE_LINE = /^[^\n]+\n?$/;

const TOOLS_IMPORT = "go.example.com/tools git ssh://git@gitlab.example.com:2222/platform/devtools/tools.git";
const TOOLS_WEB = `${GITLAB}/platform/devtools/tools`;
const TOOLS_SOURCE = `go.example.com/tools ${TOOLS_WEB} ${TOOLS_WEB}/-/tree/trunk{/dir} ${TOOLS_WEB}/-/blob/trunk{/dir}/{file}#L{line}`;
const EXTRA_IMPORT = `go.example.com/tools/extra git ${GITLAB}/platform/devtools/extra.git`;
const SECRET_IMPORT = `go.example.com/secret git ${GITLAB}/platform/secret/vault.git`;
const YAML_IMPORT = `go.example.com/libs/yaml git ${GITLAB}/platform/libs/yaml.git`;
const YAML_WEB = `${GITLAB}/platform/libs/yaml`;
const YAML_SOURCE = `go.example.com/libs/yaml ${YAML_WEB} ${YAML_WEB}/-/tree/main{/dir} ${YAML_WEB}/-/blob/main{/dir}/{file}#L{line}`;
const SPECIAL_IMPORT = `go.example.com/libs/special git ${GITLAB}/platform/special-lib.git`;
const SDK_IMPORT = `go.example.com/sdk git ${GITLAB}/platform/mono.git sdk/go`;
const SDK_WEB = `${GITLAB}/platform/mono`;
const SDK_SOURCE = `go.example.com/sdk ${SDK_WEB} ${SDK_WEB}/-/tree/main/sdk/go{/dir} ${SDK_WEB}/-/blob/main/sdk/go{/dir}/{file}#L{line}`;
const X_IMPORT = "go.other.org/x git https://github.com/acme/x";
const HG_IMPORT = "go.other.org/hg hg https://hg.example.org/acme/hg";

// ---- case builders -----------------------------------------------------------

/** A go-get request answered with the given go-import tag. */
function goGet(name: string, url: string, goImport: string, goSource?: string | null, method = "GET"): ContractCase {
  const expected: ContractCase["expect"] = {
    status: 200,
    headers: { "content-type": HTML, "cache-control": HIT_CACHE },
    goImport,
  };
  if (goSource !== undefined) expected.goSource = goSource;
  return { name, method, url, expect: expected };
}

/** A 404 answer: plain text, never cached, no go-import tag. */
function notFound(name: string, url: string, method = "GET", bodyIncludes?: string[]): ContractCase {
  return {
    name,
    method,
    url,
    expect: { status: 404, headers: { "content-type": TEXT, "cache-control": "no-cache" }, bodyMatches: ONE_LINE, ...(bodyIncludes ? { bodyIncludes } : {}) },
  };
}

function methodNotAllowed(method: string, url: string): ContractCase {
  return {
    name: `${method} ${new URL(url).pathname} → 405`,
    method,
    url,
    expect: { status: 405, headers: { allow: "GET, HEAD", "content-type": TEXT } },
  };
}

function redirect(name: string, url: string, location: string): ContractCase {
  return {
    name,
    method: "GET",
    url,
    expect: { status: 302, location, headers: { "cache-control": HIT_CACHE } },
  };
}

function page(name: string, url: string, bodyIncludes: string[], bodyExcludes: string[] = []): ContractCase {
  return {
    name,
    method: "GET",
    url,
    expect: { status: 200, headers: { "content-type": HTML, "cache-control": HIT_CACHE }, bodyIncludes, bodyExcludes },
  };
}

/** A path exactly `bytes` long, inside the tools module, made of valid elements. */
function toolsPathOfLength(bytes: number): string {
  const prefix = "/tools/";
  return prefix + "a".repeat(bytes - prefix.length);
}

// ---- the table ----------------------------------------------------------------

export const cases: ContractCase[] = [
  // go-get answers
  goGet("go-get at a module root", `${EX}/tools?go-get=1`, TOOLS_IMPORT, TOOLS_SOURCE),
  goGet("go-get for a package deep inside a module", `${EX}/tools/cmd/lint/internal/rules?go-get=1`, TOOLS_IMPORT, TOOLS_SOURCE),
  goGet("go-get for /v2 is served by the repository root's tag", `${EX}/tools/v2?go-get=1`, TOOLS_IMPORT),
  goGet("go-get for a package of /v2", `${EX}/tools/v2/pkg?go-get=1`, TOOLS_IMPORT),
  goGet("nested module: the deeper rule wins at its root", `${EX}/tools/extra?go-get=1`, EXTRA_IMPORT),
  goGet("nested module: the deeper rule wins below its root", `${EX}/tools/extra/pkg/x?go-get=1`, EXTRA_IMPORT),
  goGet("the outer module keeps its other subpaths", `${EX}/tools/extras?go-get=1`, TOOLS_IMPORT),
  goGet("template rule fills its variable into root and repo", `${EX}/libs/yaml?go-get=1`, YAML_IMPORT, YAML_SOURCE),
  goGet("template rule: the answer does not depend on the subpath", `${EX}/libs/yaml/decoder/v3?go-get=1`, YAML_IMPORT, YAML_SOURCE),
  goGet("template variable keeps the request's case", `${EX}/libs/YAML?go-get=1`, `go.example.com/libs/YAML git ${GITLAB}/platform/libs/YAML.git`),
  goGet("a literal beats the template of the same length", `${EX}/libs/special/pkg?go-get=1`, SPECIAL_IMPORT),
  goGet("subdir module: a 4-field go-import tag", `${EX}/sdk/client?go-get=1`, SDK_IMPORT, SDK_SOURCE),
  goGet("private modules answer go-get like any other", `${EX}/secret/pkg?go-get=1`, SECRET_IMPORT),
  goGet("second host with repo: (no go-source)", `${OTHER}/x/y?go-get=1`, X_IMPORT, null),
  goGet("second host, vcs hg", `${OTHER}/hg?go-get=1`, HG_IMPORT, null),
  goGet("Host with a port and upper case: prefix from config", "http://GO.Example.COM:8443/tools?go-get=1", TOOLS_IMPORT),
  goGet("https request", "https://go.example.com/tools?go-get=1", TOOLS_IMPORT),
  goGet("go-get=1 after another parameter", `${EX}/tools?x=y&go-get=1`, TOOLS_IMPORT),
  goGet("go-get=1 before another parameter", `${EX}/tools?go-get=1&x=y`, TOOLS_IMPORT),
  goGet("exactly 1024-byte path is still served", `${EX}${toolsPathOfLength(1024)}?go-get=1`, TOOLS_IMPORT),
  {
    name: "HEAD go-get: 200 with the same headers and an empty body",
    method: "HEAD",
    url: `${EX}/tools?go-get=1`,
    expect: { status: 200, headers: { "content-type": HTML, "cache-control": HIT_CACHE }, body: "" },
  },

  // not found
  notFound("element boundary: /toolsx is not /tools", `${EX}/toolsx?go-get=1`),
  notFound("import paths are case-sensitive", `${EX}/Tools?go-get=1`),
  notFound("template needs its element", `${EX}/libs?go-get=1`),
  notFound("unknown path with go-get", `${EX}/nothing/here?go-get=1`),
  notFound("unknown path without go-get", `${EX}/nothing/here`),
  notFound("a module of one host is not served on another", `${OTHER}/tools?go-get=1`),
  // The 404 names the Host received, so an operator sees what a reverse proxy sent.
  notFound("unknown host when several hosts are configured", "http://unknown.example.net/tools?go-get=1", "GET", ["for the host unknown.example.net"]),
  notFound("unknown host, browser", "http://Unknown.Example.NET:8080/tools", "GET", ["for the host unknown.example.net:8080"]),
  notFound("/?go-get=1: no module at the root of a host", `${EX}/?go-get=1`),
  notFound("/-/ is reserved: /-/other", `${EX}/-/other`),
  notFound("/-/ is reserved, even with go-get", `${EX}/-/tools?go-get=1`),

  // invalid import paths: 404, never 5xx
  notFound("/a/../b (normalised by the URL parser to /b)", `${EX}/a/../b?go-get=1`),
  notFound("/%2e%2e", `${EX}/%2e%2e?go-get=1`),
  notFound("%2F is not a slash", `${EX}/a%2Fb?go-get=1`),
  notFound("%2F inside a module is not a slash either", `${EX}/tools%2Fpkg?go-get=1`),
  notFound("empty element //", `${EX}/a//b?go-get=1`),
  notFound("empty element inside a module", `${EX}/tools//pkg?go-get=1`),
  notFound("trailing slash inside a module", `${EX}/tools/?go-get=1`),
  notFound("/.hidden", `${EX}/.hidden?go-get=1`),
  notFound("percent-encoded space", `${EX}/tools/a%20b?go-get=1`),
  notFound("non-ASCII element", `${EX}/tools/%C3%A9t%C3%A9?go-get=1`),
  notFound("Windows reserved element", `${EX}/tools/con?go-get=1`),
  notFound("trailing dot element", `${EX}/tools/pkg.?go-get=1`),
  notFound("Windows short name element", `${EX}/tools/progra~1?go-get=1`),
  notFound("template variable must be a valid element", `${EX}/libs/a%2Fb?go-get=1`),
  {
    name: "path longer than 1024 bytes → 414",
    method: "GET",
    url: `${EX}${toolsPathOfLength(1025)}?go-get=1`,
    expect: { status: 414, headers: { "content-type": TEXT, "cache-control": "no-cache" }, bodyMatches: ONE_LINE },
  },

  // methods
  methodNotAllowed("POST", `${EX}/tools?go-get=1`),
  methodNotAllowed("PUT", `${EX}/tools`),
  methodNotAllowed("DELETE", `${EX}/tools`),
  methodNotAllowed("OPTIONS", `${EX}/tools?go-get=1`),
  methodNotAllowed("PATCH", `${EX}/`),
  methodNotAllowed("POST", `${EX}/-/healthz`),

  // the service's own paths
  { name: "health check", method: "GET", url: `${EX}/-/healthz`, expect: { status: 200 } },
  { name: "health check on any host", method: "GET", url: "http://unknown.example.net/-/healthz", expect: { status: 200 } },
  { name: "HEAD health check", method: "HEAD", url: `${EX}/-/healthz`, expect: { status: 200, body: "" } },

  // browsers
  redirect("browser at a package → pkg.go.dev with the full import path", `${EX}/libs/yaml/decoder`, "https://pkg.go.dev/go.example.com/libs/yaml/decoder"),
  redirect("browser at a module root → pkg.go.dev", `${EX}/sdk`, "https://pkg.go.dev/go.example.com/sdk"),
  redirect("go-get=0 is a browser", `${EX}/tools/cmd?go-get=0`, "https://pkg.go.dev/go.example.com/tools/cmd"),
  redirect("other parameters only: a browser", `${EX}/tools?tab=doc`, "https://pkg.go.dev/go.example.com/tools"),
  redirect(
    "private module: browser goes to the GitLab tree of the subpath",
    `${EX}/secret/crypto/aes`,
    `${GITLAB}/platform/secret/vault/-/tree/main/crypto/aes`,
  ),
  redirect("private module root: browser goes to the GitLab project page", `${EX}/secret`, `${GITLAB}/platform/secret/vault`),
  redirect(
    "private subdir module: browser goes to the GitLab tree under the subdir",
    `${EX}/secret/sdk/auth`,
    `${GITLAB}/platform/secret/mono/-/tree/main/go/sdk/auth`,
  ),
  goGet("nested private subdir module: 4 fields", `${EX}/secret/sdk/auth?go-get=1`, `go.example.com/secret/sdk git ${GITLAB}/platform/secret/mono.git go/sdk`),
  redirect("second host: browser → pkg.go.dev", `${OTHER}/x/y`, "https://pkg.go.dev/go.other.org/x/y"),
  page("browser: none → a page with the go get line", `${EX}/quiet/pkg`, ["go get go.example.com/quiet/pkg"]),

  // index pages
  page(
    "index lists the host's public modules, templates as patterns",
    `${EX}/`,
    [
      "go get go.example.com/tools",
      "go get go.example.com/tools/extra",
      "go get go.example.com/libs/{name}",
      "go get go.example.com/libs/special",
      "go get go.example.com/sdk",
      "go get go.example.com/quiet",
      'href="https://pkg.go.dev/go.example.com/sdk"',
    ],
    ["go.example.com/secret", "go.other.org"],
  ),
  page("the other host's index lists only its own modules", `${OTHER}/`, ["go get go.other.org/x", "go get go.other.org/hg"], ["go.example.com"]),
];

// ---- the assertions ------------------------------------------------------------

/** Asserts that `response` is what case `c` expects; every response also gets the common checks. */
export async function checkResponse(c: ContractCase, response: Response): Promise<void> {
  const want = c.expect;
  const body = await response.text();
  const context = `${c.method} ${c.url} → ${response.status} ${body.slice(0, 200)}`;

  expect(response.status, context).toBe(want.status);

  // Every response: the security headers, and CSP on every HTML page.
  expect(response.headers.get("x-content-type-options"), context).toBe("nosniff");
  expect(response.headers.get("referrer-policy"), context).toBe("no-referrer");
  if ((response.headers.get("content-type") ?? "").startsWith("text/html")) {
    expect(response.headers.get("content-security-policy"), context).toMatch(/default-src 'none'/);
    expect(body, context).not.toMatch(/<script/i);
  }

  for (const [name, value] of Object.entries(want.headers ?? {})) {
    const got = response.headers.get(name);
    if (typeof value === "string") expect(got, `${context}: header ${name}`).toBe(value);
    else expect(got, `${context}: header ${name}`).toMatch(value);
  }

  if (want.location !== undefined) expect(response.headers.get("location"), context).toBe(want.location);
  if (want.body !== undefined) expect(body, context).toBe(want.body);
  if (want.bodyMatches !== undefined) expect(body, context).toMatch(want.bodyMatches);
  for (const text of want.bodyIncludes ?? []) expect(body, context).toContain(text);
  for (const text of want.bodyExcludes ?? []) expect(body, context).not.toContain(text);

  // The go command reads tags from any status: only a go-import answer may carry one.
  const importTags = metaTags(body).filter((t) => t.name === "go-import");
  if (want.goImport === undefined) {
    expect(importTags, `${context}: no go-import tag expected`).toEqual([]);
  } else {
    expect(
      importTags.map((t) => t.content),
      context,
    ).toEqual([want.goImport]);
    expect(goImports(body), `${context}: the go command must accept the tag`).toEqual([want.goImport]);
  }
  if (want.goSource === null) expect(goSources(body), context).toEqual([]);
  else if (want.goSource !== undefined) expect(goSources(body), context).toEqual([want.goSource]);
}
