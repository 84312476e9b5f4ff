// Hostile input, property-based (issue 6): for any request path, Host, query
// and method, answer() and the Hono app never fail (no 5xx), never carry
// request data unescaped in HTML or in a header, redirect only to URLs built
// from config, match on element boundaries only, keep hosts apart, and give
// every go-get hit exactly one go-import tag for a configured module root.
//
// Runs are seeded so a failure reproduces: fast-check prints the seed and the
// path of the shrunk counterexample; rerun with MODGATE_FC_SEED=<seed>.
// Expected values come from an oracle written here (a linear scan over the
// config), never from the router under test.
import { bodyText } from "../../src/http/responses.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/load.js";
import { answer } from "../../src/app/answer.js";
import { createApp } from "../../src/app/hono-app.js";
import { variableName, type CompiledConfig, type CompiledModule } from "../../src/core/compiled.js";
import type { PlainAnswer } from "../../src/http/responses.js";
import { MemoryLookupCache } from "../../src/discovery/lookup-cache.js";
import { assemble } from "../../src/app/assemble.js";
import { goImports, goSources } from "../contract/meta.js";
import { allElements, attr, parsePage } from "./html.js";

const SEED = process.env.MODGATE_FC_SEED === undefined ? 0x6d6f64 : Number(process.env.MODGATE_FC_SEED);
/** MODGATE_FC_SCALE=10 runs every property ten times as often (for a local hunt, not CI). */
const SCALE = Number(process.env.MODGATE_FC_SCALE ?? 1);
const RUNS = 1000;

const GITLAB = "https://gitlab.example.com";

// Three hosts; the same element path ("tools", "libs/{name}") on more than
// one of them, so a host mix-up shows as a wrong go-import prefix.
const CONFIG_YAML = `\
gitlab:
  url: ${GITLAB}
  transport: https
  ssh:
    port: 2222
cacheMaxAge: 600
modules:
  - path: go.example.com/tools
    project: platform/devtools/tools
    transport: ssh
    branch: trunk
  - path: go.example.com/tools/extra
    project: platform/devtools/extra
  - path: go.example.com/secret
    project: platform/secret/vault
    private: true
  - path: go.example.com/secret/sdk
    project: platform/secret/mono
    subdir: go/sdk
    private: true
  - path: go.example.com/libs/{name}
    project: platform/libs/{name}
  - path: go.example.com/libs/special
    project: platform/special-lib
  - path: go.example.com/{org}/{repo}/x
    project: teams/{org}/{repo}
    browser: gitlab
  - path: go.example.com/quiet
    project: platform/quiet
    browser: none
  - path: go.example.com/oss
    group: platform/oss
  - path: go.other.org/x
    repo: https://github.com/acme/x
  - path: go.other.org/libs/{name}
    repo: https://github.com/acme/{name}
  - path: go.other.org/hg
    repo: https://hg.example.org/acme/hg
    vcs: hg
  - path: code.acme.io/tools
    project: acme/tools
    browser: gitlab
  - path: code.acme.io/v/{name}
    project: acme/go-{name}
    browser: none
`;

const CONFIG: CompiledConfig = compileConfig(CONFIG_YAML, "properties.yaml");
const HOSTS = ["go.example.com", "go.other.org", "code.acme.io"] as const;

// ---- an in-process GitLab for the group rule --------------------------------
// GitLab's GET /api/v4/projects/:id and /groups/:id, as it answers: paths
// found in any case (with the real path in the answer), 404 for everything else.
const PROJECTS: Record<string, { visibility: "public" | "internal" | "private"; branch: string }> = {
  "platform/oss/alpha": { visibility: "public", branch: "main" },
  "platform/oss/beta": { visibility: "private", branch: "develop" },
  "platform/oss/team/gamma": { visibility: "internal", branch: "main" },
};
const GROUPS = ["platform", "platform/oss", "platform/oss/team"];
/** The project and group paths GitLab was asked about, since the last reset. */
let apiCalls: string[] = [];

const gitlabFetch: typeof fetch = async (input) => {
  const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
  const groupPrefix = "/api/v4/groups/";
  if (url.origin === GITLAB && url.pathname.startsWith(groupPrefix)) {
    const asked = decodeURIComponent(url.pathname.slice(groupPrefix.length));
    apiCalls.push(asked);
    const real = GROUPS.find((g) => g.toLowerCase() === asked.toLowerCase());
    if (real === undefined) return Response.json({ message: "404 Group Not Found" }, { status: 404 });
    return Response.json({ full_path: real, visibility: "public" });
  }
  const prefix = "/api/v4/projects/";
  if (url.origin !== GITLAB || !url.pathname.startsWith(prefix)) return new Response("unexpected call", { status: 500 });
  const asked = decodeURIComponent(url.pathname.slice(prefix.length));
  apiCalls.push(asked);
  const real = Object.keys(PROJECTS).find((p) => p.toLowerCase() === asked.toLowerCase());
  if (real === undefined) return Response.json({ message: "404 Project Not Found" }, { status: 404 });
  const { visibility, branch } = PROJECTS[real]!;
  return Response.json({ path_with_namespace: real, visibility, default_branch: branch });
};

const router = assemble(CONFIG, { cache: (c) => new MemoryLookupCache(c.discovery.cacheEntries), fetch: gitlabFetch });
const app = createApp({ modgate: () => router });

// ---- the oracle ---------------------------------------------------------------

/** "Host:port" → "host", the way the contract says a Host is read (any case, port ignored). */
/**
 * The host a request is for, as the product defines it: the authority (or Host) without
 * userinfo, port and a trailing dot, in lower case.
 */
function hostOf(authority: string | undefined): string | undefined {
  if (authority === undefined) return undefined;
  let host = authority.slice(authority.lastIndexOf("@") + 1);
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    if (end >= 0) host = host.slice(0, end + 1);
  } else if (host.includes(":")) {
    host = host.slice(0, host.indexOf(":"));
  }
  if (host.endsWith(".")) host = host.slice(0, -1);
  return host.toLowerCase();
}

/**
 * The path a request is for: on Workers the runtime hands over WHATWG-normalised URLs
 * ("/a/../b" is "/b", "\\" is "/"), and every runtime must answer alike, so the oracle
 * reads a raw path the same way.
 */
function pathOf(raw: string): string {
  if (raw === "") return "/";
  if (!/\/\.|\\|%2e/i.test(raw)) return raw;
  try {
    return new URL("http://oracle.invalid" + raw).pathname;
  } catch {
    return raw;
  }
}

const isVariable = (element: string) => variableName(element) !== undefined;

/** Fills a rule's {variables} (named by position in its path) with the request's elements. */
function fill(template: string, module: CompiledModule, elements: readonly string[]): string {
  let out = template;
  module.elements.forEach((e, i) => {
    if (isVariable(e)) out = out.split(e).join(elements[i]!);
  });
  return out;
}

interface Expected {
  root: string;
  /** Rest of the request below the root, "" at the root. */
  rest: string;
  goImport: string;
  browser: "pkgsite" | "gitlab" | "none";
  web?: string;
  branch?: string;
  subdir?: string;
}

/**
 * What a request for `elements` on `host` must be answered with: the deepest
 * rule whose elements are a prefix (a template variable takes any one
 * element), a literal beating a variable at the first place they differ;
 * for a group rule, the deepest project GitLab has at exactly that path.
 */
function expectedModule(host: string, elements: readonly string[]): Expected | undefined {
  const candidates = CONFIG.modules.filter(
    (m) => m.host === host && m.elements.length <= elements.length && m.elements.every((e, i) => isVariable(e) || e === elements[i]),
  );
  candidates.sort((a, b) => {
    if (a.elements.length !== b.elements.length) return b.elements.length - a.elements.length;
    for (let i = 0; i < a.elements.length; i++) {
      const va = isVariable(a.elements[i]!);
      const vb = isVariable(b.elements[i]!);
      if (va !== vb) return va ? 1 : -1;
    }
    return 0;
  });
  const m = candidates[0];
  if (!m) return undefined;
  const depth = m.elements.length;
  if (m.group) {
    for (let i = elements.length; i > depth; i--) {
      const sub = elements.slice(depth, i).join("/");
      const project = PROJECTS[`${m.group.path}/${sub}`];
      if (!project) continue;
      const root = `${m.pattern}/${sub}`;
      const path = `${m.group.path}/${sub}`;
      const isPublic = project.visibility === "public";
      const ssh = m.group.transport === "ssh" || (m.group.transport === "auto" && !isPublic);
      return {
        root,
        rest: elements.slice(i).join("/"),
        goImport: `${root} git ${ssh ? `ssh://git@gitlab.example.com:2222/${path}.git` : `${GITLAB}/${path}.git`}`,
        browser: isPublic ? "pkgsite" : "gitlab",
        web: `${GITLAB}/${path}`,
        branch: project.branch,
      };
    }
    return undefined;
  }
  const root = `${host}/${elements.slice(0, depth).join("/")}`;
  const repo = fill(m.repo, m, elements);
  const expected: Expected = {
    root,
    rest: elements.slice(depth).join("/"),
    goImport: m.subdir === undefined ? `${root} ${m.vcs} ${repo}` : `${root} ${m.vcs} ${repo} ${m.subdir}`,
    browser: m.browser!,
  };
  if (m.gitlab) {
    expected.web = fill(m.gitlab.web, m, elements);
    expected.branch = m.gitlab.branch;
  }
  if (m.subdir !== undefined) expected.subdir = m.subdir;
  return expected;
}

/** A root a go-import tag may name: a configured literal root, a template instance or a project found below a group. */
function isConfiguredRoot(root: string): boolean {
  const [host, ...elements] = root.split("/");
  return CONFIG.modules.some((m) => {
    if (m.host !== host) return false;
    if (m.group) {
      if (elements.length <= m.elements.length || !m.elements.every((e, i) => e === elements[i])) return false;
      return `${m.group.path}/${elements.slice(m.elements.length).join("/")}` in PROJECTS;
    }
    return m.elements.length === elements.length && m.elements.every((e, i) => isVariable(e) || e === elements[i]);
  });
}

// ---- checks every answer must pass ----------------------------------------------

interface Observed {
  status: number;
  /** Header names lower-cased. */
  headers: Map<string, string>;
  body: string;
}

function observedOf(a: PlainAnswer): Observed {
  return {
    status: a.status,
    headers: new Map(Object.entries(a.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: bodyText(a),
  };
}

async function observedOfResponse(res: Response): Promise<Observed> {
  return { status: res.status, headers: new Map(res.headers), body: await res.text() };
}

/** What the request was, as the oracle reads it. */
interface Asked {
  /** The host the request is for (absolute-form authority, else Host), lower-case and without port. */
  host: string | undefined;
  /** The raw path, up to the first "?" or "#". */
  path: string;
  goGet: boolean;
  /** Strings in the request that must never reach a body or header as they are. */
  hostile: string[];
}

/** Markers the generators put into requests: none may appear raw in an answer. */
const CANARIES = ["<mg-", '"mg-', "'mg-", "<script", "X-Injected", "\r", "\u0000"];

const ALLOWED_TAGS = new Set(["html", "head", "meta", "title", "body", "h1", "pre", "p", "a", "code", "ul", "li", "small"]);
const ALLOWED_ATTRS = new Set(["lang", "charset", "name", "content", "href"]);
/** An import path's characters: what a validated request may contribute to a URL. */
const IMPORT_PATH = /^[A-Za-z0-9._~+\-/]*$/;

function elementsOf(path: string): string[] | undefined {
  if (!path.startsWith("/") || path === "/") return undefined;
  return path.slice(1).split("/");
}

function isElementPrefix(root: string, host: string | undefined, path: string): boolean {
  const [rootHost, ...rootElements] = root.split("/");
  const elements = elementsOf(path);
  if (rootHost !== host || !elements || rootElements.length > elements.length) return false;
  return rootElements.every((e, i) => e === elements[i]);
}

/** Fails with `what` (built only on failure: passing runs stay cheap) unless `condition` holds. */
function ok(condition: boolean, what: () => string): void {
  if (!condition) expect.fail(what());
}

function checkAnswer(asked: Asked, o: Observed): void {
  const where = (problem: string) => () =>
    `${problem}\n  request: ${JSON.stringify(asked)}\n  answer: ${JSON.stringify({ status: o.status, headers: [...o.headers], body: o.body.slice(0, 600) })}`;
  ok(o.status < 500, where("5xx"));
  ok([200, 302, 404, 405, 414].includes(o.status), where("unexpected status"));

  // Headers: printable ASCII only (so no CR/LF), the security headers always.
  for (const [name, value] of o.headers) {
    ok(/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name), where(`header name ${JSON.stringify(name)}`));
    ok(/^[\x20-\x7e]*$/.test(value), where(`header ${name} is not printable ASCII`));
    for (const c of CANARIES) ok(!value.includes(c), where(`request data ${JSON.stringify(c)} in header ${name}`));
  }
  ok(o.headers.get("x-content-type-options") === "nosniff", where("no X-Content-Type-Options: nosniff"));
  ok(o.headers.get("referrer-policy") === "no-referrer", where("no Referrer-Policy: no-referrer"));

  // Location: a URL built from config, with only import-path characters after the base.
  const location = o.headers.get("location");
  ok((location !== undefined) === (o.status === 302), where("Location without 302, or 302 without Location"));
  if (location !== undefined) {
    const pkgsite = asked.host === undefined ? undefined : `https://pkg.go.dev/${asked.host}/`;
    const base = [pkgsite, `${GITLAB}/`].find((b) => b !== undefined && location.startsWith(b));
    ok(base !== undefined, where("Location is not below pkg.go.dev/<asked host>/ or GitLab"));
    ok((HOSTS as readonly string[]).includes(asked.host ?? ""), where("redirect for a host that is not configured"));
    ok(IMPORT_PATH.test(location.slice(base!.length)), where("Location has characters no import path has"));
    // pkg.go.dev: the documentation of exactly the import path asked for.
    if (base === pkgsite) ok(location === `https://pkg.go.dev/${asked.host}${asked.path}`, where("pkg.go.dev Location is not the path asked for"));
  }

  const type = o.headers.get("content-type") ?? "";
  for (const c of CANARIES) ok(!o.body.includes(c), where(`request data ${JSON.stringify(c)} in the body`));
  for (const h of asked.hostile) ok(!o.body.includes(h), where(`request data ${JSON.stringify(h)} in the body`));

  if (o.body === "") {
    // HEAD through a Web runtime: the headers above are all there is.
  } else if (type.startsWith("text/html")) {
    ok(/^default-src 'none';/.test(o.headers.get("content-security-policy") ?? ""), where("HTML without a default-src 'none' CSP"));
    // Only the elements and attributes modgate's templates write: nothing injected.
    let document: ReturnType<typeof parsePage> | undefined;
    try {
      document = parsePage(o.body);
    } catch (err) {
      ok(false, where(`HTML does not parse cleanly: ${(err as Error).message}`));
    }
    for (const element of allElements(document!)) {
      ok(ALLOWED_TAGS.has(element.tagName), where(`unexpected element <${element.tagName}>`));
      for (const a of element.attrs) ok(ALLOWED_ATTRS.has(a.name), where(`unexpected attribute ${a.name}`));
      const href = attr(element, "href");
      if (href !== undefined) ok(/^https:\/\/[A-Za-z0-9._~+\-/]+$/.test(href), where(`link to ${href}`));
    }
  } else {
    ok(type === "text/plain; charset=utf-8", where("a body that is neither HTML nor plain text"));
    // One line, nothing from the request but a validated path.
    ok(/^[\x20-\x7e]*\n$/.test(o.body) && !/[<>"']/.test(o.body), where("plain-text body is not one line of safe ASCII"));
  }

  // go-import tags: exactly one on a 200 go-get answer, for a configured root
  // that is an element-wise prefix of the request on the request's own host.
  const imports = type.startsWith("text/html") ? goImports(o.body) : [];
  if (o.status === 200 && asked.goGet && asked.path !== "/" && o.body !== "") {
    ok(imports.length === 1, where(`${imports.length} go-import tags`));
    const root = imports[0]!.split(" ")[0]!;
    ok(isElementPrefix(root, asked.host, asked.path), where(`go-import root ${root} is not an element-wise prefix of the request on its host`));
    ok(isConfiguredRoot(root), where(`go-import root ${root} is no configured root or template instance`));
    for (const source of goSources(o.body)) ok(source.split(" ")[0] === root, where(`go-source ${source} for another root`));
  } else {
    ok(imports.length === 0, where("go-import tag on an answer that is not a go-get hit"));
  }

  // The GitLab API is asked only about projects below the group rule, on its host, within the request.
  for (const call of apiCalls) {
    const below = call.startsWith("platform/oss/") ? `go.example.com/oss/${call.slice("platform/oss/".length)}` : "";
    ok(isElementPrefix(below, asked.host, asked.path), where(`GitLab asked about ${call}`));
  }
}

// ---- generators -------------------------------------------------------------------

const POOL = [
  "tools",
  "extra",
  "secret",
  "sdk",
  "libs",
  "special",
  "x",
  "quiet",
  "oss",
  "alpha",
  "beta",
  "team",
  "gamma",
  "hg",
  "v",
  "cmd",
  "internal",
  "yaml",
  "a.b",
  "v2",
  "Tools",
  "ALPHA",
  "go.example.com",
  "go.other.org",
];

const HOSTILE_ELEMENTS = [
  "",
  ".",
  "..",
  "...",
  "%2e%2e",
  "%2E",
  "%2F",
  "%2f..%2f",
  "..%2F..",
  "%00",
  "%0d%0aX-Injected:%201",
  "%0A",
  "%3Cmg-tag%3E",
  "\r\nX-Injected: 1",
  "\n",
  "\r",
  "\u0000",
  "\t",
  " ",
  "<mg-tag>",
  '"mg-quote',
  "'mg-apos",
  "<script>alert(1)</script>",
  "&amp;",
  "&lt;mg",
  "\\",
  "..\\..",
  "CON",
  "aux.txt",
  "a~1",
  "trailing.",
  ".hidden",
  "-lead",
  "\u2028",
  "\ud800",
  "\u{1f600}",
  "\u00e9",
  "%",
  "%zz",
  ";",
  "@",
  ":",
  "javascript:alert(1)",
  "+",
  "~",
  "_",
  "-",
];

const validElement = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._~+-]{0,10}$/);
const nearMiss = fc
  .tuple(fc.constantFrom(...POOL), fc.constantFrom("X", "x", ".v2", "-", "~", "+", "_", "%2F", "%00", ".", "\u00e9", "<mg-t>", ";x"))
  .map(([e, s]) => e + s);

const element = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...POOL) },
  { weight: 2, arbitrary: validElement },
  { weight: 2, arbitrary: nearMiss },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_ELEMENTS) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 4 }) },
);

/** "/" and elements; empty elements make "//" and trailing slashes. */
const structuredPath = fc.array(element, { minLength: 0, maxLength: 6 }).map((es) => "/" + es.join("/"));

/** Paths of configured elements: the ones that reach modules. */
const cleanElements = fc.array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...POOL) }, { weight: 1, arbitrary: validElement }), {
  minLength: 1,
  maxLength: 5,
});
const cleanPath = cleanElements.map((es) => "/" + es.join("/"));

/** One hostile piece for a clean path: an element inserted, or glued to an element. */
const spoiler = fc.record({
  at: fc.nat(),
  bad: fc.oneof(fc.constantFrom(...HOSTILE_ELEMENTS), nearMiss, fc.string({ unit: "binary", maxLength: 3 })),
  how: fc.constantFrom("insert", "prefix", "suffix"),
});

function spoil(elements: readonly string[], { at, bad, how }: { at: number; bad: string; how: string }): string[] {
  const i = at % (elements.length + (how === "insert" ? 1 : 0));
  const out = elements.slice();
  if (how === "insert") out.splice(i, 0, bad);
  else out[i] = how === "prefix" ? bad + out[i] : out[i] + bad;
  return out;
}

const spoiledPath = fc.tuple(cleanElements, spoiler).map(([es, sp]) => "/" + spoil(es, sp).join("/"));

const path = fc.oneof(
  { weight: 5, arbitrary: cleanPath },
  { weight: 5, arbitrary: spoiledPath },
  { weight: 4, arbitrary: structuredPath },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }).map((s) => "/" + s) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 30 }).map((s) => "/" + s) },
  // Around the 1024-byte limit, and far past it.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("/tools/", "/libs/", "/oss/", "/x/", "/"), fc.integer({ min: 1010, max: 1030 }), fc.constantFrom("a", "a/", "\u00e9"))
      .map(([start, len, fillChar]) => (start + fillChar.repeat(len)).slice(0, len)),
  },
  { weight: 1, arbitrary: fc.integer({ min: 2000, max: 100_000 }).map((n) => "/tools/" + "p/".repeat(n / 2)) },
);

const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant("") },
  { weight: 4, arbitrary: fc.constant("?go-get=1") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "?go-get=1&x=1",
      "?x=1&go-get=1",
      "?go-get=0",
      "?go-get=",
      "?go-get=1#frag",
      "#go-get=1",
      "?%67o-get=1",
      "?go-get=1&go-get=0",
      "?go-get=%31",
      "?go-get=1<mg-q>",
      "?go-get=1\r\nX-Injected: 1",
      "?go-get=1&redirect=https://evil.example/",
      "?",
      "??go-get=1",
      "?go-get=1&%zz",
      "?go-get=1;x",
      '?go-get=1&x="mg-q',
      "?" + "a=1&".repeat(5000) + "go-get=1",
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 20 }).map((s) => "?" + s) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 10 }).map((s) => "?go-get=1&" + s) },
);

/** A Host value for `host`: any case, with or without a port (valid or not), sometimes a trailing dot. */
const hostVariant = (host: string) =>
  fc
    .tuple(fc.constantFrom("lower", "lower", "upper", "mixed"), fc.constantFrom("", "", "", ":443", ":80", ":", ":8080", ":65536", ":abc", ":443:443", "."))
    .map(([kase, suffix]) => {
      const cased = kase === "lower" ? host : kase === "upper" ? host.toUpperCase() : host.replace(/[aeiou]/g, (c) => c.toUpperCase());
      return cased + suffix;
    });

const configuredHost = fc.constantFrom(...HOSTS).chain(hostVariant);

const hostileHost = fc.constantFrom(
  "",
  "evil.example",
  "gitlab.example.com",
  "pkg.go.dev",
  "localhost",
  "127.0.0.1",
  "[::1]",
  "[::1]:8080",
  "[go.example.com]",
  "go.example.com\r\nX-Injected: 1",
  "<mg-host>",
  'go.example.com"mg-q',
  "go.example.com@evil.example",
  "evil.example@go.example.com",
  "go.example.com.evil.example",
  "go.example.com/evil",
  "go.example.com?x",
  "go.example.com#x",
  " go.example.com",
  "go.example.com ",
  "go.example.com\u0000",
  "go.ex\u00e4mple.com",
  "xn--go-example.com",
  "*",
  "go.example.com,go.other.org",
  "a".repeat(5000),
);

const hostHeader = fc.oneof(
  { weight: 6, arbitrary: configuredHost },
  { weight: 3, arbitrary: hostileHost },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const method = fc.oneof(
  { weight: 8, arbitrary: fc.constant("GET") },
  { weight: 2, arbitrary: fc.constant("HEAD") },
  { weight: 2, arbitrary: fc.constantFrom("POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get", "Get", "FOO", "", "GET ", "G\u00c9T") },
);

interface RawRequest {
  method: string;
  hostHeader: string | undefined;
  target: string;
  asked: Asked;
}

function goGetOf(q: string): boolean {
  if (!q.startsWith("?")) return false;
  const hash = q.indexOf("#");
  return new URLSearchParams(hash < 0 ? q.slice(1) : q.slice(1, hash)).get("go-get") === "1";
}

/** Request parts long enough to be recognisable and holding a character that means something in HTML or HTTP. */
function hostileParts(...parts: Array<string | undefined>): string[] {
  return parts.filter((p): p is string => p !== undefined && p.length >= 4 && /[<>"'\r\n\u0000]/.test(p));
}

/** A configured module's path on its own host (templates filled), maybe deeper, maybe spoiled. */
const targeted = fc.constantFrom(...CONFIG.modules).chain((m) =>
  fc.record({
    host: hostVariant(m.host) as fc.Arbitrary<string | undefined>,
    path: fc
      .tuple(
        fc.array(
          cleanElements.map((es) => es[0]!),
          { minLength: m.elements.length, maxLength: m.elements.length },
        ),
        fc.array(fc.constantFrom(...POOL), { maxLength: 3 }),
        fc.option(spoiler, { freq: 2 }),
      )
      .map(([values, deeper, sp]) => {
        const elements = [...m.elements.map((e, i) => (isVariable(e) ? values[i]! : e)), ...deeper];
        return "/" + (sp === null ? elements : spoil(elements, sp)).join("/");
      }),
  }),
);

const hostAndPath = fc.oneof({ weight: 3, arbitrary: targeted }, { weight: 2, arbitrary: fc.record({ host: hostHeader, path }) });

/** Origin-form ("/a/b?q", Host from the header) or absolute-form ("http://host/a/b?q", host from the target). */
const rawRequest: fc.Arbitrary<RawRequest> = fc
  .record({
    method,
    hostAndPath,
    query,
    // Absolute-form: the target names the host; the Host header, if any, is another one.
    absolute: fc.oneof(
      { weight: 3, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.record({ scheme: fc.constantFrom("http://", "https://", "HTTP://"), hostHeader }) },
    ),
  })
  .map(({ method, hostAndPath: { host, path }, query, absolute }) => {
    let target: string;
    let authority: string | undefined;
    let hostHeader = host;
    if (absolute === null) {
      target = path + query;
      authority = hostHeader;
    } else {
      hostHeader = absolute.hostHeader;
      target = absolute.scheme + (host ?? "") + path + query;
      // The authority ends at the first "/", "?" or "#" after the scheme.
      const rest = target.slice(target.indexOf("//") + 2);
      const end = rest.search(/[/?#]/);
      authority = end < 0 ? rest : rest.slice(0, end);
    }
    const afterAuthority = absolute === null ? target : target.slice(target.indexOf("//") + 2 + authority!.length);
    const cut = afterAuthority.search(/[?#]/);
    const rawPath = cut < 0 ? afterAuthority : afterAuthority.slice(0, cut);
    const rawQuery = cut < 0 ? "" : afterAuthority.slice(cut);
    return {
      method,
      hostHeader,
      target,
      asked: {
        host: hostOf(authority),
        path: pathOf(rawPath),
        goGet: goGetOf(rawQuery),
        hostile: hostileParts(path, query, host, hostHeader),
      },
    };
  });

async function ask(r: RawRequest): Promise<Observed> {
  apiCalls = [];
  return observedOf(await answer(r.method, r.hostHeader, r.target, router));
}

const options = (runs = RUNS) => ({ numRuns: Math.round(runs * SCALE), seed: SEED });

/** Counts answers by kind, so a property that stopped reaching some kind of answer fails instead of passing vacuously. */
class Tally {
  readonly counts = new Map<string, number>();

  add(asked: Asked, o: Observed): void {
    const location = o.headers.get("location") ?? "";
    const kind =
      o.status === 302
        ? location.startsWith("https://pkg.go.dev/")
          ? "302 pkg.go.dev"
          : "302 GitLab"
        : o.status === 200
          ? asked.path === "/"
            ? "200 index"
            : goImports(o.body).length > 0
              ? "200 go-get"
              : o.body === ""
                ? "200 HEAD"
                : "200 page"
          : String(o.status);
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  /** Every kind in `least` was seen at least that many times. */
  expectAtLeast(least: Record<string, number>): void {
    const seen = Object.fromEntries([...this.counts].sort());
    if (process.env.MODGATE_FC_TALLY) console.log(seen);
    for (const [kind, n] of Object.entries(least)) expect(this.counts.get(kind) ?? 0, `${kind} in ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(n);
  }
}

// ---- properties -------------------------------------------------------------------

describe("answer() on hostile requests", () => {
  it("never fails, never echoes request data raw, redirects only to config URLs, keeps hosts apart", async () => {
    const tally = new Tally();
    await fc.assert(
      fc.asyncProperty(rawRequest, async (r) => {
        const o = await ask(r);
        checkAnswer(r.asked, o);
        if (r.method !== "GET" && r.method !== "HEAD") expect(o.status).toBe(405);
        tally.add(r.asked, o);
      }),
      options(2000),
    );
    tally.expectAtLeast({ "200 go-get": 100, "200 index": 5, "200 page": 8, "302 pkg.go.dev": 35, "302 GitLab": 25, "404": 300, "405": 100, "414": 15 });
  });

  it("answers valid import paths exactly as the oracle says: deepest rule, literal first, own host only", async () => {
    const request = fc.record({
      host: configuredHost.filter((h) => !h.endsWith(".")),
      elements: fc.array(
        fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...POOL) }, { weight: 1, arbitrary: fc.constantFrom("pkg", "z9", "a-b", "~u", "k+v") }),
        { minLength: 1, maxLength: 5 },
      ),
      goGet: fc.boolean(),
      method: fc.constantFrom("GET", "HEAD"),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ host, elements, goGet, method }) => {
        const path = "/" + elements.join("/");
        const asked: Asked = { host: hostOf(host), path, goGet, hostile: [] };
        const o = await ask({ method, hostHeader: host, target: path + (goGet ? "?go-get=1" : ""), asked });
        checkAnswer(asked, o);
        const expected = expectedModule(asked.host!, elements);
        const what = JSON.stringify({ host, path, goGet, expected, status: o.status, location: o.headers.get("location") });
        if (!expected) {
          expect(o.status, what).toBe(404);
          return;
        }
        if (goGet) {
          expect(o.status, what).toBe(200);
          expect(goImports(o.body), what).toEqual([expected.goImport]);
          return;
        }
        switch (expected.browser) {
          case "pkgsite":
            expect(o.status, what).toBe(302);
            expect(o.headers.get("location"), what).toBe(`https://pkg.go.dev/${asked.host}${path}`);
            break;
          case "gitlab": {
            const dir = [expected.subdir, expected.rest].filter((p) => p).join("/");
            expect(o.status, what).toBe(302);
            expect(o.headers.get("location"), what).toBe(dir === "" ? expected.web : `${expected.web}/-/tree/${expected.branch}/${dir}`);
            break;
          }
          case "none":
            expect(o.status, what).toBe(200);
            expect(o.body, what).toContain(`<pre>go get ${asked.host}${path}</pre>`);
            break;
        }
      }),
      options(1500),
    );
  });

  it("matches on element boundaries: /<root>X... never answers for <root> when X is not /", async () => {
    // Every literal root, and the group's root; X ends neither the path ("?", "#") nor the element ("/").
    const roots = CONFIG.modules.filter((m) => !m.elements.some(isVariable));
    const request = fc.record({
      module: fc.constantFrom(...roots),
      x: fc
        .oneof(
          fc.constantFrom("X", "x", ".", "-", "_", "~", "+", "%2F", "%2f", "%00", "\\", ";", ":", "@", "\u00e9", " ", "\t", "\u0000"),
          fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 1 }),
        )
        .filter((x) => !/^[/?#]/.test(x)),
      suffix: fc.oneof(fc.constant(""), structuredPath, fc.constantFrom("/alpha", "/team/gamma", "/pkg", "/x")),
      query: fc.constantFrom("", "?go-get=1"),
      hostCase: fc.constantFrom("", ":443"),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ module, x, suffix, query, hostCase }) => {
        const path = `/${module.elements.join("/")}${x}${suffix}`;
        const asked: Asked = { host: module.host, path: pathOf(path.split(/[?#]/)[0]!), goGet: query !== "", hostile: hostileParts(x, suffix) };
        const o = await ask({ method: "GET", hostHeader: module.host + hostCase, target: path + query, asked });
        checkAnswer(asked, o);
        const what = JSON.stringify({ path, query, status: o.status, location: o.headers.get("location") });
        for (const content of goImports(o.body)) expect(content.split(" ")[0], what).not.toBe(module.pattern);
        const location = o.headers.get("location");
        if (location !== undefined && module.gitlab) expect(location.startsWith(module.gitlab.web + "/") || location === module.gitlab.web, what).toBe(false);
        if (location !== undefined)
          expect(location.startsWith(`https://pkg.go.dev/${module.pattern}/`) || location === `https://pkg.go.dev/${module.pattern}`, what).toBe(false);
        if (module.group) expect(apiCalls, what).toEqual([]);
      }),
      options(1500),
    );
  });

  it("keeps hosts apart: a path configured on one host, asked on another, never answers for the first", async () => {
    const paths = ["/tools", "/tools/extra/pkg", "/libs/yaml", "/libs/special", "/x", "/x/sub", "/hg", "/v/foo", "/oss/alpha", "/secret/sdk", "/quiet"];
    const request = fc.record({
      host: fc.oneof(configuredHost, hostileHost),
      path: fc.constantFrom(...paths),
      goGet: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ host, path, goGet }) => {
        const asked: Asked = { host: hostOf(host), path, goGet, hostile: hostileParts(host) };
        const o = await ask({ method: "GET", hostHeader: host, target: path + (goGet ? "?go-get=1" : ""), asked });
        checkAnswer(asked, o);
        // checkAnswer holds the go-import root and any pkg.go.dev Location to the asked host;
        // an unconfigured host gets nothing at all.
        if (!(HOSTS as readonly string[]).includes(asked.host ?? "")) expect(o.status).toBe(404);
      }),
      options(1000),
    );
  });
});

describe("the Hono app (Web Request/Response) on hostile requests", () => {
  const request = fc.record({
    method: fc.oneof(
      { weight: 8, arbitrary: fc.constant("GET") },
      { weight: 2, arbitrary: fc.constant("HEAD") },
      { weight: 2, arbitrary: fc.constantFrom("POST", "PUT", "DELETE", "OPTIONS", "PATCH", "FOO", "get") },
    ),
    hostAndPath: fc.oneof(
      { weight: 10, arbitrary: hostAndPath },
      {
        weight: 1,
        arbitrary: fc.record({
          host: configuredHost as fc.Arbitrary<string | undefined>,
          path: fc.constantFrom("/-/healthz", "/-/", "/-/metrics", "/%2D/healthz", "/-/healthz/..", "/tools/../-/healthz", "/-/../tools"),
        }),
      },
    ),
    query,
    hostHeader: fc.option(hostHeader, { freq: 3 }),
  });

  it("never fails, never echoes request data raw, redirects only to config URLs, keeps hosts apart", async () => {
    let answered = 0;
    const tally = new Tally();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let req: Request;
        try {
          const init: RequestInit = { method: r.method, redirect: "manual" };
          if (r.hostHeader !== null && r.hostHeader !== undefined) init.headers = { Host: r.hostHeader };
          req = new Request(`http://${r.hostAndPath.host ?? "localhost"}${r.hostAndPath.path}${r.query}`, init);
        } catch {
          return; // the URL or header is one no Web runtime would hand the app
        }
        answered++;
        const url = new URL(req.url);
        apiCalls = [];
        const o = await observedOfResponse(await app.request(req));
        const asked: Asked = {
          host: hostOf(url.host),
          path: url.pathname,
          goGet: goGetOf(url.search),
          hostile: hostileParts(r.hostAndPath.path, r.query, r.hostAndPath.host, r.hostHeader ?? undefined).filter((h) => req.url.includes(h)),
        };
        // The service's own routes; Hono routes on the decoded path, so "/%2D/" is "/-/" here.
        if (/^\/(-|%2d)\//i.test(url.pathname)) {
          expect(o.status).toBeLessThan(500);
          expect(o.headers.get("x-content-type-options")).toBe("nosniff");
          if (url.pathname === "/-/healthz" && (r.method === "GET" || r.method === "HEAD")) expect(o.status).toBe(200);
          return;
        }
        checkAnswer(asked, o);
        if (r.method === "HEAD") expect(o.body).toBe("");
        tally.add(asked, o);
      }),
      options(1500),
    );
    expect(answered).toBeGreaterThan(500);
    tally.expectAtLeast({ "200 go-get": 50, "302 pkg.go.dev": 20, "302 GitLab": 10, "404": 200, "405": 50 });
  });
});
